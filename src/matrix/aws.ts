import type { CloudProfile } from '../engine/types.js';

/** AWS: the reference configuration (matrix §2 "AWS"), production-tested. */
export const aws: CloudProfile = {
  cloud: 'aws',
  displayName: 'AWS',
  brokerTypes: ['sqs'],
  broker: 'sqs',
  storageScheme: 's3://',
  registryType: 'ecr',
  registryHostPattern: /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/,
  registryExample: '000000000000.dkr.ecr.us-east-1.amazonaws.com',
  serviceAccountAnnotation: 'eks.amazonaws.com/role-arn',
  workloadIdentity: 'IRSA',
  redisAuth: 'url-or-secrets-manager',
  redisKeys: ['cache_redis_onprem_url', 'cache_redis_aws_url', 'cache_redis_aws_secret_name'],
  secretStore: 'secrets-manager',
  providerIdPrefix: 'aws://',
  imageBuilds: true,
  tested: 'production',
  unsupported: [],
};
