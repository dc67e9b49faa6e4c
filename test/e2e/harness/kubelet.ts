/**
 * A simulated kubelet, for the states kwok does not produce by itself (image pulls, crashes, probes): pods annotated
 * `kwok.x-k8s.io/status: custom` are left alone by kwok, and these helpers write what a kubelet (containerd runtime)
 * writes — the pod status through the `status` subresource and the Events it records, with the kubelet's own message
 * formats. Tests that use this say "simulated kubelet" in their names.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apply, cluster, kubectl, kubectlJson, waitFor } from './cluster.js';

export const CUSTOM_STATUS = { 'kwok.x-k8s.io/status': 'custom' };

interface Pod {
  metadata: { name: string; namespace: string; uid: string; creationTimestamp: string };
  spec: { nodeName?: string; containers: { name: string; image: string }[] };
}

/** The endpoint's pods once the scheduler has bound them to a node. */
export async function boundPods(namespace: string, app: string, n = 1): Promise<Pod[]> {
  return waitFor(`${n} bound pod(s) of ${app}`, async () => {
    const pods = (await kubectlJson<{ items: Pod[] }>(['get', 'pods', '-n', namespace, '-l', `app=${app}`])).items.filter((p) => p.spec.nodeName);
    return pods.length >= n ? pods : undefined;
  });
}

async function writeStatus(pod: Pod, status: Record<string, unknown>): Promise<void> {
  await kubectl(['patch', 'pod', '-n', pod.metadata.namespace, pod.metadata.name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

async function record(pod: Pod, reason: string, message: string, opts: { type?: 'Normal' | 'Warning'; count?: number; fieldPath?: string; lastSeenMsAgo?: number } = {}): Promise<void> {
  const now = new Date(Date.now() - (opts.lastSeenMsAgo ?? 0)).toISOString().replace(/\.\d+Z$/, 'Z');
  const first = new Date(Date.now() - 10 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  await apply({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${pod.metadata.name}.${reason.toLowerCase()}${Math.random().toString(16).slice(2, 8)}`, namespace: pod.metadata.namespace },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid, ...(opts.fieldPath ? { fieldPath: opts.fieldPath } : {}) },
    reason,
    message,
    type: opts.type ?? 'Warning',
    count: opts.count ?? 1,
    firstTimestamp: first,
    lastTimestamp: now,
    source: { component: 'kubelet', host: pod.spec.nodeName },
    reportingComponent: 'kubelet',
    reportingInstance: pod.spec.nodeName,
  });
}

const started = (name: string, image: string, ready: boolean) => ({
  name,
  image,
  imageID: '',
  ready,
  started: true,
  restartCount: 0,
  state: { running: { startedAt: new Date(Date.now() - 20 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z') } },
});

/** A container the kubelet has not started (its sandbox, or a container before it, holds it). */
const creating = (c: { name: string; image: string }) => ({ name: c.name, image: c.image, imageID: '', ready: false, started: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } });

const baseStatus = (pod: Pod, phase: string, ready: boolean) => ({
  phase,
  hostIP: '127.0.0.1',
  podIP: '10.244.9.9',
  startTime: pod.metadata.creationTimestamp,
  conditions: [
    { type: 'PodScheduled', status: 'True' },
    { type: 'Initialized', status: 'True' },
    { type: 'ContainersReady', status: ready ? 'True' : 'False', ...(ready ? {} : { reason: 'ContainersNotReady' }) },
    { type: 'Ready', status: ready ? 'True' : 'False', ...(ready ? {} : { reason: 'ContainersNotReady' }) },
  ],
});

/** The image of `container` cannot be pulled: ErrImagePull → ImagePullBackOff, with containerd's not-found message. */
export async function imagePullBackOff(pod: Pod, container = 'main'): Promise<void> {
  const image = pod.spec.containers.find((c) => c.name === container)!.image;
  await writeStatus(pod, {
    ...baseStatus(pod, 'Pending', false),
    containerStatuses: pod.spec.containers.map((c) =>
      c.name === container
        ? { name: c.name, image: c.image, imageID: '', ready: false, started: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } } }
        : started(c.name, c.image, false),
    ),
  });
  const fieldPath = `spec.containers{${container}}`;
  await record(pod, 'Pulling', `Pulling image "${image}"`, { type: 'Normal', count: 9, fieldPath });
  await record(
    pod,
    'Failed',
    `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`,
    { count: 9, fieldPath },
  );
  await record(pod, 'Failed', 'Error: ErrImagePull', { count: 9, fieldPath });
  await record(pod, 'BackOff', `Back-off pulling image "${image}"`, { type: 'Normal', count: 40, fieldPath });
  await record(pod, 'Failed', 'Error: ImagePullBackOff', { count: 40, fieldPath });
}

/**
 * The container's log, served the way a kubelet serves it: kwok (the nodes' kubelet endpoint) answers the API
 * server's `pods/log` proxy from a kwok `Logs` object naming a file; `previous` is the last terminated run's log.
 */
export async function containerLogs(pod: Pod, container: string, current: string[], previous?: string[]): Promise<void> {
  const dir = join(cluster().dir, 'container-logs', pod.metadata.namespace, pod.metadata.name);
  mkdirSync(dir, { recursive: true });
  // The container runtime's (CRI) log format, which the kubelet — here kwok — parses: `<RFC3339Nano> stdout F <line>`.
  const file = (name: string, lines: string[]) => {
    const path = join(dir, name);
    const t0 = Date.now() - lines.length * 1000;
    writeFileSync(path, lines.map((l, i) => `${new Date(t0 + i * 1000).toISOString()} stdout F ${l}\n`).join(''));
    return path;
  };
  await apply({
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Logs',
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace },
    spec: {
      logs: [
        {
          containers: [container],
          logsFile: file(`${container}.log`, current),
          ...(previous ? { previousLogsFile: file(`${container}.previous.log`, previous) } : {}),
          follow: false,
        },
      ],
    },
  });
}

/** `container` exits 1 over and over: CrashLoopBackOff with the last termination, and the kubelet's BackOff event. */
export async function crashLoop(pod: Pod, container = 'main', restarts = 7, log?: string[]): Promise<void> {
  const now = Date.now();
  if (log) await containerLogs(pod, container, log, log);
  await writeStatus(pod, {
    ...baseStatus(pod, 'Running', false),
    containerStatuses: pod.spec.containers.map((c) =>
      c.name === container
        ? {
            name: c.name,
            image: c.image,
            imageID: `${c.image.split(':')[0]}@sha256:${'ab'.repeat(32)}`,
            ready: false,
            started: false,
            restartCount: restarts,
            state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 5m0s restarting failed container=${container} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` } },
            lastState: {
              terminated: {
                exitCode: 1,
                reason: 'Error',
                startedAt: new Date(now - 90_000).toISOString().replace(/\.\d+Z$/, 'Z'),
                finishedAt: new Date(now - 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
                containerID: `containerd://${'cd'.repeat(32)}`,
              },
            },
          }
        : started(c.name, c.image, true),
    ),
  });
  await record(pod, 'BackOff', `Back-off restarting failed container ${container} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`, {
    count: restarts * 3,
    fieldPath: `spec.containers{${container}}`,
  });
}

/** Running, but `container`'s readiness probe keeps failing (HTTP 503). */
export async function readinessFailing(pod: Pod, container = 'main'): Promise<void> {
  await writeStatus(pod, {
    ...baseStatus(pod, 'Running', false),
    containerStatuses: pod.spec.containers.map((c) => started(c.name, c.image, c.name !== container)),
  });
  await record(pod, 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', { count: 120, fieldPath: `spec.containers{${container}}` });
}

/**
 * The node cannot create the pod's sandbox: every container waits in `ContainerCreating` and the kubelet records
 * `FailedCreatePodSandBox` with the container runtime's message (the CNI plugin's error, for a network failure) each
 * time it retries.
 */
export async function sandboxFailed(pod: Pod, message: string, retries = 30): Promise<void> {
  // No sandbox, so no pod IP.
  const { podIP: _none, conditions, ...base } = baseStatus(pod, 'Pending', false);
  await writeStatus(pod, { ...base, conditions: [{ type: 'PodReadyToStartContainers', status: 'False' }, ...conditions], containerStatuses: pod.spec.containers.map(creating) });
  await record(pod, 'FailedCreatePodSandBox', message, { count: retries });
}

/**
 * The `istio-proxy` sidecar runs and never becomes ready (it gets no configuration from istiod): its readiness probe
 * fails, its postStart hook (holdApplicationUntilProxyStarts) times out so the kubelet restarts it, and the app
 * containers wait in `ContainerCreating`; its log says why, served as the kubelet serves logs.
 */
export async function sidecarNeverReady(pod: Pod, proxyLog: string[], restarts = 3): Promise<void> {
  const proxy = 'istio-proxy';
  await containerLogs(pod, proxy, proxyLog);
  await writeStatus(pod, {
    ...baseStatus(pod, 'Pending', false),
    containerStatuses: pod.spec.containers.map((c) =>
      c.name === proxy
        ? { ...started(c.name, c.image, false), restartCount: restarts }
        : creating(c),
    ),
  });
  const fieldPath = `spec.containers{${proxy}}`;
  await record(pod, 'Unhealthy', `Readiness probe failed: Get "http://10.244.9.9:15021/healthz/ready": dial tcp 10.244.9.9:15021: connect: connection refused`, { count: 180, fieldPath });
  // The probe fails every period; the postStart hook times out once per restart, the last a few minutes ago.
  await record(pod, 'FailedPostStartHook', `PostStartHook failed`, { count: restarts, fieldPath, lastSeenMsAgo: 180_000 });
  await record(pod, 'Killing', `FailedPostStartHook`, { type: 'Normal', count: restarts, fieldPath, lastSeenMsAgo: 180_000 });
}
