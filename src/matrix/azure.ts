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
  // celery_broker_type_redis makes the builder listen on Redis while the gateway sends to Service Bus (facts §4.3).
  celeryBrokerTypeRedis: 'forbidden',
  brokerValues: [
    {
      keys: ['azure.servicebus_namespace'],
      consequence:
        'the chart sets SERVICEBUS_NAMESPACE from it; without it the broker URL is azureservicebus://DefaultAzureCredential@None.servicebus.windows.net and no build or async task is delivered',
      format: 'servicebus-namespace',
      example: '<namespace, without .servicebus.windows.net>',
      lookup: 'az servicebus namespace list --query "[].name" -o tsv',
    },
  ],
  identity: {
    annotationPattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    annotationExample: '00000000-0000-0000-0000-000000000000',
    // The chart adds the annotation itself from azure.client_id / azure.inference_client_id (facts §1.3, §9 #9).
    values: {
      controlPlane: [['azure', 'client_id']],
      inference: [['azure', 'inference_client_id'], ['azure', 'client_id']],
    },
    injectedEnv: ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_AUTHORITY_HOST'],
    tokenVolume: 'azure-identity-token',
    podLabel: { key: 'azure.workload.identity/use', value: 'true' },
  },
  nodePool: {
    label: 'kubernetes.azure.com/agentpool',
    labelCommand: 'az aks nodepool update --resource-group <resource-group> --cluster-name <cluster> --name {pool} --labels {labels}',
    labelSeparator: ' ',
    gpuTaintCommand: 'az aks nodepool update --resource-group <resource-group> --cluster-name <cluster> --name {pool} --node-taints nvidia.com/gpu=true:NoSchedule',
    note: '--labels replaces the pool\'s existing custom labels: list them all',
  },
};
