import { beforeAll, describe, expect, it } from '@jest/globals';
import { convert } from 'xmlbuilder2';
import { main } from '../../src/cli.js';
import type { Report } from '../../src/engine/types.js';
import { renderJunit } from '../../src/reporters/junit.js';
import { fixture } from '../support/check-tester.js';
import { Capture, deniedReport, endpointReport, hostileReport, triageReport } from './fixture-report.js';

// Parsed XML is untyped: attributes are `@name` strings, children are nodes, text is `#`.
 
type Node = Record<string, any>;

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function parse(xml: string) {
  const doc = convert(xml, { format: 'object' }) as unknown as { testsuites: Node };
  const root = doc.testsuites;
  const suites = list(root.testsuite as Node | Node[]);
  return { root, suites, cases: (s: Node) => list(s.testcase as Node | Node[]) };
}

let demo: Report;
let denied: Report;
let hostile: Report;
beforeAll(async () => {
  [demo, denied, hostile] = await Promise.all([triageReport(), deniedReport(), hostileReport()]);
}, 60_000);

describe('renderJunit', () => {
  it('matches the snapshot', () => {
    expect(renderJunit(demo)).toMatchSnapshot();
  });

  it('parses as XML with the right totals: every result is a test case, passes included', () => {
    for (const report of [demo, denied, hostile]) {
      const xml = renderJunit(report);
      expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
      const { root, suites, cases } = parse(xml);
      const { fail, error, skip } = report.counts;
      expect(root['@tests']).toBe(String(report.results.length));
      expect(root['@failures']).toBe(String(fail));
      expect(root['@errors']).toBe(String(error));
      expect(root['@skipped']).toBe(String(skip));
      expect(root['@time']).toBe('1.234');
      const all = suites.flatMap(cases);
      expect(all).toHaveLength(report.results.length);
      expect(all.filter((c) => c.failure !== undefined)).toHaveLength(fail);
      expect(all.filter((c) => c.error !== undefined)).toHaveLength(error);
      expect(all.filter((c) => c.skipped !== undefined)).toHaveLength(skip);
    }
  });

  it('has one suite per area whose counts and time add up', () => {
    const { suites, cases } = parse(renderJunit(demo));
    // In the order the report lists its results (failures first), each area once.
    expect(suites.map((s) => s['@name'])).toEqual([...new Set(demo.results.map((r) => r.area))]);
    for (const s of suites) {
      const cs = cases(s);
      const area = demo.results.filter((r) => r.area === s['@name']);
      expect(s['@tests']).toBe(String(area.length));
      expect(s['@failures']).toBe(String(area.filter((r) => r.status === 'fail').length));
      expect(s['@skipped']).toBe(String(area.filter((r) => r.status === 'skip').length));
      const sum = cs.reduce((a, c) => a + Number(c['@time']), 0);
      expect(Number(s['@time'])).toBeCloseTo(sum, 3);
      for (const c of cs) expect(c['@classname']).toBe(s['@name']);
    }
    // A check that returned several results ran once: its time counts once.
    const endpoints = suites.find((s) => s['@name'] === 'endpoints')!;
    expect(cases(endpoints).map((c) => c['@time'])).toEqual(['0.012', '0.000', '0.000']);
  });

  it('names cases "<id> <Kind ns/name>" and fills failure, error and skipped', () => {
    const all = parse(renderJunit(hostile)).suites.flatMap((s) => parse(renderJunit(hostile)).cases(s));
    const byName = new Map(all.map((c) => [c['@name'], c]));
    const logs = byName.get('redis/log-errors Deployment model-engine/model-engine-cacher')!.failure as Node;
    expect(logs['@type']).toBe('authErrors');
    const body = logs['#'] as string;
    expect(body).toContain("  $ kubectl -n model-engine logs deploy/model-engine-cacher --tail=200 | grep -E 'AuthenticationError|WRONGPASS|NOAUTH|invalid username-password'");
    expect(body).toContain('Docs: docs/checks/redis/log-errors.md');
    expect(body).not.toContain('\u001b');
    const err = byName.get('broker/queues')!.error as Node;
    expect(err['@type']).toBe('timeout');
    expect(err['@message']).toBe('check timed out after 30s');
    const warn = byName.get('values/scheduling HelmValues nodeSelector')!;
    expect(warn.failure).toBeUndefined();
    expect(warn['system-out']).toMatch(/^WARN \(medium\): nodeSelector: \{\} does not clear/);
    const deniedCases = parse(renderJunit(denied)).suites.flatMap((s) => parse(renderJunit(denied)).cases(s));
    expect(deniedCases.some((c) => /cannot list nodes/.test((c.skipped as Node | undefined)?.['@message'] ?? ''))).toBe(true);
  });

  it('keeps names unique and the XML well-formed with hostile text', () => {
    const xml = renderJunit(hostile);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const names = parse(xml).suites.flatMap((s) => parse(xml).cases(s).map((c) => `${s['@name']}|${c['@name']}`));
    expect(new Set(names).size).toBe(names.length);
    // Two results of one check about one object are told apart by their message ids.
    expect(names).toContain('identity|identity/pods-federated ServiceAccount default/kaniko');
    expect(xml).toContain('a &lt;tag&gt; &amp; "quotes" ]]&gt; and a bell  | pipe `tick` *star*');
  });
});

describe('endpoint -o junit', () => {
  const run = async (endpoint: string) => {
    const stdout = new Capture();
    const code = await main(['endpoint', endpoint, '--snapshot', fixture('fixtures/clusters/demo-aws'), '-o', 'junit'], { stdout, stderr: new Capture() });
    return { code, xml: stdout.text };
  };

  it.each([
    ['llama-3-8b-instruct', 0, 'HEALTHY'],
    ['llama-3-70b', 3, 'NO_MATCHING_NODES'],
    ['mixtral-8x7b', 3, 'IMAGE_PULL'],
  ])('%s: the diagnosis is the first test case and failures agree with the exit code (%i)', async (endpoint, exit, cause) => {
    const { code, xml } = await run(endpoint);
    expect(code).toBe(exit);
    const { root, suites, cases } = parse(xml);
    expect(root['@failures']).toBe(exit === 0 ? '0' : '1');
    expect(root['@errors']).toBe('0');
    const [first] = cases(suites[0]!);
    expect(suites[0]!['@name']).toBe('endpoint');
    expect(first!['@name']).toBe(`llm-engine/${endpoint} serves`);
    if (exit === 0) {
      expect(first!.failure).toBeUndefined();
      expect(first!['system-out']).toMatch(new RegExp(`^${cause}: `));
    } else {
      expect((first!.failure as Node)['@type']).toBe(cause);
      expect((first!.failure as Node)['#']).toContain('Causal chain:');
    }
    // The endpoint-scoped checks are there as context: the cacher's failure is reported, not counted.
    const context = suites.slice(1).flatMap(cases);
    expect(context.some((c) => /^FAIL \(high; context for the endpoint diagnosis, not counted\)/.test(String(c['system-out'] ?? '')))).toBe(true);
    expect(context.every((c) => c.failure === undefined && c.error === undefined)).toBe(true);
  });

  it('renders the same from the JSON report the CLI prints', async () => {
    const report = await endpointReport('llama-3-70b');
    const { root } = parse(renderJunit(report));
    expect(root['@tests']).toBe(String(report.results.length + 1));
    expect(root['@failures']).toBe('1');
  });
});
