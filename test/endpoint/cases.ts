// The endpoint-<cause> fixtures, the endpoint each one is about, and what the doctor must conclude.
import type { Diagnosis } from '../../src/engine/diagnosis.js';
import { collectEndpointFacts } from '../../src/model-engine/endpoint-facts.js';
import { diagnose, type CauseCode } from '../../diagnoses/index.js';
import type { KubePort } from '../../src/engine/types.js';
import { MATRIX } from '../../src/matrix/index.js';
import { SnapshotKube } from '../../src/sources/kube/snapshot-kube.js';
import { loadSnapshot, type Snapshot } from '../../src/sources/snapshot/load.js';
import type { GatewayEndpointRecord } from '../../src/engine/ports/gateway.js';
import { gatewayAnswering } from '../support/cause-tester.js';
import { fixture } from '../support/check-tester.js';

export interface CauseCase {
  fixture: string;
  query: string;
  cause: CauseCode;
  /** Phrases the summary must contain. */
  summary: string[];
  /** Phrases that must appear in some remediation command. */
  commands?: string[];
  /** Phrases the values snippet must contain. */
  values?: string[];
  /** Phrases some evidence item must contain (rendered as JSON). */
  evidence?: string[];
  /** What model-engine's API answers (`--gateway-url`), for causes that compare it with the cluster; a stub. */
  api?: GatewayEndpointRecord;
}

export const CAUSE_CASES: readonly CauseCase[] = [
  {
    fixture: 'endpoint-image-pull',
    query: 'end_ct5a0c9n2ojg00a4qm10',
    cause: 'IMAGE_PULL',
    summary: ['cannot pull 307185671274.dkr.ecr.us-west-2.amazonaws.com/vllm:0.6.3.post1', '403 Forbidden'],
    commands: ['crane copy 307185671274.dkr.ecr.us-west-2.amazonaws.com/vllm:0.6.3.post1 <your-registry>/vllm:0.6.3.post1'],
    evidence: ['unexpected status from HEAD request'],
  },
  {
    fixture: 'endpoint-insufficient-gpu',
    query: 'llama-3-8b-finetune',
    cause: 'INSUFFICIENT_GPU',
    summary: ['requests 1 nvidia.com/gpu', 'ip-10-42-12-155.ec2.internal 0/1', 'ip-10-42-44-7.ec2.internal 0/1'],
    commands: ['aws eks update-nodegroup-config --cluster-name ml-prod --nodegroup-name ml-prod-gpu-a10', '"high_priority":true'],
    values: ['acceleratorName: nvidia-ampere-a10', 'replicaCount: 0'],
    evidence: ['model-engine-balloon-nvidia-ampere-a10', "pod didn't trigger scale-up"],
  },
  {
    fixture: 'endpoint-no-matching-nodes',
    query: 'end_ct5c2e3n2ojg00a4qm30',
    cause: 'NO_MATCHING_NODES',
    summary: ['k8s.amazonaws.com/accelerator=nvidia-ampere-a10 (2 node(s))', 'node-lifecycle=normal (2 node(s))'],
    commands: ['kubectl label node ip-10-42-70-214.ec2.internal ip-10-42-71-9.ec2.internal node-lifecycle=normal', '--nodegroup-name ml-prod-gpu-a10-v2'],
    values: ['nodeSelector: null'],
  },
  {
    fixture: 'endpoint-untolerated-taint',
    query: 'end_ct5d3f4n2ojg00a4qm40',
    cause: 'UNTOLERATED_TAINT',
    summary: ['dedicated=ml-training:NoSchedule'],
    commands: ['kubectl taint node ip-10-42-12-155.ec2.internal ip-10-42-44-7.ec2.internal dedicated=ml-training:NoSchedule-'],
    values: ['gpuTolerations:', '- key: dedicated'],
  },
  {
    fixture: 'endpoint-missing-priority-class',
    query: 'end_ct5e4g5n2ojg00a4qm50',
    cause: 'MISSING_PRIORITY_CLASS',
    summary: ['PriorityClass model-engine-default-priority does not exist'],
    commands: ['name: model-engine-default-priority', 'preemptionPolicy: Never'],
    evidence: ['no PriorityClass with name model-engine-default-priority was found'],
  },
  {
    fixture: 'endpoint-missing-service-account',
    query: 'end_ct5f5h6n2ojg00a4qm60',
    cause: 'MISSING_SERVICE_ACCOUNT',
    summary: ['ServiceAccount llm-engine/model-engine does not exist'],
    commands: ['kubectl -n llm-engine create serviceaccount model-engine'],
    values: ['createServiceAccount: true', 'serviceAccountAnnotations:'],
  },
  {
    fixture: 'endpoint-quota-exceeded',
    query: 'end_ct5g6i7n2ojg00a4qm70',
    cause: 'QUOTA_EXCEEDED',
    summary: ['exceeded quota: gpu-quota', 'limited: requests.nvidia.com/gpu=4'],
    commands: ['kubectl -n llm-engine describe resourcequota gpu-quota'],
  },
  {
    fixture: 'endpoint-admission-denied',
    query: 'end_ct5sivjn2ojg00a4qmj0',
    cause: 'ADMISSION_DENIED',
    summary: ['Pod Security Admission (namespace llm-engine enforces restricted:latest)', 'allowPrivilegeEscalation != false'],
    commands: ['pod-security.kubernetes.io/enforce=baseline'],
    evidence: ['FailedCreate'],
  },
  {
    fixture: 'endpoint-webhook-unavailable',
    query: 'end_ct5tjvkn2ojg00a4qmk0',
    cause: 'WEBHOOK_UNAVAILABLE',
    summary: ['validate.kyverno.svc-fail', 'fails closed'],
    commands: ['kubectl -n kyverno get deploy,pods -o wide'],
  },
  {
    fixture: 'endpoint-sandbox-failed',
    query: 'end_ct5vlumn2ojg00a4qmm0',
    cause: 'SANDBOX_FAILED',
    summary: ['no IP address left'],
    commands: ['kubectl describe node ip-10-42-44-7.ec2.internal'],
  },
  {
    fixture: 'endpoint-sidecar-not-ready',
    query: 'end_ct5umvnn2ojg00a4qmn0',
    cause: 'SIDECAR_NOT_READY',
    summary: ['istio-proxy sidecar', 'gets no configuration from istiod'],
    evidence: ['config not received from XDS server'],
  },
  {
    fixture: 'endpoint-config-error',
    query: 'end_ct5h7j8n2ojg00a4qm80',
    cause: 'CONFIG_ERROR',
    summary: ['ConfigMap llm-engine/default-config does not exist'],
    commands: ['kubectl -n model-engine get configmap default-config -o json', 'kubectl -n llm-engine apply -f -'],
    values: ['namespaces: [model-engine, llm-engine]'],
    evidence: ['MountVolume.SetUp failed for volume \\"config-volume\\"'],
  },
  {
    fixture: 'endpoint-volume',
    query: 'end_ct5i8k9n2ojg00a4qm90',
    cause: 'VOLUME',
    summary: ['launch-endpoint-id-end-ct5i8k9n2ojg00a4qm90-model-cache is Pending', 'MULTI_NODE_MULTI_WRITER not supported'],
    commands: ['kubectl -n llm-engine describe pvc launch-endpoint-id-end-ct5i8k9n2ojg00a4qm90-model-cache'],
    values: ['modelCache:', 'storageClassName:'],
  },
  {
    fixture: 'endpoint-crash-loop',
    query: 'end_ct5j9lan2ojg00a4qma0',
    cause: 'CRASH_LOOP',
    summary: ['7 restarts', 'model weights: access denied'],
    commands: ['aws s3 ls s3://acme-ml-finetunes/llama-3-8b-ft-v2/', 'kubectl -n llm-engine logs launch-endpoint-id-end-ct5j9lan2ojg00a4qma0-n6m8p2q4r7-b8xzn -c main --previous --tail=200'],
    evidence: ['AccessDenied: Access Denied status code: 403', 'main (previous)'],
  },
  {
    fixture: 'endpoint-readiness-failing',
    query: 'end_ct5kambn2ojg00a4qmb0',
    cause: 'READINESS_FAILING',
    summary: ['has been running 57m', 'GET :5005/health fails', 'listens on port 8000, not 5005'],
    evidence: ['Uvicorn running on http://0.0.0.0:8000'],
  },
  {
    fixture: 'endpoint-starting',
    query: 'end_ct5lbncn2ojg00a4qmc0',
    cause: 'STARTING',
    summary: ['started 6m ago', 'Loading safetensors checkpoint shards:  43%'],
  },
  {
    fixture: 'endpoint-scaled-to-zero',
    query: 'end_ct5mcodn2ojg00a4qmd0',
    cause: 'SCALED_TO_ZERO',
    summary: ['minReplicaCount 0'],
    commands: ['"min_workers":1'],
  },
  {
    fixture: 'endpoint-scale-from-zero-blocked',
    query: 'end_ct5rmtun2ojg00a4qmq0',
    cause: 'SCALE_FROM_ZERO_BLOCKED',
    summary: ['will not scale up on the next request', 'no such host'],
    commands: ['"min_workers":1'],
  },
  {
    fixture: 'endpoint-async-not-consuming',
    query: 'end_ct5snvvn2ojg00a4qmr0',
    cause: 'ASYNC_NOT_CONSUMING',
    summary: ['nothing will start one', 'annotated sqs-message-broker-master'],
    commands: ['set env statefulset/celery-autoscaler-redis'],
  },
  {
    fixture: 'endpoint-status-stale',
    query: 'end_cv0e3iin2ojg00b1q3ah',
    cause: 'STATUS_STALE',
    summary: ["model-engine's API reports 0 available worker(s)", 'the cacher cannot write the cache'],
    commands: ['rollout restart deploy/model-engine-cacher'],
    api: { id: 'end_cv0e3iin2ojg00b1q3ah', name: 'llama-3-8b-batch', status: 'READY', deployment_state: { available_workers: 0, unavailable_workers: 1 } },
  },
  {
    fixture: 'endpoint-build-pending',
    query: 'end_ct5ndpen2ojg00a4qme0',
    cause: 'BUILD_PENDING',
    summary: ['Deployment model-engine/model-engine-endpoint-builder is scaled to 0', 'cannot tell a pending endpoint from a wrong id'],
    commands: ['kubectl -n model-engine scale deploy model-engine-endpoint-builder --replicas=1', 'aws sqs get-queue-attributes'],
  },
  {
    fixture: 'endpoint-build-failed',
    query: 'end_ct5oeqfn2ojg00a4qmf0',
    cause: 'BUILD_FAILED',
    summary: ['ApiException: (422)', 'must be less than or equal to ephemeral-storage limit of 1000Gi'],
    commands: ['kubectl -n model-engine logs deploy/model-engine-endpoint-builder --tail=500'],
    evidence: ['Building endpoint end_ct5oeqfn2ojg00a4qmf0'],
  },
  {
    fixture: 'endpoint-build-incomplete',
    query: 'end_ct5qlrsn2ojg00a4qmp0',
    cause: 'BUILD_FAILED',
    summary: ['failed', 'virtual-service.yaml', 'after it had created Deployment'],
    values: ['virtualservice:'],
  },
  {
    fixture: 'endpoint-not-found',
    query: 'end_ct5pfrgn2ojg00a4qmg0',
    cause: 'NOT_FOUND',
    summary: ['No endpoint end_ct5pfrgn2ojg00a4qmg0 in namespace llm-engine'],
    commands: ['kubectl -n llm-engine get deploy -l managed-by=model-engine -L endpoint_id,endpoint_name'],
  },
  {
    fixture: 'endpoint-unknown',
    query: 'end_ct5qgshn2ojg00a4qmh0',
    cause: 'UNKNOWN',
    summary: ['ContainerCreating for 3h 07m', 'no events about the pod remain'],
    commands: ['kubectl describe node ip-10-42-44-7.ec2.internal'],
  },
  {
    fixture: 'endpoint-insufficient-resources',
    query: 'end_ct5rhtin2ojg00a4qmi0',
    cause: 'INSUFFICIENT_RESOURCES',
    summary: ['16100m cpu', 'no matching node has that much allocatable'],
    commands: ['"cpus":"<fewer>"'],
  },
  {
    fixture: 'healthy-aws',
    query: 'llama-3-8b-instruct',
    cause: 'HEALTHY',
    summary: ['1/1 worker(s) available'],
  },
];

const snapshots = new Map<string, Promise<Snapshot>>();
export function snapshotOf(name: string): Promise<Snapshot> {
  let s = snapshots.get(name);
  if (!s) snapshots.set(name, (s = loadSnapshot(fixture(`fixtures/clusters/${name}`))));
  return s;
}

/** The `endpoint` command's collection and diagnosis over any kube port (snapshot or live). */
export async function diagnoseWith(kube: KubePort, query: string, now: Date, context = 'arn:aws:eks:us-east-1:111122223333:cluster/ml-prod', api?: GatewayEndpointRecord): Promise<Diagnosis> {
  const facts = await collectEndpointFacts({
    ...(api ? { gateway: gatewayAnswering(api) } : {}),
    kube,
    query,
    namespace: 'llm-engine',
    controlPlaneNamespace: 'model-engine',
    now,
    signal: new AbortController().signal,
    hints: { cloud: 'aws', nodePool: MATRIX.aws.nodePool!, context },
  });
  return diagnose(facts);
}

export async function diagnoseSnapshot(name: string, query: string, api?: GatewayEndpointRecord): Promise<{ diagnosis: Diagnosis; calls: number }> {
  const snap = await snapshotOf(name);
  const kube = new SnapshotKube(snap);
  const diagnosis = await diagnoseWith(kube, query, snap.now, undefined, api);
  return { diagnosis, calls: kube.requestCount };
}
