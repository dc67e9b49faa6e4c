import { allChecks } from '../../checks/index.js';
import { EXIT, type ExitCode } from '../engine/errors.js';
import { areaOf, docsPath } from '../engine/registry.js';
import type { Streams } from './run.js';

/** `model-engine-doctor checks`: what the doctor can check, where, and with what. */
export function listChecksCommand(opts: { output: 'text' | 'json' | 'markdown' }, streams: Streams): ExitCode {
  const rows = allChecks.map((c) => ({
    id: c.meta.id,
    area: areaOf(c.meta.id),
    title: c.meta.title,
    description: c.meta.description,
    clouds: c.meta.clouds === 'all' ? ['all'] : [...c.meta.clouds],
    severity: c.meta.severity,
    needs: [...c.meta.needs],
    scopes: [...(c.meta.scopes ?? ['preflight', 'triage'])],
    docs: docsPath(c.meta.id),
  }));
  if (opts.output === 'json') {
    streams.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else if (opts.output === 'markdown') {
    const lines = ['| check | clouds | severity | needs | commands | description |', '|---|---|---|---|---|---|'];
    for (const r of rows) {
      lines.push(`| [\`${r.id}\`](${r.docs}) | ${r.clouds.join(', ')} | ${r.severity} | ${r.needs.join(', ')} | ${r.scopes.join(', ')} | ${r.description.replace(/\|/g, '\\|')} |`);
    }
    streams.stdout.write(`${lines.join('\n')}\n`);
  } else {
    let area = '';
    const width = Math.max(...rows.map((r) => r.id.length));
    for (const r of rows) {
      if (r.area !== area) {
        area = r.area;
        streams.stdout.write(`\n${area}\n`);
      }
      streams.stdout.write(`  ${r.id.padEnd(width)}  [${r.clouds.join(',')}] ${r.description}\n`);
    }
    streams.stdout.write(`\n${rows.length} checks. Docs: docs/checks/<id>.md\n`);
  }
  return EXIT.ok;
}
