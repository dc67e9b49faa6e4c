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
  // celery_broker_type_redis moves gateway and builder to Redis while forwarders read SQS (facts §3, §4.3).
  celeryBrokerTypeRedis: 'forbidden',
  brokerValues: [],
  identity: {
    // Partitions aws, aws-cn, aws-us-gov, aws-iso*; role names may carry a path (role/path/name).
    annotationPattern: /^arn:aws(-cn|-us-gov|-iso(-[a-z])?)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
    annotationExample: 'arn:aws:iam::000000000000:role/k8s-main-llm-engine',
    values: {
      controlPlane: [['serviceAccount', 'annotations', 'eks.amazonaws.com/role-arn']],
      inference: [['serviceTemplate', 'serviceAccountAnnotations', 'eks.amazonaws.com/role-arn']],
      imageBuilder: [['imageBuilderServiceAccount', 'annotations', 'eks.amazonaws.com/role-arn']],
    },
    injectedEnv: ['AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE'],
    tokenVolume: 'aws-iam-token',
  },
  nodePool: {
    label: 'eks.amazonaws.com/nodegroup',
    labelCommand: "aws eks update-nodegroup-config --cluster-name <cluster> --nodegroup-name {pool} --labels 'addOrUpdateLabels={{labels}}'",
    labelSeparator: ',',
    gpuTaintCommand: "aws eks update-nodegroup-config --cluster-name <cluster> --nodegroup-name {pool} --taints 'addOrUpdateTaints=[{key=nvidia.com/gpu,value=true,effect=NO_SCHEDULE}]'",
    note: 'for scale-from-zero also tag the Auto Scaling group k8s.io/cluster-autoscaler/node-template/label/<key>=<value>; Karpenter: set the labels in the NodePool spec.template.metadata.labels',
  },
};
