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
};
