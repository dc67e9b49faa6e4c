/**
 * Starts a whole Kubernetes control plane on loopback and keeps it until told to stop (SIGTERM/SIGINT) or until the
 * process that started it dies (checked every second, so a killed jest never leaves etcd or kube-apiserver behind):
 *
 *   etcd → kube-apiserver (RBAC + Node authorisation, client-certificate auth, service-account signing keys, the
 *   admission plugins of a managed cluster) → kube-controller-manager, kube-scheduler, kwok (simulated nodes and pod
 *   lifecycle).
 *
 * Every component listens on 127.0.0.1 only, on ports chosen at random. Each runs in its own process group and is
 * killed with its children. When everything answers, the state (server URL, CA, admin kubeconfig, pids, timings) is
 * written to `--state` as JSON and `READY <json>` is printed on stdout.
 *
 *   node --import tsx test/e2e/harness/supervisor.ts --dir DIR --bin BINDIR --state FILE [--parent PID]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { clientCert, kubeconfig, makePki } from './pki.js';

export const ADMISSION_PLUGINS = [
  'NamespaceLifecycle',
  'LimitRanger',
  'ServiceAccount',
  'Priority',
  'ResourceQuota',
  'PodSecurity',
  'DefaultTolerationSeconds',
  'MutatingAdmissionWebhook',
  'ValidatingAdmissionWebhook',
];

export const CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'job-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'resourcequota-controller',
  'garbage-collector-controller',
  'statefulset-controller',
  'daemonset-controller',
  'root-ca-certificate-publisher-controller',
  'horizontal-pod-autoscaler-controller',
  'disruption-controller',
  'pod-garbage-collector-controller',
  'ttl-after-finished-controller',
  'endpointslice-controller',
  'clusterrole-aggregation-controller',
  // Removes the node.kubernetes.io/not-ready taint admission puts on new nodes once kwok reports them Ready.
  'node-lifecycle-controller',
];

export interface ControlPlaneState {
  dir: string;
  server: string;
  caCert: string;
  /** Admin (system:masters) kubeconfig. */
  kubeconfig: string;
  pki: string;
  /** The API server's audit log (JSON lines, Metadata level, every request). */
  auditLog: string;
  ports: { etcd: number; apiserver: number; kwok: number };
  pids: Record<string, number>;
  startupMs: Record<string, number>;
  totalMs: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const children = new Map<string, ChildProcess>();
let stopping = false;

function start(name: string, bin: string, args: string[], logDir: string): ChildProcess {
  const log = createWriteStream(join(logDir, `${name}.log`));
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  child.once('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`control plane: ${name} exited (${signal ?? code}); see ${join(logDir, `${name}.log`)}\n`);
      void shutdown(1);
    }
  });
  children.set(name, child);
  return child;
}

async function poll(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (stopping) throw new Error('stopping');
    try {
      if (await fn()) return;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`control plane: ${what} did not become ready within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function get(url: string, tls?: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { ...(tls ?? {}), timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function runToEnd(bin: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${bin} ${args.join(' ')}: ${err.trim()}`))));
  });
}

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    // Reverse start order: clients of the API server first, etcd last.
    const order = [...children.entries()].reverse();
    for (const [, child] of order) {
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    }
    const deadline = Date.now() + 5000;
    for (const [, child] of order) {
      while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    const dir = arg('dir');
    if (dir && process.env.MED_E2E_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  }
  process.exit(code);
}

async function main(): Promise<void> {
  const dir = arg('dir');
  const bin = arg('bin');
  const stateFile = arg('state');
  if (!dir || !bin || !stateFile) throw new Error('usage: supervisor --dir DIR --bin BINDIR --state FILE [--parent PID]');
  const parent = Number(arg('parent') ?? process.ppid);
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      void shutdown(0);
    }
  }, 1000).unref();
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => void shutdown(0));

  const t0 = Date.now();
  const startupMs: Record<string, number> = {};
  const logDir = join(dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const pki = makePki(join(dir, 'pki'));
  startupMs.pki = Date.now() - t0;

  const [etcdClient, etcdPeer, apiPort, kwokPort] = [await freePort(), await freePort(), await freePort(), await freePort()];

  // etcd: one member, no fsync (a throwaway test store), loopback only.
  let t = Date.now();
  start(
    'etcd',
    join(bin, 'etcd'),
    [
      '--name=e2e',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=e2e=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync',
      '--quota-backend-bytes=8589934592',
      '--log-level=warn',
    ],
    logDir,
  );
  await poll('etcd', async () => (await get(`http://127.0.0.1:${etcdClient}/health`)).body.includes('"health":"true"'), 30_000);
  startupMs.etcd = Date.now() - t;

  // kube-apiserver: what a managed cluster runs, minus cloud integrations.
  t = Date.now();
  const kubeletClient = clientCert(pki, 'kube-apiserver-kubelet-client', ['system:masters']);
  const auditPolicy = join(dir, 'audit-policy.yaml');
  writeFileSync(auditPolicy, ['apiVersion: audit.k8s.io/v1', 'kind: Policy', 'omitStages: [RequestReceived]', 'rules:', '  - level: Metadata', ''].join('\n'));
  const server = `https://127.0.0.1:${apiPort}`;
  start(
    'kube-apiserver',
    join(bin, 'kube-apiserver'),
    [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${pki.serverCert}`,
      `--tls-private-key-file=${pki.serverKey}`,
      `--client-ca-file=${pki.caCert}`,
      '--authorization-mode=Node,RBAC',
      `--enable-admission-plugins=${ADMISSION_PLUGINS.join(',')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.saPub}`,
      `--service-account-signing-key-file=${pki.saKey}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      '--allow-privileged=true',
      '--profiling=false',
      '--endpoint-reconciler-type=none',
      `--cert-dir=${join(dir, 'apiserver-certs')}`,
      '--kubelet-preferred-address-types=InternalIP,Hostname',
      // Every request at Metadata level (user, verb, resource, namespace, name, status): what the doctor reads,
      // for the RBAC tier and the benchmark's request counts.
      `--audit-policy-file=${auditPolicy}`,
      `--audit-log-path=${join(dir, 'audit.log')}`,
      '--audit-log-format=json',
      '--audit-log-mode=blocking',
      `--kubelet-client-certificate=${kubeletClient.cert}`,
      `--kubelet-client-key=${kubeletClient.key}`,
      '--v=1',
    ],
    logDir,
  );
  const admin = clientCert(pki, 'e2e-admin', ['system:masters']);
  const tls = { ca: readFileSync(pki.caCert), cert: readFileSync(admin.cert), key: readFileSync(admin.key) };
  await poll('kube-apiserver', async () => (await get(`${server}/readyz`, tls)).status === 200, 60_000);
  startupMs['kube-apiserver'] = Date.now() - t;

  const adminKubeconfig = join(dir, 'admin.kubeconfig');
  writeFileSync(adminKubeconfig, kubeconfig({ server, caCert: pki.caCert, user: 'e2e-admin', client: admin }));
  // The components use the identities bootstrap RBAC grants them, as a real cluster does.
  const componentConfig = (cn: string) => {
    const path = join(dir, `${cn.replace(/[:]/g, '-')}.kubeconfig`);
    writeFileSync(path, kubeconfig({ server, caCert: pki.caCert, user: cn, client: clientCert(pki, cn) }));
    return path;
  };

  t = Date.now();
  start(
    'kube-controller-manager',
    join(bin, 'kube-controller-manager'),
    [
      `--kubeconfig=${componentConfig('system:kube-controller-manager')}`,
      `--authentication-kubeconfig=${componentConfig('system:kube-controller-manager')}`,
      `--authorization-kubeconfig=${componentConfig('system:kube-controller-manager')}`,
      `--controllers=${CONTROLLERS.join(',')}`,
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki.saKey}`,
      `--root-ca-file=${pki.caCert}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      '--secure-port=0',
      '--concurrent-deployment-syncs=10',
      '--concurrent-replicaset-syncs=10',
      '--kube-api-qps=200',
      '--kube-api-burst=400',
      '--v=1',
    ],
    logDir,
  );
  start(
    'kube-scheduler',
    join(bin, 'kube-scheduler'),
    [
      `--kubeconfig=${componentConfig('system:kube-scheduler')}`,
      `--authentication-kubeconfig=${componentConfig('system:kube-scheduler')}`,
      `--authorization-kubeconfig=${componentConfig('system:kube-scheduler')}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      '--secure-port=0',
      '--kube-api-qps=200',
      '--kube-api-burst=400',
      '--v=1',
    ],
    logDir,
  );
  // kwok: manages only the nodes annotated kwok.x-k8s.io/node=fake, with the module's default stages (node
  // initialise + lease heartbeat, pod ready/complete/delete). Pods and nodes annotated kwok.x-k8s.io/status=custom
  // keep the status a test writes (a simulated kubelet: image pull errors, crash loops, readiness).
  const stagesDir = join(bin, 'kwok-stages');
  const kwokConfig = join(dir, 'kwok.yaml');
  writeFileSync(
    kwokConfig,
    [
      [
        'apiVersion: config.kwok.x-k8s.io/v1alpha1',
        'kind: KwokConfiguration',
        'options:',
        '  manageAllNodes: false',
        '  manageNodesWithAnnotationSelector: kwok.x-k8s.io/node=fake',
        '  disregardStatusWithAnnotationSelector: kwok.x-k8s.io/status=custom',
        '  cidr: 10.244.0.1/16',
        '  nodeIP: 127.0.0.1',
        // kwok is the nodes' kubelet endpoint too (daemonEndpoints port, HTTPS): the API server proxies pods/log
        // there, and kwok answers from the Logs objects a test creates (a simulated kubelet's container logs).
        `  serverAddress: 127.0.0.1:${kwokPort}`,
        `  nodePort: ${kwokPort}`,
        `  tlsCertFile: ${pki.serverCert}`,
        `  tlsPrivateKeyFile: ${pki.serverKey}`,
        '  enableCRDs: [Logs, ClusterLogs]',
        '  nodeLeaseDurationSeconds: 40',
        // The defaults the API types document (+default), which a config file does not get by itself.
        '  nodeLeaseParallelism: 4',
        '  podPlayStageParallelism: 4',
        '  nodePlayStageParallelism: 4',
        '  podsOnNodeSyncParallelism: 1',
        '  enablePodsOnNodeSyncListPager: true',
        '  enableDebuggingHandlers: true',
      ].join('\n'),
      ...readdirSync(stagesDir)
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((f) => readFileSync(join(stagesDir, f), 'utf8').trim()),
    ].join('\n---\n'),
  );
  await runToEnd(join(bin, 'kubectl'), [`--kubeconfig=${adminKubeconfig}`, 'apply', '--server-side', '-f', join(bin, 'kwok-crds')]);
  start('kwok', join(bin, 'kwok'), [`--kubeconfig=${adminKubeconfig}`, `--config=${kwokConfig}`, '--v=WARN'], logDir);
  // The components are up when the scheduler and the controllers have acted: wait for the default ServiceAccount of
  // `default` (serviceaccount controller) and the kube-root-ca.crt ConfigMap (root-ca publisher).
  await poll(
    'kube-controller-manager',
    async () =>
      (await get(`${server}/api/v1/namespaces/default/serviceaccounts/default`, tls)).status === 200 &&
      (await get(`${server}/api/v1/namespaces/default/configmaps/kube-root-ca.crt`, tls)).status === 200,
    60_000,
  );
  startupMs.components = Date.now() - t;

  const state: ControlPlaneState = {
    dir,
    server,
    caCert: pki.caCert,
    kubeconfig: adminKubeconfig,
    pki: pki.dir,
    auditLog: join(dir, 'audit.log'),
    ports: { etcd: etcdClient, apiserver: apiPort, kwok: kwokPort },
    pids: Object.fromEntries([...children].map(([n, c]) => [n, c.pid ?? 0])),
    startupMs,
    totalMs: Date.now() - t0,
  };
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  process.stdout.write(`READY ${JSON.stringify(state)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`control plane: ${err instanceof Error ? err.message : String(err)}\n`);
  void shutdown(1);
});
