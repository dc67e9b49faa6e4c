// The reporters through the CLI: what `triage` and `demo` print for the demo, with and without --show-passed.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { main } from '../../src/cli.js';
import type { Report } from '../../src/engine/types.js';
import { fixture } from '../support/check-tester.js';
import { Capture } from './fixture-report.js';

const DEMO = fixture('fixtures/clusters/demo-aws');

async function run(args: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  const saved = process.env.CI;
  process.env.CI = 'true';
  try {
    const code = await main(args, { stdout, stderr });
    return { code, stdout: stdout.text, stderr: stderr.text };
  } finally {
    if (saved === undefined) delete process.env.CI;
    else process.env.CI = saved;
  }
}

describe('triage output of the demo', () => {
  // How many results pass, from the JSON report of the same run: every other format must show that many.
  let passes = 0;
  beforeAll(async () => {
    passes = (JSON.parse((await run(['triage', '--snapshot', DEMO, '-o', 'json'])).stdout) as Report).counts.pass;
  }, 60_000);

  it('text: incidents first, on a screen or two, passes hidden; --show-passed lists them', async () => {
    const r = await run(['triage', '--snapshot', DEMO, '-o', 'text']);
    expect(r.code).toBe(3);
    const lines = r.stdout.trimEnd().split('\n');
    // Two screens of 50 rows: 3 incidents, 2 warnings, the skip summary and the endpoints table (was 707 lines).
    expect(lines.length).toBeLessThanOrEqual(100);
    expect(r.stdout).toMatch(/^#1 {2}✖ FAIL {2}high {2}endpoints\/serving/m);
    expect(r.stdout).not.toContain('✔ PASS');
    expect(r.stdout).toMatch(/\n\d+ passed check results not shown: --show-passed lists them\./);
    const all = await run(['triage', '--snapshot', DEMO, '-o', 'text', '--show-passed']);
    expect(all.code).toBe(3);
    expect(all.stdout.split('\n').filter((l) => l.includes('✔ PASS'))).toHaveLength(passes);
  });

  it('-o wide: the text report with every evidence item, command, view and skip reason (kubectl\'s -o wide)', async () => {
    const [text, wide] = [await run(['triage', '--snapshot', DEMO, '-o', 'text']), await run(['triage', '--snapshot', DEMO, '-o', 'wide'])];
    expect(wide.code).toBe(text.code);
    expect(text.stdout).toContain('more commands: -o wide');
    expect(wide.stdout).not.toContain('more command');
    expect(wide.stdout).toContain('$ skopeo copy --all docker://<source-registry>/vllm:0.6.3');
    expect(text.stdout).not.toContain('$ skopeo copy');
    expect(wide.stdout).toContain('also seen as:');
    expect(wide.stdout).toMatch(/messageId noMatchingNodes/);
    // Each skip with its reason, where the compact report lists the ids on a few lines.
    expect(text.stdout).toMatch(/^Skipped {2}12: .*\(why: -o wide\)$/ms);
    expect(wide.stdout.split('\n').filter((l) => /^ {2}○ SKIP {3}\S/.test(l)).length).toBe(12);
    expect(wide.stdout).toContain('rerun with --canary');
    expect(text.stdout).not.toContain('rerun with --canary');
    expect(wide.stdout).not.toContain('✔ PASS');
    expect((await run(['triage', '--snapshot', DEMO, '-o', 'wide', '--show-passed'])).stdout.split('\n').filter((l) => l.includes('✔ PASS'))).toHaveLength(passes);
  });

  it('markdown: under 60,000 characters; --show-passed adds the passes in a fold', async () => {
    const r = await run(['triage', '--snapshot', DEMO, '-o', 'markdown']);
    expect(r.stdout.length).toBeLessThan(60_000);
    expect(r.stdout).toContain('## Incidents');
    expect(r.stdout).not.toContain(`<summary>${passes} passed</summary>`);
    expect((await run(['triage', '--snapshot', DEMO, '-o', 'markdown', '--show-passed'])).stdout).toContain(`<summary>${passes} passed</summary>`);
  });

  it('json and junit carry every result whatever --show-passed says; json adds the incidents', async () => {
    const plain = JSON.parse((await run(['triage', '--snapshot', DEMO, '-o', 'json'])).stdout) as Report & { incidents: unknown[] };
    const flagged = JSON.parse((await run(['triage', '--snapshot', DEMO, '-o', 'json', '--show-passed'])).stdout) as Report;
    expect(plain.counts.pass).toBeGreaterThan(0);
    expect(plain.results.filter((r) => r.status === 'pass')).toHaveLength(plain.counts.pass);
    expect(flagged.results).toHaveLength(plain.results.length);
    expect(plain.incidents).toHaveLength(5);
    const junit = (await run(['triage', '--snapshot', DEMO, '-o', 'junit'])).stdout;
    expect(junit.match(/<testcase /g)).toHaveLength(plain.results.length);
  });

  it('the demo command takes --show-passed too', async () => {
    const r = await run(['demo', '-o', 'text', '--show-passed']);
    expect(r.code).toBe(3);
    expect(r.stdout.split('\n').filter((l) => l.includes('✔ PASS'))).toHaveLength(passes);
  });
});
