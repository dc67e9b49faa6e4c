/**
 * The corpus of secret shapes: one entry per way a credential shows up in what the doctor reads (env assignments,
 * JSON/YAML keys, headers, URLs, known token formats, PEM blocks, CLI arguments, annotations, service config).
 * `secret` is what must never be printed; `keep` is evidence that must survive (keys, hosts, user names).
 * The redaction corpus test runs each line through the redactor; the leak test plants every one in a cluster.
 */
export interface SecretShape {
  shape: string;
  /** A line (or block) as it appears in a log, a message or a file. */
  text: string;
  /** Substrings that are secret: none may survive redaction. */
  secrets: string[];
  /** Substrings that are evidence: all must survive. */
  keep: string[];
}

// Built from parts so that no complete credential-looking literal sits in the repository.
const ghp = `ghp_${'A1b2C3d4E5'.repeat(3)}x9Y8z7`;
const gho = `gho_${'Z9y8X7w6V5'.repeat(3)}k1L2m3`;
const pat = `github_pat_11ABCDEFG0_${'q1w2e3r4t5'.repeat(5)}`;
const akia = `AKIA${'Q7RT2ZPX'}${'M4NB6VWL'}`;
const asia = `ASIA${'K8DJ3HFU'}${'E2TS9QOC'}`;
const awsSecret = `wJalrXUtnFEMI/K7MDENG/bPxRfiCY${'LeakTest01'}`;
const jwt = `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJsZWFrLXRlc3QiLCJpYXQiOjE3MDAwMDAwMDB9.${'c2lnbmF0dXJlTGVha1Rlc3Q'}`;
const pemBody = 'MIIEowIBAAKCAQEAleakTestPemBody0123456789abcdefghij';

export const SECRET_SHAPES: SecretShape[] = [
  { shape: 'env REDIS_PASSWORD=', text: 'REDIS_PASSWORD=hunter2hunter2', secrets: ['hunter2hunter2'], keep: ['REDIS_PASSWORD='] },
  { shape: 'env lowercase', text: 'redis_password=lowerCasePw77 next=1', secrets: ['lowerCasePw77'], keep: ['redis_password=', 'next=1'] },
  { shape: 'env mixed case', text: 'Redis_Password=MixedCasePw88', secrets: ['MixedCasePw88'], keep: ['Redis_Password='] },
  { shape: 'env AZURE_CLIENT_SECRET=', text: 'export AZURE_CLIENT_SECRET=azSecret~Leak.01', secrets: ['azSecret~Leak.01'], keep: ['AZURE_CLIENT_SECRET='] },
  { shape: 'aws credentials file', text: `aws_access_key_id = ${akia}\naws_secret_access_key = ${awsSecret}`, secrets: [akia, awsSecret], keep: ['aws_secret_access_key'] },
  { shape: 'AWS session key id and token', text: `AWS_ACCESS_KEY_ID=${asia} AWS_SESSION_TOKEN=FwoGZXIvYXdzEJrLeakSessionTok`, secrets: [asia, 'FwoGZXIvYXdzEJrLeakSessionTok'], keep: ['AWS_SESSION_TOKEN='] },
  { shape: 'JSON "password"', text: '{"user": "llm_engine", "password": "jsonPassw0rd!"}', secrets: ['jsonPassw0rd!'], keep: ['"user": "llm_engine"', '"password"'] },
  { shape: 'JSON in a JSON log line', text: '{"message": "config {\\"db_password\\": \\"nestedPw123\\"}"}', secrets: ['nestedPw123'], keep: ['db_password'] },
  { shape: 'Python dict repr', text: "settings={'api_key': 'pyReprKey42', 'host': 'db.internal'}", secrets: ['pyReprKey42'], keep: ['db.internal'] },
  { shape: 'YAML token:', text: 'auth:\n  token: yamlTok3n987', secrets: ['yamlTok3n987'], keep: ['token:'] },
  { shape: 'YAML client_secret:', text: 'azure:\n  client_secret: "yamlClientSecret55"\n  client_id: 0000-1111', secrets: ['yamlClientSecret55'], keep: ['client_id: 0000-1111'] },
  { shape: 'YAML block scalar', text: 'password: |\n  blockSecretLine1\n  blockSecretLine2\nuser: bob', secrets: ['blockSecretLine1', 'blockSecretLine2'], keep: ['user: bob'] },
  { shape: 'env list in YAML', text: 'env:\n- name: DB_PASSWORD\n  value: envListPw31\n- name: DB_HOST\n  value: pg.internal', secrets: ['envListPw31'], keep: ['pg.internal', 'DB_PASSWORD'] },
  { shape: 'env list in JSON', text: '[{"name":"API_TOKEN","value":"jsonEnvTok62"},{"name":"HOST","value":"h1"}]', secrets: ['jsonEnvTok62'], keep: ['API_TOKEN', '"h1"'] },
  { shape: 'header x-api-key:', text: 'x-api-key: hdrApiKey7781', secrets: ['hdrApiKey7781'], keep: ['x-api-key:'] },
  { shape: 'header Authorization Basic', text: 'Authorization: Basic dXNlcjpiYXNpY1B3MTI=', secrets: ['dXNlcjpiYXNpY1B3MTI='], keep: ['Authorization: Basic'] },
  { shape: 'short Basic credential', text: 'sent Basic dTpw to the proxy', secrets: ['dTpw'], keep: ['Basic', 'proxy'] },
  { shape: 'header Authorization Bearer', text: 'Authorization: Bearer bearerTok.en-5566', secrets: ['bearerTok.en-5566'], keep: ['Authorization: Bearer'] },
  { shape: 'header X-Amz-Security-Token:', text: 'X-Amz-Security-Token: IQoJb3JpZ2luX2VjEBAaLeakAmzTok', secrets: ['IQoJb3JpZ2luX2VjEBAaLeakAmzTok'], keep: ['X-Amz-Security-Token:'] },
  { shape: 'URL with password', text: 'connecting to rediss://default:urlPassw0rd@cache.internal:6380/0', secrets: ['urlPassw0rd'], keep: ['default:', 'cache.internal:6380'] },
  { shape: 'URL with @ in the password', text: 'postgresql://llm:p@ss@w0rd-at@db.internal:5432/llm', secrets: ['p@ss@w0rd-at', 'ss@w0rd-at'], keep: ['llm:', 'db.internal:5432/llm'] },
  { shape: 'user-only URL', text: 'redis://userOnlySecret99@cache.internal:6379/1', secrets: ['userOnlySecret99'], keep: ['cache.internal:6379/1'] },
  { shape: 'GitHub tokens', text: `clone with ${ghp} or ${gho} or ${pat}`, secrets: [ghp, gho, pat], keep: ['clone with'] },
  { shape: 'token in a git URL', text: `https://${ghp}@github.com/org/repo.git`, secrets: [ghp], keep: ['github.com/org/repo.git'] },
  { shape: 'Hugging Face token', text: `HF hub login with hf_${'LeakTestHuggingFace'}0123456789abcd`, secrets: [`hf_${'LeakTestHuggingFace'}0123456789abcd`], keep: ['HF hub login'] },
  { shape: 'Azure SAS sig=', text: 'https://acct.blob.core.windows.net/models/w?sv=2022-11-02&sp=r&se=2026-01-01&sig=sasSig%2BLeak%3D', secrets: ['sasSig%2BLeak%3D'], keep: ['acct.blob.core.windows.net/models/w', 'sp=r'] },
  { shape: 'Azure storage connection string', text: 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=acctKeyLeak+/==;EndpointSuffix=core.windows.net', secrets: ['acctKeyLeak+/=='], keep: ['AccountName=acct', 'EndpointSuffix=core.windows.net'] },
  { shape: 'Azure Service Bus connection string', text: 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=sbKeyLeak123=', secrets: ['sbKeyLeak123='], keep: ['SharedAccessKeyName=Root', 'ns.servicebus.windows.net'] },
  { shape: 'JWT', text: `id token ${jwt} expired`, secrets: [jwt, 'c2lnbmF0dXJlTGVha1Rlc3Q'], keep: ['id token', 'expired'] },
  { shape: 'PEM private key', text: `key:\n-----BEGIN RSA PRIVATE KEY-----\n${pemBody}\n-----END RSA PRIVATE KEY-----\nafter`, secrets: [pemBody], keep: ['BEGIN RSA PRIVATE KEY', 'after'] },
  { shape: 'PEM in a JSON string', text: `{"tls_key": "-----BEGIN PRIVATE KEY-----\\n${pemBody}\\n-----END PRIVATE KEY-----\\n"}`, secrets: [pemBody], keep: ['tls_key'] },
  { shape: 'redis-cli -a', text: 'redis-cli -h cache.internal -p 6380 -a redisCliPw44 --tls ping', secrets: ['redisCliPw44'], keep: ['cache.internal', '--tls ping'] },
  { shape: '--password VALUE', text: 'helm registry login registry.internal --username bot --password cliPassw0rd5', secrets: ['cliPassw0rd5'], keep: ['registry.internal', '--username bot'] },
  { shape: '--token VALUE', text: 'kubectl --token cliTokenValue66 get pods', secrets: ['cliTokenValue66'], keep: ['get pods'] },
  { shape: '--password=VALUE', text: 'mytool --password=eqPassw0rd7', secrets: ['eqPassw0rd7'], keep: ['mytool --password='] },
  { shape: 'curl -u user:password', text: 'curl -u admin:curlPassw0rd8 https://registry.internal/v2/', secrets: ['curlPassw0rd8'], keep: ['admin:', 'registry.internal/v2/'] },
  { shape: 'docker login -p', text: 'docker login -u AWS -p dockerLoginPw9 123.dkr.ecr.us-east-1.amazonaws.com', secrets: ['dockerLoginPw9'], keep: ['123.dkr.ecr.us-east-1.amazonaws.com'] },
  { shape: 'annotation-style key', text: 'example.com/api-token: annoTok3n12', secrets: ['annoTok3n12'], keep: ['example.com/api-token'] },
  {
    shape: 'registry credential without a scheme',
    text: 'docker_repo_prefix: "mirrorbot:schemelessPw31@registry.example.com/ml"',
    secrets: ['schemelessPw31'],
    keep: ['docker_repo_prefix', 'mirrorbot:', '@registry.example.com/ml'],
  },
  {
    shape: 'registry credential without a scheme, @ in the password, a port',
    text: 'pulling bot:p@ssNoScheme32@registry.example.com:5000/llm/vllm:0.6.3',
    secrets: ['p@ssNoScheme32', 'ssNoScheme32'],
    keep: ['pulling bot:', '@registry.example.com:5000/llm/vllm:0.6.3'],
  },
  {
    shape: 'password inside a service-config YAML string',
    text: 'launch:\n  redis_host: cache.internal\n  db:\n    password: svcCfgPw13\ninfra:\n  s3_bucket: models',
    secrets: ['svcCfgPw13'],
    keep: ['redis_host: cache.internal', 's3_bucket: models'],
  },
];

/** Text that looks close to a secret but is evidence: redaction must leave it whole. */
export const NOT_SECRETS: string[] = [
  'max_tokens: 512',
  'secretName: llm-engine-postgres-credentials',
  'authSecretKey: auth_token',
  'kedaSecretName: keda-redis',
  'cache_redis_aws_secret_name: ml-prod/model-engine/redis-cache',
  'web_identity_token_file = /var/run/secrets/eks.amazonaws.com/serviceaccount/token',
  'password authentication failed for user "llm_engine"',
  'redis.exceptions.AuthenticationError: invalid username-password pair or user is disabled.',
  'image 111122223333.dkr.ecr.us-east-1.amazonaws.com/vllm:0.6.3 not found',
  'MountVolume.SetUp failed for volume "creds" : secret "llm-engine-postgres-credentials" not found',
  'Connected to azureservicebus://DefaultAzureCredential@ml-prod.servicebus.windows.net//',
  'ssh://git@github.com/scaleapi/llm-engine.git',
  'Bearer token expired',
  'Basic auth is required',
  'automountServiceAccountToken: true',
  'kubectl -n model-engine create secret generic db --from-file=database_url=./database_url',
  'eos_token: "</s>"',
  'tokenizer: hf-internal-testing/llama-tokenizer',
  '"enableAuth": false',
  're-ran redis/auth: FAIL → PASS',
  'cluster/database-secret: Secret llm-engine-postgres-credentials has no key database_url',
  // Digest references and addresses: an `@` after `name:tag` or a user, no credential.
  `image nginx:1.25@sha256:${'0123456789abcdef'.repeat(4)} pulled`,
  `registry.example.com/llm/vllm:0.6.3@sha256:${'fedcba9876543210'.repeat(4)}`,
  `repo@sha256:${'0a1b2c3d4e5f6789'.repeat(4)}`,
  'page user@example.com',
  'mailto:oncall@example.com',
  'INFO:celery:celery@worker-1.example.com ready.',
  'git@github.com:scaleapi/llm-engine.git',
  'redis:6379@cache',
  'defaults postgres:postgres@localhost:5432/llm_engine',
];
