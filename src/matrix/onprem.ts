import type { CloudProfile } from '../engine/types.js';

/** On-prem: Redis broker and cache, S3-compatible storage (MinIO), a custom registry, Kubernetes secrets. */
export const onprem: CloudProfile = {
  cloud: 'onprem',
  displayName: 'On-prem',
  brokerTypes: ['redis'],
  broker: 'redis',
  storageScheme: 's3://',
  registryType: 'generic',
  registryHostPattern: /^[a-z0-9.-]+(:\d+)?$/,
  registryExample: 'registry.example.internal:5000',
  workloadIdentity: 'none (static credentials in Kubernetes Secrets)',
  redisAuth: 'url',
  redisKeys: ['cache_redis_onprem_url', 'cache_redis_aws_url'],
  secretStore: 'kubernetes',
  imageBuilds: false,
  tested: 'untested',
  unsupported: ['custom image builds (OnPrem/Generic registries raise NotImplementedError)', 'managed secret store'],
  // Without it the service builder listens on SQS while the gateway sends build tasks to Redis (facts §4.3).
  celeryBrokerTypeRedis: 'required',
  brokerValues: [],
};
