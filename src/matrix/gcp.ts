import type { CloudProfile } from '../engine/types.js';

/** GCP: Pub/Sub queue delegate with a Redis (Memorystore) Celery broker, GCS, GAR, GKE Workload Identity. */
export const gcp: CloudProfile = {
  cloud: 'gcp',
  displayName: 'GCP',
  brokerTypes: ['redis'],
  broker: 'pubsub-redis',
  storageScheme: 'gs://',
  registryType: 'gar',
  registryHostPattern: /^[a-z0-9-]+-docker\.pkg\.dev$/,
  registryExample: 'us-docker.pkg.dev/my-project/my-repo',
  serviceAccountAnnotation: 'iam.gke.io/gcp-service-account',
  workloadIdentity: 'GKE Workload Identity',
  redisAuth: 'url',
  redisKeys: ['cache_redis_onprem_url', 'cache_redis_gcp_url'],
  secretStore: 'gcp-secret-manager',
  providerIdPrefix: 'gce://',
  imageBuilds: false,
  tested: 'untested',
  unsupported: ['custom image builds (GARDockerRepository.build_image raises NotImplementedError)'],
  // GCP already routes gateway and builder to Redis (#794); the flag changes nothing.
  celeryBrokerTypeRedis: 'optional',
  brokerValues: [
    {
      // GcpPubSubQueueEndpointResourceDelegate(project_id = env GCP_PROJECT_ID (gcp.project_id) or infra.gcp_project_id), #827.
      keys: ['gcp.project_id', 'config.values.infra.gcp_project_id'],
      consequence: 'GcpPubSubQueueEndpointResourceDelegate raises ValueError when the gateway starts (no GCP_PROJECT_ID, no infra.gcp_project_id)',
      format: 'gcp-project-id',
      example: '<gcp-project-id>',
      lookup: 'gcloud config get-value project',
    },
  ],
  identity: {
    // <account>@<project>.iam.gserviceaccount.com; domain-scoped projects add dots to the project part.
    annotationPattern: /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9.-]{4,60}[a-z0-9]\.iam\.gserviceaccount\.com$/,
    annotationExample: 'model-engine@my-project.iam.gserviceaccount.com',
    values: {
      controlPlane: [['gcp', 'iam_service_account'], ['serviceAccount', 'annotations', 'iam.gke.io/gcp-service-account']],
      inference: [
        ['gcp', 'inference_service_account'],
        ['gcp', 'iam_service_account'],
        ['serviceTemplate', 'serviceAccountAnnotations', 'iam.gke.io/gcp-service-account'],
      ],
    },
    // GKE federates through the node's metadata server, not by mutating pods.
    injectedEnv: [],
    nodeLabel: { key: 'iam.gke.io/gke-metadata-server-enabled', value: 'true' },
  },
  nodePool: {
    label: 'cloud.google.com/gke-nodepool',
    labelCommand: 'gcloud container node-pools update {pool} --cluster <cluster> --node-labels={labels}',
    labelSeparator: ',',
    gpuTaintCommand: 'gcloud container node-pools update {pool} --cluster <cluster> --node-taints=nvidia.com/gpu=present:NoSchedule',
    note: '--node-labels replaces the pool\'s existing user labels: list them all',
  },
};
