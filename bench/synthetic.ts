/**
 * A synthetic model-engine cluster of any size, for benchmarks: N endpoints with their Deployments, ReplicaSets,
 * pods and events, plus the control plane, on GPU and CPU nodes. Realistic shapes, generated names.
 */
import type { KubeObject } from '../src/engine/index.js';

export interface SyntheticOptions {
  endpoints: number;
  nodes: number;
  /** Fraction of endpoints whose pod is failing to pull its image. */
  brokenFraction: number;
  now: Date;
  /** Pods per endpoint (its Deployment's replicas); default 1. */
  replicas?: number;
  /** Node agents as DaemonSet pods in kube-system: kube-proxy on every node, the GPU device plugin on GPU nodes. */
  nodeAgents?: boolean;
  /** Events in all, at least one per broken pod; the rest are a healthy pod's Scheduled/Pulled/Created/Started. */
  events?: number;
}

const iso = (d: Date, minusSec: number) => new Date(d.getTime() - minusSec * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
const xid = (i: number) => `c${i.toString(32).padStart(19, '0')}`.slice(0, 20);

export function syntheticCluster(o: SyntheticOptions): KubeObject[] {
  const out: KubeObject[] = [];
  const ns = 'llm-engine';
  const cp = 'model-engine';
  for (const name of [cp, ns]) out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: `ns-${name}` }, status: { phase: 'Active' } });
  for (let n = 0; n < o.nodes; n++) {
    const gpu = n % 2 === 0;
    out.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: `ip-10-0-${Math.floor(n / 250)}-${n % 250}.ec2.internal`,
        labels: {
          'kubernetes.io/arch': 'amd64',
          'node-lifecycle': 'normal',
          ...(gpu ? { 'k8s.amazonaws.com/accelerator': 'nvidia-ampere-a10', 'node.kubernetes.io/instance-type': 'g5.2xlarge' } : { 'node.kubernetes.io/instance-type': 'm5.4xlarge' }),
        },
        creationTimestamp: iso(o.now, 86400 * 30),
      },
      spec: { providerID: `aws:///us-east-1a/i-0${n.toString(16).padStart(16, '0')}`, ...(gpu ? { taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }] } : {}) },
      status: {
        capacity: { cpu: '16', memory: '64Gi', ...(gpu ? { 'nvidia.com/gpu': '1' } : {}) },
        allocatable: { cpu: '15890m', memory: '62Gi', ...(gpu ? { 'nvidia.com/gpu': '1' } : {}) },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
      },
    });
  }
  for (const name of ['model-engine', 'model-engine-endpoint-builder', 'model-engine-cacher']) {
    out.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: cp, labels: { app: name, 'app.kubernetes.io/managed-by': 'Helm' } },
      spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `111122223333.dkr.ecr.us-east-1.amazonaws.com/model-engine:abc` }] } } },
      status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, conditions: [{ type: 'Available', status: 'True' }] },
    });
  }
  // The service config a real install carries: it names the endpoint namespace, so triage finds the endpoints there
  // (without it the doctor assumes the control-plane namespace and the endpoints are never examined).
  out.push({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'model-engine-service-config', namespace: cp, labels: { 'app.kubernetes.io/managed-by': 'Helm' } },
    data: {
      launch_service_config: `gateway_namespace: "${cp}"\nendpoint_namespace: "${ns}"\nvllm_repository: "vllm"\n`,
      infra_service_config: 'cloud_provider: "aws"\nenv: "prod"\nk8s_cluster_name: "synthetic"\ndns_host_domain: "synthetic.example.com"\ndefault_region: "us-east-1"\nml_account_id: "111122223333"\ndocker_repo_prefix: "111122223333.dkr.ecr.us-east-1.amazonaws.com"\n',
    },
  });
  for (let i = 0; i < o.endpoints; i++) {
    const id = `end_${xid(i)}`;
    const k8sName = `launch-endpoint-id-${id.replace(/_/g, '-')}`;
    const broken = i < Math.floor(o.endpoints * o.brokenFraction);
    const labels = { endpoint_id: id, endpoint_name: `ep-${i}`, 'managed-by': 'model-engine', app: k8sName, version: 'v1' };
    const image = `111122223333.dkr.ecr.us-east-1.amazonaws.com/vllm:${broken ? '0.6.3-missing' : '0.6.3'}`;
    const podSpec = {
      containers: [
        { name: 'http-forwarder', image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/model-engine:abc' },
        { name: 'main', image, resources: { requests: { 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '1' } } },
      ],
      nodeSelector: { 'node-lifecycle': 'normal', 'k8s.amazonaws.com/accelerator': 'nvidia-ampere-a10' },
      priorityClassName: 'model-engine-default-priority',
      serviceAccountName: 'model-engine',
    };
    out.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: k8sName, namespace: ns, labels, uid: `d-${i}`, creationTimestamp: iso(o.now, 3600) },
      spec: { replicas: 1, selector: { matchLabels: { app: k8sName, version: 'v1' } }, template: { metadata: { labels }, spec: podSpec } },
      status: broken
        ? { replicas: 1, unavailableReplicas: 1, conditions: [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' }] }
        : { replicas: 1, readyReplicas: 1, availableReplicas: 1, conditions: [{ type: 'Available', status: 'True' }] },
    });
    const podName = `${k8sName}-5d8f7c9b4-${xid(i).slice(-5)}`;
    out.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: podName, namespace: ns, labels, uid: `p-${i}`, creationTimestamp: iso(o.now, 3500), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${k8sName}-5d8f7c9b4`, controller: true }] },
      spec: { ...podSpec, nodeName: `ip-10-0-0-${(i * 2) % 250}.ec2.internal` },
      status: {
        phase: broken ? 'Pending' : 'Running',
        containerStatuses: [
          { name: 'http-forwarder', ready: !broken, restartCount: 0, state: { running: { startedAt: iso(o.now, 3400) } } },
          broken
            ? { name: 'main', ready: false, restartCount: 0, image, state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } } }
            : { name: 'main', ready: true, restartCount: 0, image, state: { running: { startedAt: iso(o.now, 3300) } } },
        ],
      },
    });
    if (broken) {
      out.push({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${podName}.17a${i}`, namespace: ns },
        involvedObject: { kind: 'Pod', name: podName, namespace: ns, uid: `p-${i}`, fieldPath: 'spec.containers{main}' },
        reason: 'Failed',
        message: `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`,
        type: 'Warning',
        count: 12,
        firstTimestamp: iso(o.now, 3400),
        lastTimestamp: iso(o.now, 60),
        source: { component: 'kubelet' },
      });
    }
  }
  const podsOf = (i: number) => `launch-endpoint-id-end-${xid(i)}`;
  for (let r = 1; r < (o.replicas ?? 1); r++) {
    for (let i = Math.floor(o.endpoints * o.brokenFraction); i < o.endpoints; i++) {
      const k8sName = podsOf(i);
      const labels = { endpoint_id: `end_${xid(i)}`, endpoint_name: `ep-${i}`, 'managed-by': 'model-engine', app: k8sName, version: 'v1' };
      out.push(healthyPod(o.now, ns, `${k8sName}-5d8f7c9b4-r${r}`, labels, `p-${i}-${r}`, `ip-10-0-${Math.floor(((i + r) % o.nodes) / 250)}-${((i + r) % o.nodes) % 250}.ec2.internal`));
    }
  }
  if (o.nodeAgents) {
    for (let n = 0; n < o.nodes; n++) {
      const node = `ip-10-0-${Math.floor(n / 250)}-${n % 250}.ec2.internal`;
      out.push(agentPod(o.now, `kube-proxy-${n.toString(36)}`, 'kube-proxy', 'registry.k8s.io/kube-proxy:v1.29.3', node));
      if (n % 2 === 0) out.push(agentPod(o.now, `nvidia-device-plugin-daemonset-${n.toString(36)}`, 'nvidia-device-plugin-daemonset', 'nvcr.io/nvidia/k8s-device-plugin:v0.17.0', node));
    }
  }
  const failed = out.filter((x) => x.kind === 'Event').length;
  const reasons = ['Scheduled', 'Pulled', 'Created', 'Started'];
  for (let e = 0; e < (o.events ?? 0) - failed; e++) {
    const i = Math.floor(o.endpoints * o.brokenFraction) + (Math.floor(e / reasons.length) % Math.max(1, o.endpoints - Math.floor(o.endpoints * o.brokenFraction)));
    const r = Math.floor(e / reasons.length / Math.max(1, o.endpoints));
    const podName = r === 0 ? `${podsOf(i)}-5d8f7c9b4-${xid(i).slice(-5)}` : `${podsOf(i)}-5d8f7c9b4-r${r}`;
    const reason = reasons[e % reasons.length]!;
    out.push({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${podName}.n${e.toString(36)}`, namespace: ns },
      involvedObject: { kind: 'Pod', name: podName, namespace: ns },
      reason,
      message: reason === 'Scheduled' ? `Successfully assigned ${ns}/${podName}` : `${reason} container main`,
      type: 'Normal',
      count: 1,
      firstTimestamp: iso(o.now, 3500),
      lastTimestamp: iso(o.now, 3500),
      source: { component: reason === 'Scheduled' ? 'default-scheduler' : 'kubelet' },
    });
  }
  return out;
}

function healthyPod(now: Date, namespace: string, name: string, labels: Record<string, string>, uid: string, nodeName: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels, uid, creationTimestamp: iso(now, 3500), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: name.replace(/-r\d+$/, ''), controller: true }] },
    spec: {
      containers: [
        { name: 'http-forwarder', image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/model-engine:abc' },
        { name: 'main', image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/vllm:0.6.3', resources: { requests: { cpu: '100m', memory: '128Mi' } } },
      ],
      priorityClassName: 'model-engine-default-priority',
      serviceAccountName: 'model-engine',
      nodeName,
    },
    status: {
      phase: 'Running',
      containerStatuses: [
        { name: 'http-forwarder', ready: true, restartCount: 0, state: { running: { startedAt: iso(now, 3400) } } },
        { name: 'main', ready: true, restartCount: 0, state: { running: { startedAt: iso(now, 3300) } } },
      ],
    },
  };
}

function agentPod(now: Date, name: string, app: string, image: string, nodeName: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'kube-system', labels: { name: app }, uid: `a-${name}`, creationTimestamp: iso(now, 86400), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: app, controller: true }] },
    spec: { containers: [{ name: app, image, resources: { requests: { cpu: '10m', memory: '20Mi' } } }], nodeName, tolerations: [{ operator: 'Exists' }] },
    status: { phase: 'Running', containerStatuses: [{ name: app, ready: true, restartCount: 0, state: { running: { startedAt: iso(now, 86000) } } }] },
  };
}
