import type { CloudProfile } from '../engine/types.js';

/** Azure: Service Bus, Blob Storage, ACR, Entra-token Redis, Azure Workload Identity (matrix §2 "Azure"). */
export const azure: CloudProfile = {
  cloud: 'azure',
  displayName: 'Azure',
  brokerTypes: ['servicebus'],
  broker: 'servicebus',
  storageScheme: 'az://',
  registryType: 'acr',
  registryHostPattern: /^[a-z0-9]{5,50}\.azurecr\.io$/,
  registryExample: 'myregistry.azurecr.io',
  serviceAccountAnnotation: 'azure.workload.identity/client-id',
  workloadIdentity: 'Azure Workload Identity',
  redisAuth: 'entra-token',
  redisKeys: ['cache_redis_onprem_url', 'cache_redis_azure_host'],
  secretStore: 'key-vault',
  providerIdPrefix: 'azure://',
  imageBuilds: false,
  tested: 'partial',
  unsupported: ['custom image builds (ACRDockerRepository.build_image raises NotImplementedError)'],
};
