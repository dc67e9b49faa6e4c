/**
 * Benchmark on the real API server (not a timed test): a kwok cluster of MED_BENCH_NODES nodes (default 5,000),
 * model-engine installed with helm, MED_BENCH_ENDPOINTS endpoints (default 3,000) built from the installed templates,
 * and about MED_BENCH_PODS pods (default 100,000) created by the real controllers and scheduler. Then, in the same run,
 * `model-engine-doctor triage` and `kubectl get nodes,pods,events -A -o json` against it: wall time, API requests
 * (from the API server's audit log), bytes read (through a counting loopback proxy) and peak RSS.
 *
 *   npm run build && node --import tsx bench/real-cluster.ts        (or: npm run bench:cluster)
 *   MED_BENCH_NODES=500 MED_BENCH_ENDPOINTS=300 MED_BENCH_PODS=10000 node --import tsx bench/real-cluster.ts
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { parse } from 'yaml';
import { endpointObjects, installInfo } from '../test/e2e/harness/builder.js';
import { BIN, REPO, startControlPlane } from '../test/e2e/harness/control-plane.js';
import { accessOf, auditEvents } from '../test/e2e/harness/audit.js';
import { userKubeconfig } from '../test/e2e/harness/cluster.js';
import { installModelEngine } from '../test/e2e/harness/install.js';
import { nodeObject } from '../test/e2e/harness/nodes.js';
import { countingProxy } from './proc.js';

const NODES = Number(process.env.MED_BENCH_NODES ?? 5000);
const ENDPOINTS = Number(process.env.MED_BENCH_ENDPOINTS ?? 3000);
const PODS = Number(process.env.MED_BENCH_PODS ?? 100_000);
const GPU_ENDPOINT_FRACTION = 0.1;
const BROKEN_FRACTION = 0.03;

const log = (s: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const t = () => performance.now();
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const cp = await startControlPlane({ timeoutMs: 300_000 });
const stateFile = join(tmpdir(), `med-bench-state-${process.pid}.json`);
writeFileSync(stateFile, JSON.stringify(cp.state));
process.env.MED_E2E_STATE = stateFile;
const stop = async () => {
  await cp.stop();
};
process.on('SIGINT', () => void stop().then(() => process.exit(130)));

const admin = parse(readFileSync(cp.state.kubeconfig, 'utf8')) as { users: { user: Record<string, string> }[] };
const agent = new https.Agent({
  keepAlive: true,
  maxSockets: 32,
  ca: readFileSync(cp.state.caCert),
  cert: Buffer.from(admin.users[0]!.user['client-certificate-data']!, 'base64'),
  key: Buffer.from(admin.users[0]!.user['client-key-data']!, 'base64'),
});

/** Lists of metadata only (as `kubectl get --show-kind -o name` asks), with plain JSON as the fallback. */
const METADATA_ONLY = 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json';

/** One request; a connection the server dropped (an idle keep-alive socket closed under it) is tried again. */
async function call(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<{ status: number; text: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await callOnce(method, path, body, accept);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (attempt >= 5 || (code !== 'ECONNRESET' && code !== 'EPIPE' && code !== 'ECONNREFUSED')) throw e;
      await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
    }
  }
}

function callOnce(method: string, path: string, body: unknown, accept: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${cp.state.server}${path}`, { method, agent, headers: { 'Content-Type': 'application/json', Accept: accept } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** POST an object to its collection; retries 429/5xx; 409 (exists) is fine. */
async function create(obj: Record<string, unknown>): Promise<void> {
  const [group, version] = String(obj.apiVersion).includes('/') ? String(obj.apiVersion).split('/') : ['', String(obj.apiVersion)];
  const plural = ({ Deployment: 'deployments', ConfigMap: 'configmaps', Service: 'services', HorizontalPodAutoscaler: 'horizontalpodautoscalers', PodDisruptionBudget: 'poddisruptionbudgets', Node: 'nodes', DaemonSet: 'daemonsets', ScaledObject: 'scaledobjects' } as Record<string, string>)[String(obj.kind)]!;
  const ns = (obj.metadata as { namespace?: string }).namespace;
  const path = `${group ? `/apis/${group}/${version}` : `/api/${version}`}${ns ? `/namespaces/${ns}` : ''}/${plural}`;
  for (let attempt = 0; ; attempt++) {
    const r = await call('POST', path, obj);
    if (r.status < 300 || r.status === 409) return;
    if ((r.status === 429 || r.status >= 500) && attempt < 20) {
      await new Promise((res) => setTimeout(res, 200 * (attempt + 1)));
      continue;
    }
    throw new Error(`POST ${path} → ${r.status}: ${r.text.slice(0, 300)}`);
  }
}

/**
 * How many objects a list would return. Unfiltered: limit=1 and remainingItemCount (one small request). The API
 * server leaves remainingItemCount out when a selector filters, so then pages of metadata only are counted.
 */
async function count(path: string): Promise<number> {
  const sep = path.includes('?') ? '&' : '?';
  if (!/[?&](field|label)Selector=/.test(path)) {
    const r = await call('GET', `${path}${sep}limit=1`);
    const j = JSON.parse(r.text) as { items: unknown[]; metadata: { remainingItemCount?: number } };
    return j.items.length + (j.metadata.remainingItemCount ?? 0);
  }
  let n = 0;
  let cont = '';
  do {
    let r = await call('GET', `${path}${sep}limit=2000${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`, undefined, METADATA_ONLY);
    // A loaded API server answers 504 (its 60 s request timeout) or 429: wait and ask again.
    for (let attempt = 0; (r.status === 429 || r.status >= 500) && attempt < 10; attempt++) {
      await new Promise((res) => setTimeout(res, 5000));
      r = await call('GET', `${path}${sep}limit=2000${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`, undefined, METADATA_ONLY);
    }
    if (r.status !== 200) throw new Error(`GET ${path} → ${r.status}: ${r.text.slice(0, 300)}`);
    const j = JSON.parse(r.text) as { items: unknown[]; metadata: { continue?: string } };
    n += j.items.length;
    cont = j.metadata.continue ?? '';
  } while (cont);
  return n;
}

const timings: Record<string, number> = { 'control plane start': cp.state.totalMs };
let t0 = t();
const install = await installModelEngine({ cloud: 'aws', cpuNodes: 2 });
timings['helm install'] = t() - t0;

// Nodes: half GPU (p4d, 8 A100s, labelled for model-engine), half CPU; created with their status as a kubelet registers.
t0 = t();
const limit = pLimit(32);
await Promise.all(
  Array.from({ length: NODES }, (_, i) =>
    limit(() =>
      create(
        nodeObject(
          i % 2 === 0
            ? { name: `gpu-${i}`, cloud: 'aws', gpus: 8, acceleratorLabel: 'nvidia-ampere-a100', pool: `gpu-${i % 20}` }
            : { name: `cpu-${i}`, cloud: 'aws', pool: `cpu-${i % 20}`, cpu: '64', memory: '256Gi', pods: 250 },
        ),
      ),
    ),
  ),
);
for (;;) {
  const ready = await count('/api/v1/nodes?fieldSelector=spec.unschedulable%3Dfalse');
  if (ready >= NODES) break;
  await new Promise((r) => setTimeout(r, 2000));
}
timings[`${NODES} nodes`] = t() - t0;
log(`${NODES} nodes created in ${secs(timings[`${NODES} nodes`]!)}`);

// Node agents as DaemonSets (the GPU device plugin on GPU nodes, a proxy on every node): pods the doctor also reads.
const daemonSet = (name: string, nodeSelector: Record<string, string>) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name, namespace: 'kube-system' },
  spec: {
    selector: { matchLabels: { name } },
    template: {
      metadata: { labels: { name } },
      spec: {
        nodeSelector,
        tolerations: [{ operator: 'Exists' }],
        containers: [{ name, image: name === 'nvidia-device-plugin-daemonset' ? 'nvcr.io/nvidia/k8s-device-plugin:v0.17.0' : 'registry.k8s.io/kube-proxy:v1.37.2', resources: { requests: { cpu: '10m', memory: '20Mi' } } }],
      },
    },
  },
});
await create(daemonSet('nvidia-device-plugin-daemonset', { 'k8s.amazonaws.com/accelerator': 'nvidia-ampere-a100' }));
await create(daemonSet('kube-proxy', { 'kubernetes.io/os': 'linux' }));
const dsPods = NODES + Math.ceil(NODES / 2);

// Endpoints from the installed templates: 10% on GPUs, 3% asking for a GPU type no node has, the rest on CPUs.
t0 = t();
const { templates, info } = await installInfo(install.namespace);
const perEndpoint = Math.max(1, Math.floor((PODS - dsPods) / ENDPOINTS));
await Promise.all(
  Array.from({ length: ENDPOINTS }, (_, i) =>
    limit(async () => {
      const broken = i % Math.round(1 / BROKEN_FRACTION) === 0;
      const gpu = !broken && i % Math.round(1 / GPU_ENDPOINT_FRACTION) === 1;
      const built = endpointObjects(
        {
          name: `bench-${i}`,
          ...(broken ? { gpuType: 'nvidia-hopper-h100', gpus: 1 } : gpu ? { gpuType: 'nvidia-ampere-a100', gpus: 1 } : {}),
          cpus: '100m',
          memory: '128Mi',
          minWorkers: broken ? 1 : perEndpoint,
          maxWorkers: broken ? 1 : perEndpoint,
        },
        templates,
        info,
      );
      for (const o of built.objects) await create(o);
    }),
  ),
);
timings[`${ENDPOINTS} endpoints (objects)`] = t() - t0;
log(`${ENDPOINTS} endpoints created in ${secs(timings[`${ENDPOINTS} endpoints (objects)`]!)}; waiting for the controllers and the scheduler`);

// Wait for the pods: created by the ReplicaSet controller, bound by the scheduler, Running through kwok.
t0 = t();
let last = -1;
let still = 0;
for (;;) {
  const running = await count('/api/v1/pods?fieldSelector=status.phase%3DRunning');
  const total = await count('/api/v1/pods');
  log(`pods: ${total} created, ${running} running (target ≈ ${PODS})`);
  // The endpoints ask for about PODS pods (a whole number per endpoint): done when nearly all that exist run.
  if (running >= Math.min(PODS, total) * 0.97 && total >= PODS * 0.9) break;
  still = running === last ? still + 1 : 0;
  if (still >= 30) {
    log(`pods stopped increasing at ${running}: this machine's control plane holds no more — measuring at this size`);
    break;
  }
  last = running;
  await new Promise((r) => setTimeout(r, 10_000));
}
timings['pods running'] = t() - t0;

const sizes = {
  nodes: await count('/api/v1/nodes'),
  pods: await count('/api/v1/pods'),
  events: await count('/api/v1/events'),
  deployments: await count('/apis/apps/v1/deployments'),
};
log(`cluster: ${JSON.stringify(sizes)}`);

interface Measure {
  wallMs: number;
  peakRssMb: number;
  requests: number;
  bytesMb: number;
  exit: number | null;
}

/** Run a command as certificate user `user` through the counting proxy; peak RSS from /proc (VmHWM). */
async function measure(user: string, cmd: string, args: (kubeconfig: string) => string[]): Promise<Measure> {
  const proxy = await countingProxy(new URL(cp.state.server));
  const kc = userKubeconfig(user, ['system:masters']);
  const proxied = join(tmpdir(), `med-bench-${user}.kubeconfig`);
  writeFileSync(proxied, readFileSync(kc, 'utf8').replace(cp.state.server, proxy.url));
  const since = new Date().toISOString();
  const start = t();
  const child = spawn(cmd, args(proxied), { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, KUBECONFIG: proxied, CI: 'true' } });
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      // exited
    }
  }, 20);
  const exit = await new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  clearInterval(timer);
  const wallMs = t() - start;
  proxy.close();
  await new Promise((r) => setTimeout(r, 1500)); // the audit log is written as responses complete
  const requests = auditEvents(user, since).length;
  return { wallMs, peakRssMb: peak, requests, bytesMb: proxy.bytes() / 1024 / 1024, exit };
}

const doctorRun = await measure('bench-doctor', process.execPath, (k) => [join(REPO, 'dist/src/cli.js'), 'triage', '-o', 'json', '--kubeconfig', k]);
const kubectlRun = await measure('bench-kubectl', join(BIN, 'kubectl'), (k) => [`--kubeconfig=${k}`, 'get', 'nodes,pods,events', '-A', '-o', 'json']);
const perUser = auditEvents('bench-doctor').reduce<Record<string, number>>((m, e) => ((m[accessOf(e)] = (m[accessOf(e)] ?? 0) + 1), m), {});

const row = (name: string, m: Measure) => `| ${name} | ${secs(m.wallMs)} | ${m.requests} | ${m.bytesMb.toFixed(1)} MB | ${m.peakRssMb.toFixed(0)} MB | ${m.exit} |`;
process.stdout.write(
  [
    `real API server (kube-apiserver v1.37.2, etcd, controllers, scheduler, kwok) on this machine: ${sizes.nodes} nodes, ${sizes.deployments} Deployments (${ENDPOINTS} endpoints), ${sizes.pods} pods, ${sizes.events} events`,
    '',
    '| command | wall | API requests | bytes read | peak RSS | exit |',
    '|---|---|---|---|---|---|',
    row('model-engine-doctor triage -o json', doctorRun),
    row('kubectl get nodes,pods,events -A -o json', kubectlRun),
    '',
    `wall time ratio doctor/kubectl: ${(doctorRun.wallMs / kubectlRun.wallMs).toFixed(2)}`,
    `setup: ${Object.entries(timings).map(([k, v]) => `${k} ${secs(v)}`).join(', ')}`,
    `doctor requests by kind: ${Object.entries(perUser).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ×${v}`).join(', ')}`,
    '',
  ].join('\n'),
);
await stop();
process.exit(0);
