/**
 * helm's values flags on the command line, end to end through `main()`: comma lists, the order helm applies the
 * flags in (whatever their order here), the provenance each key keeps, and one-line exit-2 errors for bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Report } from '../../src/engine/index.js';
import { runMain } from '../support/capture.js';
import { describeWithHelm, REPO } from '../support/helm.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'med-cli-values-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `main(args)` offline-ready: no KUBECONFIG and a home without ~/.kube/config, plus `env`, for this run only. */
const run = (args: string[], env: Record<string, string | undefined> = {}) => runMain(args, { KUBECONFIG: undefined, HOME: dir, ...env });

const GOOD = join(REPO, 'fixtures/values/aws-good.yaml');

describe('values flags on the command line', () => {
  it('-f a.yaml,b.yaml is two files; --set-string keeps a string; provenance names the flag', async () => {
    const over = join(dir, 'over.yaml');
    await writeFile(over, 'context: staging\n');
    const r = await run(['preflight', '--offline', '-f', `${GOOD},${over}`, '--set-string', 'tag=0123456', '--set', 'tag=1', '--only', 'values/image-tag', '-o', 'json']);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.target.valuesFiles).toEqual([GOOD, over]);
    const ev = report.results.flatMap((x) => x.evidence).find((e) => e.type === 'values' && e.path === 'tag');
    // --set-string is applied after --set whatever the order given: the tag is the string "0123456".
    expect(ev).toMatchObject({ value: '0123456', source: { file: '--set-string tag=0123456' } });
  });

  it('--set-json and --set-file', async () => {
    const file = join(dir, 'role.txt');
    await writeFile(file, 'arn:aws:iam::482093716652:role/from-file');
    const r = await run([
      'preflight', '--offline', '-f', GOOD, '--set-json', 'serviceTemplate.serviceAccountAnnotations={"eks.amazonaws.com/role-arn":"arn:aws:iam::482093716652:role/json"}',
      '--set-file', `serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=${file}`, '--only', 'values/aws-identity', '-o', 'json',
    ]);
    const report = JSON.parse(r.stdout) as Report;
    const ev = report.results.flatMap((x) => x.evidence).filter((e) => e.type === 'values');
    expect(ev).toContainEqual(expect.objectContaining({ path: 'serviceAccount.annotations["eks.amazonaws.com/role-arn"]', value: 'arn:aws:iam::482093716652:role/from-file', source: { file: `--set-file serviceAccount.annotations.eks.amazonaws.com/role-arn=${file}` } }));
    expect(ev).toContainEqual(expect.objectContaining({ path: 'serviceTemplate.serviceAccountAnnotations["eks.amazonaws.com/role-arn"]', value: 'arn:aws:iam::482093716652:role/json' }));
  });

  it.each<[string, string[], RegExp]>([
    ['a bad --set-json', ['--set-json', 'a={"b":'], /^model-engine-doctor: error: --set-json "a=\{\\"b\\":": the value of "a" is not JSON/],
    ['--set-file naming a missing file', ['--set-file', 'a=/nonexistent/x.txt'], /^model-engine-doctor: error: \/nonexistent\/x\.txt: cannot read --set-file file: no such file$/],
    ['--chart that is not a chart', ['--chart', '/tmp'], /^model-engine-doctor: error: --chart \/tmp: not a helm chart folder \(no Chart\.yaml\)$/],
  ])('%s: exit 2, one line', async (_name, extra, message) => {
    const r = await run(['preflight', '--offline', '-f', GOOD, ...extra, '-o', 'json'], { PATH: '/nonexistent', HELM: undefined });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--chart with no helm anywhere: names how to get one', async () => {
    const chart = join(dir, 'chart');
    await mkdir(chart, { recursive: true });
    await writeFile(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: model-engine\nversion: 0.2.7\n');
    const r = await run(['preflight', '--offline', '-f', GOOD, '--chart', chart], { PATH: '/nonexistent', HELM: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('model-engine-doctor: error: --chart needs helm to render the chart: helm is not on PATH (install helm v3.8+ or v4, or set HELM=/path/to/helm)');
  });
});

describeWithHelm('--llm-engine-repo renders its charts/model-engine', ({ helm, chart }) => {
  it('the clone\'s chart is rendered with the same values, release and namespace', async () => {
    const repo = join(dir, 'llm-engine');
    await mkdir(join(repo, 'charts'), { recursive: true });
    await symlink(chart, join(repo, 'charts', 'model-engine'));
    const r = await run(['preflight', '--offline', '-n', 'model-engine', '--llm-engine-repo', repo, '-f', join(REPO, 'fixtures/values/chart-good.yaml'), '--only', 'chart', '-o', 'json'], { HELM: helm });
    const report = JSON.parse(r.stdout) as Report;
    const renders = report.results.find((x) => x.id === 'chart/renders')!;
    expect(renders).toMatchObject({ status: 'pass', messageId: 'rendered' });
    expect(renders.message).toContain('for release model-engine in namespace model-engine');
    expect(report.results.filter((x) => x.status === 'fail').map((x) => x.id)).toEqual([]);
  });
});

describe('-f - reads standard input', () => {
  it('as helm does: the values come from stdin, labelled <stdin> with their lines', async () => {
    const saved = Object.getOwnPropertyDescriptor(process, 'stdin')!;
    // In-process run: standard input is a stream holding one values document (what `cat values.yaml |` gives).
    Object.defineProperty(process, 'stdin', { value: Readable.from([Buffer.from('context: staging\ntag: 0d1f2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5\n')]), configurable: true });
    try {
      const r = await run(['preflight', '--offline', '-f', GOOD, '-f', '-', '--only', 'values/image-tag', '-o', 'json']);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.target.valuesFiles).toEqual([GOOD, '<stdin>']);
      const ev = report.results.flatMap((x) => x.evidence).find((e) => e.type === 'values' && e.path === 'tag');
      expect(ev).toMatchObject({ value: '0d1f2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5', source: { file: '<stdin>', line: 2, column: 1 } });
    } finally {
      Object.defineProperty(process, 'stdin', saved);
    }
  });
});
