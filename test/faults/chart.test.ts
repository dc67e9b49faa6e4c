/**
 * The rendered chart under faults. `--chart` renders for the release namespace: when RBAC hides it, the chart is not
 * rendered for a guess (the chart checks skip naming the permission, the values checks judge the values alone);
 * `--deadline` stops `helm template` (the real helm, on a copy of the real chart with one template made slow) and
 * the reading of `-f -`, as it stops the cluster's reads.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { checks as chartChecks } from '../../checks/chart/index.js';
import type { Report } from '../../src/engine/types.js';
import { fixture } from '../support/check-tester.js';
import { runCli } from '../support/cli.js';
import { describeWithHelm } from '../support/helm.js';
import { rehearsing } from './harness.js';

const VALUES = fixture('fixtures/values/chart-good.yaml');
// Any namespaced denial refuses the cluster-wide lists that find the control plane (as the real API server does).
const HIDDEN = ['list:deployments', 'list:configmaps', 'list:pods:model-engine', 'list:secrets:model-engine', 'list:pods:kube-system'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'med-faults-chart-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Processes whose command line mentions `needle` (helm still running on our chart copy). */
async function processesWith(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(needle)) pids.push(Number(entry));
  }
  return pids;
}

describeWithHelm('--chart when RBAC hides the release namespace', ({ helm, chart }) => {
  /** `preflight … --kubeconfig K -o json` with this helm. */
  const preflight = async (args: string[], kubeconfig: string) => {
    const out = await runCli(['preflight', ...args, '--kubeconfig', kubeconfig, '-o', 'json'], { HELM: helm, CI: 'true' });
    return { ...out, report: JSON.parse(out.stdout) as Report };
  };

  it('the chart is not rendered for a guess: the chart checks skip naming the permission, the values checks judge the values', async () => {
    await rehearsing(dir, { deny: HIDDEN }, async (r) => {
      const { report } = await preflight(['--chart', chart, '-f', VALUES], r.kubeconfig);
      expect(report.target.namespaces.controlPlane).toBe('<control-plane-namespace>');
      expect(report.target.namespaces.assumed ?? []).not.toContain('controlPlane');
      const charts = report.results.filter((x) => x.id.startsWith('chart/'));
      // Every chart check, each once.
      expect(charts.map((x) => x.id).sort()).toEqual(chartChecks.map((c) => c.meta.id).sort());
      for (const x of charts) {
        expect(x).toMatchObject({ status: 'skip', messageId: 'forbidden' });
        expect(x.message).toMatch(/cannot list deployments\.apps at cluster scope \(needed to find the control-plane namespace; pass -n NAMESPACE\)/);
      }
      // No helm command was run for a guessed namespace.
      expect(JSON.stringify(report.results)).not.toMatch(/helm template model-engine/);
      // The values checks that step aside for a render judged the values themselves.
      const serviceConfig = report.results.filter((x) => x.id === 'values/service-config');
      expect(serviceConfig.length).toBeGreaterThan(0);
      expect(serviceConfig.map((x) => x.messageId)).not.toContain('judgedRendered');
      expect(serviceConfig.map((x) => x.messageId)).not.toContain('forbidden');
      for (const id of ['values/required-fields', 'values/hook-jobs', 'values/duplicate-objects']) {
        expect(report.results.filter((x) => x.id === id).map((x) => x.messageId)).not.toContain('judgedByRender');
      }
    });
  });

  it('-n says where it will be: the chart renders there', async () => {
    await rehearsing(dir, { deny: HIDDEN }, async (r) => {
      const { report } = await preflight(['-n', 'model-engine', '--chart', chart, '-f', VALUES, '--only', 'chart/renders'], r.kubeconfig);
      const renders = report.results.find((x) => x.id === 'chart/renders')!;
      expect(renders).toMatchObject({ status: 'pass', messageId: 'rendered' });
      expect(renders.message).toMatch(/for release model-engine in namespace model-engine$/);
    });
  });
});

describeWithHelm('--deadline stops helm template', ({ helm, chart }) => {
  it('a chart whose template keeps helm busy for many seconds: stopped at the deadline, helm killed, exit 3', async () => {
    // A real-chart copy plus one template that loops ~100 million times: the real helm takes well over 10 s on it.
    const slow = join(dir, 'slow-chart');
    await cp(chart, slow, { recursive: true, dereference: true });
    await writeFile(join(slow, 'templates', 'zz_slow.yaml'), '{{- range $i := until 30000 }}{{- range $j := until 3500 }}{{- end }}{{- end }}\n');
    const t0 = performance.now();
    const out = await runCli(['preflight', '--offline', '-n', 'model-engine', '--chart', slow, '-f', VALUES, '--only', 'chart/renders', '--deadline', '2s', '-o', 'json'], { HELM: helm, CI: 'true' });
    const ms = performance.now() - t0;
    expect(out.code).toBe(3);
    const renders = (JSON.parse(out.stdout) as Report).results.find((x) => x.id === 'chart/renders')!;
    expect(renders).toMatchObject({ status: 'error', messageId: 'deadline' });
    expect(renders.message).toMatch(/^stopped: the run's --deadline of 2s was reached/);
    expect(ms).toBeLessThan(2000 + 3000);
    // helm does not outlive the run (SIGKILLed at the deadline; a reaped or zombie process has no command line).
    let left = await processesWith(slow);
    for (let i = 0; i < 20 && left.length > 0; i++) {
      await new Promise((res) => setTimeout(res, 50));
      left = await processesWith(slow);
    }
    expect(left).toEqual([]);
  });
}); // needs the chart: the slow chart is a copy of it

it('--deadline while -f - waits on stdin that never ends: exit 2 with one line, on time', async () => {
  const saved = Object.getOwnPropertyDescriptor(process, 'stdin')!;
  const stdin = new PassThrough();
  stdin.write('context: staging\n'); // and never ended
  Object.defineProperty(process, 'stdin', { value: stdin, configurable: true });
  try {
    const t0 = performance.now();
    const out = await runCli(['preflight', '--offline', '-f', '-', '--deadline', '1s', '-o', 'json'], { CI: 'true' });
    expect(performance.now() - t0).toBeLessThan(1000 + 2000);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    const [line, hint, ...rest] = out.stderr.trimEnd().split('\n');
    expect(line).toMatch(/^model-engine-doctor: error: the run's --deadline of 1s was reached before the checks could start \(connecting to the cluster, finding model-engine and reading the values\)$/);
    expect(hint).toMatch(/^hint: /);
    expect(rest).toEqual([]);
  } finally {
    stdin.destroy();
    Object.defineProperty(process, 'stdin', saved);
  }
});
