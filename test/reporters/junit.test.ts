import { describe, expect, it } from '@jest/globals';
import { convert } from 'xmlbuilder2';
import { renderJunit } from '../../src/reporters/junit.js';
import { cloneReport, fixtureReport } from './fixture-report.js';

// Parsed XML is untyped: attributes are `@name` strings, children are nodes, text is `#`.
 
type Node = Record<string, any>;

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function parse(xml: string) {
  const doc = convert(xml, { format: 'object' }) as unknown as { testsuites: Node };
  const root = doc.testsuites;
  const suites = list(root.testsuite as Node | Node[]);
  return { root, suites, cases: (s: Node) => list(s.testcase as Node | Node[]) };
}

describe('renderJunit', () => {
  it('matches the snapshot', () => {
    expect(renderJunit(fixtureReport)).toMatchSnapshot();
  });

  it('parses as XML with the right totals', () => {
    const xml = renderJunit(fixtureReport);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    const { root, suites, cases } = parse(xml);
    const { fail, error, skip } = fixtureReport.counts;
    expect(root['@tests']).toBe(String(fixtureReport.results.length));
    expect(root['@failures']).toBe(String(fail));
    expect(root['@errors']).toBe(String(error));
    expect(root['@skipped']).toBe(String(skip));
    expect(root['@time']).toBe('31.214');
    const all = suites.flatMap(cases);
    expect(all).toHaveLength(fixtureReport.results.length);
    expect(all.filter((c) => c.failure !== undefined)).toHaveLength(fail);
    expect(all.filter((c) => c.error !== undefined)).toHaveLength(error);
    expect(all.filter((c) => c.skipped !== undefined)).toHaveLength(skip);
    // A regex count agrees with the parse.
    expect(xml.match(/<testcase /g)).toHaveLength(fixtureReport.results.length);
    expect(xml.match(/<failure /g)).toHaveLength(fail);
  });

  it('has one suite per area whose counts and time add up', () => {
    const { suites, cases } = parse(renderJunit(fixtureReport));
    expect(suites.map((s) => s['@name'])).toEqual(['nodes', 'images', 'redis', 'identity', 'storage', 'broker', 'endpoints', 'registry', 'config']);
    for (const s of suites) {
      const cs = cases(s);
      const area = fixtureReport.results.filter((r) => r.area === s['@name']);
      expect(s['@tests']).toBe(String(area.length));
      expect(s['@failures']).toBe(String(area.filter((r) => r.status === 'fail').length));
      expect(s['@errors']).toBe(String(area.filter((r) => r.status === 'error').length));
      expect(s['@skipped']).toBe(String(area.filter((r) => r.status === 'skip').length));
      const sum = cs.reduce((a, c) => a + Number(c['@time']), 0);
      expect(Number(s['@time'])).toBeCloseTo(sum, 3);
      for (const c of cs) expect(c['@classname']).toBe(s['@name']);
    }
    // identity/service-account-role ran once and returned two results: its 41 ms count once.
    const identity = suites.find((s) => s['@name'] === 'identity')!;
    expect(identity['@time']).toBe('0.041');
    expect(cases(identity).map((c) => c['@time'])).toEqual(['0.041', '0.000']);
  });

  it('names cases "<id> <Kind ns/name>" and fills failure, error and skipped', () => {
    const { suites, cases } = parse(renderJunit(fixtureReport));
    const all = suites.flatMap(cases);
    const byName = new Map(all.map((c) => [c['@name'], c]));
    const redis = byName.get('redis/auth ConfigMap model-engine/model-engine-service-config')!;
    const failure = redis.failure as Node;
    expect(failure['@type']).toBe('authRejected');
    expect(failure['@message']).toMatch(/^Redis at master\.llm-engine-cache/);
    const body = failure['#'] as string;
    expect(body).toContain('  - values redis.auth = "REDACTED" (values-prod.yaml:96)');
    expect(body).toContain("  $ aws elasticache describe-replication-groups --replication-group-id llm-engine-cache --query 'ReplicationGroups[0].[AuthTokenEnabled,TransitEncryptionEnabled]'");
    expect(body).toContain('Docs: docs/checks/redis/auth.md');
    const err = byName.get('broker/sqs-queues')!.error as Node;
    expect(err['@type']).toBe('timeout');
    expect(err['@message']).toBe('check timed out after 30000 ms');
    expect((byName.get('nodes/gpu-capacity')!.skipped as Node)['@message']).toBe(
      'skipped: RBAC forbidden: cannot list nodes at cluster scope',
    );
    const warn = byName.get('broker/type')!;
    expect(warn.failure).toBeUndefined();
    expect(warn['system-out']).toMatch(/^WARN \(medium\): celeryBrokerType "elasticache"/);
    expect(byName.get('images/pull-secrets')!.failure).toBeUndefined();
  });

  it('keeps names unique and the XML well-formed with hostile text', () => {
    const report = cloneReport();
    const [first] = report.results;
    report.results.splice(1, 0, {
      ...structuredClone(first!),
      messageId: 'otherMessage',
      message: 'a <tag> & "quotes" ]]> and a bell \u0007 and \u001b[1mbold\u001b[0m',
    });
    const xml = renderJunit(report);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const { suites, cases } = parse(xml);
    const names = cases(suites[0]!).map((c) => c['@name']);
    expect(names.slice(0, 2)).toEqual(['nodes/lifecycle-label [noNodeMatchesSelector]', 'nodes/lifecycle-label [otherMessage]']);
    const failure = cases(suites[0]!)[1]!.failure as Node;
    // xmlbuilder2's object converter leaves entities encoded, so compare the escaped form.
    expect(failure['@message']).toBe('a &lt;tag&gt; &amp; &quot;quotes&quot; ]]&gt; and a bell  and bold');
    expect(xml).toContain('<failure message="a &lt;tag&gt; &amp; &quot;quotes&quot; ]]&gt; and a bell  and bold" type="otherMessage">');
  });
});
