// What every reporter owes: dispatch by format, and no secret ever leaves through any of them.
import { describe, expect, it } from '@jest/globals';
import { isOutputFormat, OUTPUT_FORMATS, render, RENDERERS, renderJson, renderMarkdown, renderText } from '../../src/reporters/index.js';
import { cloneReport, fixtureReport } from './fixture-report.js';

const RAW_PASSWORD = 'Sup3rS3cretRedisPw';

describe('reporters', () => {
  it('has a renderer for every format and dispatches to it', () => {
    expect(Object.keys(RENDERERS).sort()).toEqual([...OUTPUT_FORMATS].sort());
    expect(render('json', fixtureReport)).toBe(renderJson(fixtureReport));
    expect(render('markdown', fixtureReport)).toBe(renderMarkdown(fixtureReport));
    expect(render('text', fixtureReport)).toBe(renderText(fixtureReport, { color: false }));
    expect(render('text', fixtureReport, { color: true, width: 80 })).toBe(renderText(fixtureReport, { color: true, width: 80 }));
    expect(isOutputFormat('junit')).toBe(true);
    expect(isOutputFormat('tui')).toBe(false);
  });

  it.each(OUTPUT_FORMATS)('%s keeps already-redacted values redacted', (format) => {
    const out = render(format, fixtureReport, { verbose: true });
    expect(out).toContain('rediss://:REDACTED@master.llm-engine-cache.abc123.usw2.cache.amazonaws.com');
    expect(out).toMatch(/redis\.auth[^\n]*\n?[^\n]*REDACTED/);
  });

  it.each(OUTPUT_FORMATS)('%s masks a credential that slipped past the engine', (format) => {
    // The runner does not redact `object` evidence details; a check that put a URL with a password there
    // must still not leak it.
    const report = cloneReport();
    const warn = report.results.find((r) => r.id === 'endpoints/keda-trigger-auth')!;
    warn.evidence.push({
      type: 'object',
      object: { kind: 'Secret', namespace: 'llm-engine', name: 'llm-engine-redis-keda' },
      detail: `address redis://default:${RAW_PASSWORD}@10.0.4.17:6379/0 has no matching TriggerAuthentication`,
    });
    const out = render(format, report, { verbose: true });
    expect(out).toContain('redis://default:REDACTED@10.0.4.17:6379/0');
    expect(out).not.toContain(RAW_PASSWORD);
  });

  it.each(OUTPUT_FORMATS)('%s never emits ANSI unless text colour is asked for', (format) => {
    expect(render(format, fixtureReport)).not.toContain('\u001b');
  });
});
