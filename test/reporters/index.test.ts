// What every reporter owes: dispatch by format, and no secret ever leaves through any of them.
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Report } from '../../src/engine/types.js';
import { isOutputFormat, OUTPUT_FORMATS, render, RENDERERS, renderJson, renderMarkdown, renderText } from '../../src/reporters/index.js';
import { triageReport } from './fixture-report.js';

const RAW_PASSWORD = 'Sup3rS3cretRedisPw';

let demo: Report;
beforeAll(async () => {
  demo = await triageReport();
}, 60_000);

/** The demo with evidence on the cacher's Redis incident that carries credentials, redacted and not. */
function withSecrets(): Report {
  const report = structuredClone(demo);
  const lead = report.results.find((r) => r.id === 'redis/log-errors' && r.status === 'fail')!;
  lead.evidence.unshift(
    { type: 'values', path: 'config.values.launch.cache_redis_aws_url', value: 'rediss://:REDACTED@master.llm-engine-cache.abc123.usw2.cache.amazonaws.com:6379/15' },
    // The runner does not redact `object` evidence details; a check that put a URL with a password there must
    // still not leak it.
    { type: 'object', object: { kind: 'Secret', namespace: 'llm-engine', name: 'llm-engine-redis-keda' }, detail: `address redis://default:${RAW_PASSWORD}@10.0.4.17:6379/0 has no matching TriggerAuthentication` },
  );
  return report;
}

describe('reporters', () => {
  it('has a renderer for every format and dispatches to it, with --show-passed passed through', () => {
    expect(Object.keys(RENDERERS).sort()).toEqual([...OUTPUT_FORMATS].sort());
    expect(render('json', demo)).toBe(renderJson(demo));
    expect(render('markdown', demo)).toBe(renderMarkdown(demo));
    expect(render('markdown', demo, { showPassed: true })).toBe(renderMarkdown(demo, { showPassed: true }));
    expect(render('text', demo)).toBe(renderText(demo, { color: false }));
    expect(render('text', demo, { color: true, width: 80, showPassed: true })).toBe(renderText(demo, { color: true, width: 80, showPassed: true }));
    expect(isOutputFormat('junit')).toBe(true);
    expect(isOutputFormat('tui')).toBe(false);
  });

  it.each(OUTPUT_FORMATS)('%s keeps already-redacted values redacted and masks a credential that slipped past the engine', (format) => {
    const out = render(format, withSecrets(), { verbose: true });
    expect(out).toContain('rediss://:REDACTED@master.llm-engine-cache.abc123.usw2.cache.amazonaws.com');
    expect(out).toContain('redis://default:REDACTED@10.0.4.17:6379/0');
    expect(out).not.toContain(RAW_PASSWORD);
  });

  it.each(OUTPUT_FORMATS)('%s never emits ANSI unless text colour is asked for', (format) => {
    expect(render(format, demo)).not.toContain('\u001b');
  });
});
