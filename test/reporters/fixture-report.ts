// A hand-built `triage` report of a broken EKS install, as the runner would produce it: results sorted
// (status, then severity, then id/object), secrets already redacted by the engine, every status, several
// severities and every evidence type. The reporter tests snapshot it and assert on it.
import type { CheckResult, Report } from '../../src/engine/types.js';

const GATEWAY_POD = 'model-engine-6d5f8c7b9d-x2x7q';
const GATEWAY_POD_2 = 'model-engine-6d5f8c7b9d-q8w4m';
const ENDPOINT = 'launch-endpoint-id-end-cq3kd0s2rxy5g2r0lsh0';
const IMAGE = 'public.ecr.aws/b2z8n5q1/model-engine:e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4';
const ECR = '111122223333.dkr.ecr.us-west-2.amazonaws.com';

export const fixtureResults: CheckResult[] = [
  // ---- fail
  {
    id: 'nodes/lifecycle-label',
    area: 'nodes',
    title: 'Nodes carry the node-lifecycle label the chart selects',
    status: 'fail',
    severity: 'critical',
    messageId: 'noNodeMatchesSelector',
    message:
      'No node is labelled node-lifecycle=normal, but the chart default nodeSelector requires it for every control-plane and endpoint pod',
    evidence: [
      { type: 'values', path: 'nodeSelector', value: { 'node-lifecycle': 'normal' }, source: { file: 'chart defaults' } },
      {
        type: 'event',
        object: { kind: 'Pod', namespace: 'model-engine', name: GATEWAY_POD },
        reason: 'FailedScheduling',
        eventType: 'Warning',
        message:
          "0/6 nodes are available: 6 node(s) didn't match Pod's node affinity/selector. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.",
        count: 37,
        lastSeen: '2026-07-01T10:03:55Z',
      },
      { type: 'note', text: '6 nodes checked (node groups general, gpu-a10); none has the label node-lifecycle=normal' },
    ],
    remediation: {
      summary:
        'Label the nodes that should run model-engine, or set nodeSelector: null in your values (an empty map {} does not clear the chart default)',
      commands: ['kubectl label nodes -l eks.amazonaws.com/nodegroup=general node-lifecycle=normal'],
      values: 'nodeSelector: null\nballoonNodeSelector: null\n',
    },
    docs: 'docs/checks/nodes/lifecycle-label.md',
    durationMs: 18,
  },
  {
    id: 'images/mirrored',
    area: 'images',
    title: 'Control-plane images are pullable from the cluster',
    status: 'fail',
    severity: 'high',
    messageId: 'imageNotPullable',
    message: `Image ${IMAGE} cannot be pulled: the cluster has no route to public.ecr.aws`,
    object: { kind: 'Deployment', namespace: 'model-engine', name: 'model-engine' },
    evidence: [
      {
        type: 'field',
        object: { kind: 'Deployment', namespace: 'model-engine', name: 'model-engine' },
        path: 'spec.template.spec.containers[0].image',
        value: IMAGE,
      },
      {
        type: 'event',
        object: { kind: 'Pod', namespace: 'model-engine', name: GATEWAY_POD_2 },
        reason: 'Failed',
        eventType: 'Warning',
        message: `Failed to pull image "${IMAGE}": rpc error: code = DeadlineExceeded desc = failed to pull and unpack image "${IMAGE}": failed to resolve reference "${IMAGE}": failed to do request: Head "https://public.ecr.aws/v2/b2z8n5q1/model-engine/manifests/e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4": dial tcp 99.83.145.10:443: i/o timeout`,
        count: 12,
        lastSeen: '2026-07-01T10:02:41Z',
      },
      {
        type: 'probe',
        target: 'https://public.ecr.aws/v2/',
        detail: 'no response within 5000 ms from a probe pod in namespace model-engine (egress blocked?)',
      },
    ],
    remediation: {
      summary: `Mirror the image into ${ECR} and point image.gatewayRepository (also used by the cacher) and image.builderRepository at it`,
      commands: [
        `crane copy ${IMAGE} ${ECR}/model-engine:e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4`,
        'helm upgrade model-engine charts/model-engine -n model-engine -f values.yaml -f values-prod.yaml',
      ],
      values: `image:\n  gatewayRepository: ${ECR}/model-engine\n  builderRepository: ${ECR}/model-engine\n  forwarderRepository: ${ECR}/model-engine\n`,
      docs: 'docs/checks/images/mirrored.md#air-gapped-clusters',
    },
    docs: 'docs/checks/images/mirrored.md',
    durationMs: 5032,
  },
  {
    id: 'redis/auth',
    area: 'redis',
    title: 'The cache Redis accepts the configured credentials',
    status: 'fail',
    severity: 'high',
    messageId: 'authRejected',
    message:
      'Redis at master.llm-engine-cache.abc123.usw2.cache.amazonaws.com:6379 rejected the credentials from config.values.launch.cache_redis_aws_url',
    object: { kind: 'ConfigMap', namespace: 'model-engine', name: 'model-engine-service-config' },
    evidence: [
      {
        type: 'values',
        path: 'config.values.launch.cache_redis_aws_url',
        value: 'rediss://:REDACTED@master.llm-engine-cache.abc123.usw2.cache.amazonaws.com:6379/15',
        source: { file: 'values-prod.yaml', line: 41, column: 7 },
      },
      { type: 'values', path: 'redis.auth', value: 'REDACTED', source: { file: 'values-prod.yaml', line: 96 } },
      {
        type: 'log',
        namespace: 'model-engine',
        pod: GATEWAY_POD_2,
        container: 'model-engine',
        // uvicorn colours its level names; the raw escape codes are what `kubectl logs` returns.
        line: '\u001b[31mERROR\u001b[0m:    Exception in ASGI application',
        lineNumber: 211,
      },
      {
        type: 'log',
        namespace: 'model-engine',
        pod: GATEWAY_POD_2,
        container: 'model-engine',
        line: 'redis.exceptions.AuthenticationError: invalid username-password pair or user is disabled.',
        lineNumber: 212,
      },
      {
        type: 'probe',
        target: 'rediss://master.llm-engine-cache.abc123.usw2.cache.amazonaws.com:6379',
        detail: 'TLS ok; AUTH failed: WRONGPASS invalid username-password pair or user is disabled.',
      },
    ],
    remediation: {
      summary:
        'Check the ElastiCache auth token, then keep it in Secrets Manager and name the secret in cache_redis_aws_secret_name instead of embedding it in the URL',
      commands: [
        "aws elasticache describe-replication-groups --replication-group-id llm-engine-cache --query 'ReplicationGroups[0].[AuthTokenEnabled,TransitEncryptionEnabled]'",
      ],
      values: 'config:\n  values:\n    launch:\n      cache_redis_aws_secret_name: prod/llm-engine/redis\n',
    },
    docs: 'docs/checks/redis/auth.md',
    durationMs: 231,
  },
  {
    id: 'identity/service-account-role',
    area: 'identity',
    title: 'ServiceAccounts carry an IAM role (IRSA)',
    status: 'fail',
    severity: 'medium',
    messageId: 'missingRoleArn',
    message: 'ServiceAccount llm-engine/model-engine has no eks.amazonaws.com/role-arn annotation; endpoint pods cannot reach S3 or SQS',
    object: { kind: 'ServiceAccount', namespace: 'llm-engine', name: 'model-engine' },
    evidence: [
      {
        type: 'field',
        object: { kind: 'ServiceAccount', namespace: 'llm-engine', name: 'model-engine' },
        path: 'metadata.annotations["eks.amazonaws.com/role-arn"]',
      },
      { type: 'values', path: 'serviceTemplate.serviceAccountAnnotations', missing: true },
    ],
    remediation: {
      summary: 'Set serviceTemplate.serviceAccountAnnotations to the endpoints\' IAM role and upgrade the release',
      values:
        'serviceTemplate:\n  serviceAccountAnnotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/llm-engine\n',
    },
    docs: 'docs/checks/identity/service-account-role.md',
    durationMs: 41,
  },
  // ---- error
  {
    id: 'storage/bucket-access',
    area: 'storage',
    title: 'The S3 bucket is reachable with the gateway role',
    status: 'error',
    severity: 'high',
    messageId: 'crashed',
    message:
      'check failed to run: AccessDenied: User: arn:aws:sts::111122223333:assumed-role/oncall/jdoe is not authorized to perform: s3:GetBucketLocation on resource: "arn:aws:s3:::llm-engine-prod"',
    error:
      'check failed to run: AccessDenied: User: arn:aws:sts::111122223333:assumed-role/oncall/jdoe is not authorized to perform: s3:GetBucketLocation on resource: "arn:aws:s3:::llm-engine-prod"',
    evidence: [],
    docs: 'docs/checks/storage/bucket-access.md',
    durationMs: 812,
  },
  {
    id: 'broker/sqs-queues',
    area: 'broker',
    title: 'Endpoint SQS queues exist and are readable',
    status: 'error',
    severity: 'medium',
    messageId: 'timeout',
    message: 'check timed out after 30000 ms',
    error: 'check timed out after 30000 ms',
    evidence: [],
    docs: 'docs/checks/broker/sqs-queues.md',
    durationMs: 30004,
  },
  // ---- warn
  {
    id: 'broker/type',
    area: 'broker',
    title: 'celeryBrokerType is one the async forwarder accepts',
    status: 'warn',
    severity: 'medium',
    messageId: 'forwarderRejectsBroker',
    message: 'celeryBrokerType "elasticache" is not a forwarder broker type (sqs|servicebus|redis); async endpoints\' forwarders will exit on start',
    evidence: [
      { type: 'values', path: 'celeryBrokerType', value: 'elasticache', source: { file: 'values-prod.yaml', line: 88 } },
      {
        type: 'note',
        text: "values_sample.yaml's comment says \"either sqs or elasticache\", but celery_forwarder.py passes it to celery_app(), which raises ValueError",
      },
    ],
    remediation: { summary: 'On AWS use the SQS broker', values: 'celeryBrokerType: sqs\n' },
    docs: 'docs/checks/broker/type.md',
    durationMs: 1,
  },
  {
    id: 'endpoints/keda-trigger-auth',
    area: 'endpoints',
    title: 'KEDA ScaledObjects reference an existing TriggerAuthentication',
    status: 'warn',
    severity: 'low',
    messageId: 'triggerAuthMissing',
    message: `ScaledObject llm-engine/${ENDPOINT} references TriggerAuthentication keda-trigger-auth-redis, which does not exist; scale-from-zero will not happen`,
    object: { kind: 'ScaledObject', namespace: 'llm-engine', name: ENDPOINT },
    evidence: [
      {
        type: 'field',
        object: { kind: 'ScaledObject', namespace: 'llm-engine', name: ENDPOINT },
        path: 'spec.triggers[0].authenticationRef.name',
        value: 'keda-trigger-auth-redis',
      },
      {
        type: 'object',
        object: { kind: 'TriggerAuthentication', namespace: 'llm-engine', name: 'keda-trigger-auth-redis' },
        detail: 'not found',
      },
    ],
    remediation: {
      summary: 'Set redis.enableAuth and redis.kedaSecretName so the chart renders the TriggerAuthentication',
      commands: ['kubectl get triggerauthentications.keda.sh -n llm-engine'],
      values: 'redis:\n  enableAuth: true\n  kedaSecretName: llm-engine-redis-keda\n',
    },
    docs: 'docs/checks/endpoints/keda-trigger-auth.md',
    durationMs: 9,
  },
  // ---- skip
  {
    id: 'endpoints/forwarder-health',
    area: 'endpoints',
    title: 'Async forwarders are running',
    status: 'skip',
    severity: 'info',
    messageId: 'noAsyncEndpoints',
    message: 'No async endpoints in namespace llm-engine; nothing to check',
    evidence: [],
    docs: 'docs/checks/endpoints/forwarder-health.md',
    durationMs: 3,
  },
  {
    id: 'nodes/gpu-capacity',
    area: 'nodes',
    title: 'GPU nodes advertise nvidia.com/gpu capacity',
    status: 'skip',
    severity: 'info',
    messageId: 'forbidden',
    message: 'skipped: RBAC forbidden: cannot list nodes at cluster scope',
    evidence: [],
    docs: 'docs/checks/nodes/gpu-capacity.md',
    durationMs: 2,
  },
  {
    id: 'registry/ecr-repositories',
    area: 'registry',
    title: 'Inference repositories exist in ECR',
    status: 'skip',
    severity: 'info',
    messageId: 'needsCloudApi',
    message: 'needs cloud API access; rerun with --cloud-api to allow it',
    evidence: [],
    docs: 'docs/checks/registry/ecr-repositories.md',
    durationMs: 0,
  },
  // ---- pass
  {
    id: 'config/cloud-provider',
    area: 'config',
    title: 'cloud_provider matches the cluster',
    status: 'pass',
    severity: 'critical',
    messageId: 'matches',
    message: 'config.values.infra.cloud_provider is aws and the nodes run on aws',
    evidence: [
      { type: 'values', path: 'config.values.infra.cloud_provider', value: 'aws', source: { file: 'values-prod.yaml', line: 3 } },
      {
        type: 'field',
        object: { kind: 'Node', name: 'ip-10-0-12-34.us-west-2.compute.internal' },
        path: 'spec.providerID',
        value: 'aws:///us-west-2a/i-0a1b2c3d4e5f67890',
      },
    ],
    docs: 'docs/checks/config/cloud-provider.md',
    durationMs: 4,
  },
  {
    id: 'images/pull-secrets',
    area: 'images',
    title: 'Referenced imagePullSecrets exist',
    status: 'pass',
    severity: 'high',
    messageId: 'allPresent',
    message: 'All 2 imagePullSecrets referenced by model-engine pods exist',
    evidence: [],
    docs: 'docs/checks/images/pull-secrets.md',
    durationMs: 6,
  },
  {
    id: 'redis/tls',
    area: 'redis',
    title: 'The cache Redis URL uses TLS when the server requires it',
    status: 'pass',
    severity: 'high',
    messageId: 'tlsMatches',
    message: 'cache_redis_aws_url uses rediss:// and the server speaks TLS',
    object: { kind: 'ConfigMap', namespace: 'model-engine', name: 'model-engine-service-config' },
    evidence: [],
    docs: 'docs/checks/redis/tls.md',
    durationMs: 230,
  },
  {
    id: 'endpoints/ready',
    area: 'endpoints',
    title: 'Endpoint deployments have ready replicas',
    status: 'pass',
    severity: 'medium',
    messageId: 'ready',
    message: '1/1 replicas ready',
    object: { kind: 'Deployment', namespace: 'llm-engine', name: ENDPOINT },
    evidence: [],
    docs: 'docs/checks/endpoints/ready.md',
    durationMs: 7,
  },
  {
    id: 'identity/service-account-role',
    area: 'identity',
    title: 'ServiceAccounts carry an IAM role (IRSA)',
    status: 'pass',
    severity: 'medium',
    messageId: 'hasRoleArn',
    message: 'ServiceAccount model-engine/model-engine has role arn:aws:iam::111122223333:role/k8s-main-llm-engine',
    object: { kind: 'ServiceAccount', namespace: 'model-engine', name: 'model-engine' },
    evidence: [],
    docs: 'docs/checks/identity/service-account-role.md',
    durationMs: 41,
  },
  {
    id: 'config/service-config',
    area: 'config',
    title: 'The service config ConfigMap exists in both namespaces',
    status: 'pass',
    severity: 'low',
    messageId: 'present',
    message: 'model-engine-service-config exists in model-engine and llm-engine',
    evidence: [],
    docs: 'docs/checks/config/service-config.md',
    durationMs: 5,
  },
];

export const fixtureReport: Report = {
  schemaVersion: 1,
  tool: { name: 'model-engine-doctor', version: '0.1.0' },
  command: 'triage',
  target: {
    mode: 'live',
    context: 'arn:aws:eks:us-west-2:111122223333:cluster/llm-prod',
    server: 'https://4F2A9C1B7E3D5A6F8B0C2D4E6F8A0B1C.gr7.us-west-2.eks.amazonaws.com',
    cloud: 'aws',
    cloudSource: 'values',
    namespaces: { controlPlane: 'model-engine', endpoint: 'llm-engine' },
    valuesFiles: ['values.yaml', 'values-prod.yaml'],
    valuesOrigin: 'files',
  },
  startedAt: '2026-07-01T10:04:12.318Z',
  finishedAt: '2026-07-01T10:04:43.532Z',
  durationMs: 31214,
  counts: { pass: 6, warn: 2, fail: 4, skip: 3, error: 2 },
  results: fixtureResults,
};

/** A deep copy, so a test can change the fixture without touching the others. */
export function cloneReport(): Report {
  return structuredClone(fixtureReport);
}
