import { describe, expect, it } from '@jest/globals';
import type { Report } from '../../src/engine/types.js';
import { renderText, wrapText } from '../../src/reporters/text.js';
import { cloneReport, fixtureReport } from './fixture-report.js';

 
const ESC = /\u001b/;
const allCommands = (r: Report) => r.results.flatMap((x) => x.remediation?.commands ?? []);

describe('renderText', () => {
  it('matches the snapshot without colour', () => {
    expect(renderText(fixtureReport, { color: false })).toMatchSnapshot();
  });

  it('matches the snapshot with colour', () => {
    expect(renderText(fixtureReport, { color: true })).toMatchSnapshot();
  });

  it('matches the snapshot when verbose at 80 columns', () => {
    expect(renderText(fixtureReport, { color: false, verbose: true, width: 80 })).toMatchSnapshot();
  });

  it('emits no escape character at all when colour is off, even from a log line full of ANSI', () => {
    const out = renderText(fixtureReport, { color: false, verbose: true, width: 200 });
    expect(fixtureReport.results.some((r) => r.evidence.some((e) => e.type === 'log' && ESC.test(e.line)))).toBe(true);
    expect(out).not.toMatch(ESC);
    expect(out).toContain('line 211: ERROR: Exception in ASGI application');
  });

  it('does colour when asked, and the colour is only decoration', () => {
    const painted = renderText(fixtureReport, { color: true });
    expect(painted).toMatch(ESC);
    // With the SGR codes stripped, the coloured report is exactly the uncoloured one.
     
    const stripped = painted.replace(/\u001b\[\d+m/g, '');
    expect(stripped).toBe(renderText(fixtureReport, { color: false }));
  });

  it('starts with the header and ends with the summary line', () => {
    const lines = renderText(fixtureReport, { color: false }).split('\n');
    expect(lines[0]).toBe('model-engine-doctor 0.1.0 · triage');
    expect(lines.slice(1, 6).join('\n')).toContain('context arn:aws:eks:us-west-2:111122223333:cluster/llm-prod');
    expect(lines.join('\n')).toContain('cloud       aws (from config.values.infra.cloud_provider)');
    expect(lines.join('\n')).toContain('namespaces  control plane model-engine, endpoints llm-engine');
    expect(lines.join('\n')).toContain('values      values.yaml, values-prod.yaml');
    expect(lines.at(-1)).toBe('');
    expect(lines.at(-2)).toBe('4 failed, 2 warnings, 6 passed, 3 skipped, 2 errors (31.2s)');
  });

  it('groups by area, the area with the worst result first, failures before passes inside an area', () => {
    const out = renderText(fixtureReport, { color: false });
    const headings = out.split('\n').filter((l) => /^[a-z]+ {2}\d/.test(l)).map((l) => l.split(' ')[0]);
    expect(headings).toEqual(['nodes', 'images', 'redis', 'identity', 'storage', 'broker', 'endpoints', 'registry', 'config']);
    const identity = out.slice(out.indexOf('\nidentity '));
    expect(identity.indexOf('✖ FAIL')).toBeLessThan(identity.indexOf('✔ PASS'));
  });

  it('shows each finding with message, object, evidence, fix, commands, values and docs', () => {
    const out = renderText(fixtureReport, { color: false });
    const block = out.slice(out.indexOf('✖ FAIL   high      redis/auth'), out.indexOf('✔ PASS   redis/tls'));
    expect(block).toContain('redis/auth · ConfigMap model-engine/model-engine-service-config');
    expect(block).toContain('(values-prod.yaml:41:7)');
    expect(block).toContain('- values redis.auth = "REDACTED" (values-prod.yaml:96)');
    expect(block).toContain('- log model-engine-6d5f8c7b9d-q8w4m/model-engine line 212:');
    expect(block).toContain('- probe rediss://master.llm-engine-cache.abc123.usw2.cache.amazonaws.com:6379: TLS ok;');
    expect(block).toContain('fix: Check the ElastiCache auth token');
    expect(block).toContain("             $ aws elasticache describe-replication-groups --replication-group-id llm-engine-cache --query 'ReplicationGroups[0].[AuthTokenEnabled,TransitEncryptionEnabled]'");
    expect(block).toContain('               config:\n                 values:\n                   launch:\n');
    expect(block).toContain('docs: docs/checks/redis/auth.md');
    const events = out.slice(out.indexOf('nodes/lifecycle-label'));
    expect(events).toContain('- event FailedScheduling on Pod model-engine/model-engine-6d5f8c7b9d-x2x7q:');
    expect(events).toMatch(/\(x37, last seen\s+2026-07-01T10:03:55Z\)/);
    expect(out).toContain('- values serviceTemplate.serviceAccountAnnotations is missing');
    expect(out).toContain('- field metadata.annotations["eks.amazonaws.com/role-arn"] of ServiceAccount');
    expect(out).toContain('- TriggerAuthentication llm-engine/keda-trigger-auth-redis: not found');
  });

  it('never wraps a command, and keeps prose within the width', () => {
    const verbatimLines = new Set([
      ...allCommands(fixtureReport).map((c) => `$ ${c}`),
      ...fixtureReport.results.flatMap((r) => (r.remediation?.values ?? '').split('\n').map((l) => l.trim())),
    ]);
    for (const width of [60, 80, 100]) {
      const out = renderText(fixtureReport, { color: false, width, verbose: true });
      const lines = out.split('\n');
      for (const cmd of allCommands(fixtureReport)) expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ +\\$ ${escapeRe(cmd)}$`)));
      for (const line of lines) {
        if ([...line].length <= width) continue;
        // Only verbatim lines (commands, values snippets) and single unbreakable words may overflow.
        const body = line.trim();
        const verbatim = verbatimLines.has(body);
        const oneWord = !body.replace(/^- /, '').includes(' ');
        expect({ line, ok: verbatim || oneWord }).toEqual({ line, ok: true });
      }
    }
  });

  it('keeps passes and skips to a line each unless verbose', () => {
    const out = renderText(fixtureReport, { color: false, width: 200 });
    const passLines = out.split('\n').filter((l) => l.includes('✔ PASS'));
    expect(passLines).toHaveLength(fixtureReport.counts.pass);
    expect(passLines).toContain(
      '  ✔ PASS   identity/service-account-role · ServiceAccount model-engine/model-engine — ServiceAccount model-engine/model-engine has role arn:aws:iam::111122223333:role/k8s-main-llm-engine',
    );
    expect(out).toContain('  ○ SKIP   nodes/gpu-capacity — skipped: RBAC forbidden: cannot list nodes at cluster scope\n');
    // The cloud-provider pass carries evidence: hidden by default, shown when verbose.
    expect(out).not.toContain('spec.providerID');
    const verbose = renderText(fixtureReport, { color: false, width: 200, verbose: true });
    expect(verbose).toContain('- field spec.providerID of Node ip-10-0-12-34.us-west-2.compute.internal = "aws:///us-west-2a/i-0a1b2c3d4e5f67890"');
    expect(verbose).toContain('messageId matches · 4ms');
  });

  it('shows an error result the runner recorded with a differing error text', () => {
    const report = cloneReport();
    const r = report.results.find((x) => x.id === 'broker/sqs-queues')!;
    if (r.status !== 'error') throw new Error('fixture changed');
    r.error = 'TimeoutError: timed out after 30000 ms';
    const out = renderText(report, { color: false });
    expect(out).toContain('error: TimeoutError: timed out after 30000 ms');
  });

  it('describes offline and snapshot targets and an empty run', () => {
    const report = cloneReport();
    report.results = [];
    report.counts = { pass: 0, warn: 0, fail: 0, skip: 0, error: 0 };
    report.durationMs = 412;
    report.target = {
      mode: 'snapshot',
      snapshot: './support/prod-2026-07-01.tar.gz',
      namespaces: { controlPlane: 'model-engine', endpoint: 'llm-engine' },
      valuesFiles: [],
      valuesOrigin: 'release',
    };
    const out = renderText(report, { color: false });
    expect(out).toContain('target      snapshot ./support/prod-2026-07-01.tar.gz');
    expect(out).toContain('cloud       unknown (pass --cloud or set config.values.infra.cloud_provider)');
    expect(out).toContain('values      from the installed helm release');
    expect(out).toContain('No checks ran.');
    expect(out.trimEnd().split('\n').at(-1)).toBe('0 failed, 0 warnings, 0 passed, 0 skipped, 0 errors (412ms)');
  });
});

describe('wrapText', () => {
  it.each([
    ['a b c', 10, ['a b c']],
    ['aaa bbb ccc', 7, ['aaa bbb', 'ccc']],
    ['x https://a.very/long/url/that/does/not/fit y', 10, ['x', 'https://a.very/long/url/that/does/not/fit', 'y']],
    ['', 10, ['']],
    ['one  two', 20, ['one two']],
  ])('wraps %j at %i', (text, width, expected) => {
    expect(wrapText(text, width)).toEqual(expected);
  });

  it('gives the first line its own width', () => {
    expect(wrapText('aa bb cc dd', 5, 8)).toEqual(['aa bb', 'cc dd']);
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('renderText passes', () => {
  it.each([60, 80, 100])('prints each pass on exactly one line within %i columns unless verbose', (width) => {
    const out = renderText(fixtureReport, { color: false, width });
    const passes = fixtureReport.results.filter((r) => r.status === 'pass');
    expect(passes.length).toBeGreaterThan(0);
    const lines = out.split('\n');
    const passLines = lines.map((l, i) => [l, i] as const).filter(([l]) => l.includes('✔ PASS'));
    expect(passLines).toHaveLength(passes.length);
    for (const [line, i] of passLines) {
      expect([...line].length).toBeLessThanOrEqual(width);
      // The next line starts a new entry (or the area ends): nothing wraps under a pass.
      expect(lines[i + 1] === '' || /^\s{2}\S/.test(lines[i + 1]!)).toBe(true);
    }
  });
});
