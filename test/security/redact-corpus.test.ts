/**
 * The redactor, tested like a security feature: every shape of the corpus is masked in free text and in structured
 * data (under its key, inside a YAML/JSON string, as an env entry), evidence beside it survives, look-alikes stay
 * whole, and redaction is idempotent (fast-check over the corpus mixed with arbitrary text).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { REDACTED, isSecretKey, keyWords, redactArgv, redactString, redactText, redactValue } from '../../src/engine/redact.js';
import { NOT_SECRETS, SECRET_SHAPES } from './secret-shapes.js';

describe('free text: one case per secret shape', () => {
  it.each(SECRET_SHAPES.map((s) => [s.shape, s] as const))('%s', (_shape, s) => {
    const out = redactText(s.text);
    for (const secret of s.secrets) expect(out).not.toContain(secret);
    for (const kept of s.keep) expect(out).toContain(kept);
    expect(out).toContain(REDACTED);
  });
});

describe('free text: every shape after a log line\'s prefix (a key inside a line)', () => {
  const PREFIXES = [
    '2026-01-01T00:00:00Z ERROR ',
    'INFO:root:',
    '[2026-05-20 06:00:21,448: ERROR/MainProcess] ',
    'E1207 12:00:00.000000 1 main.go:42] ',
    '{"level":"error","msg":"',
    'error: ',
    'fatal: config: ',
    '(',
    'ERROR connecting with ',
  ];
  it.each(PREFIXES)('%j', (prefix) => {
    for (const s of SECRET_SHAPES) {
      const out = redactText(`${prefix}${s.text}`);
      for (const secret of s.secrets) if (out.includes(secret)) throw new Error(`${s.shape}: ${secret} survived in ${JSON.stringify(out)}`);
    }
  });
});

describe('look-alikes stay whole (no evidence destroyed)', () => {
  it.each(NOT_SECRETS)('%s', (text) => expect(redactText(text)).toBe(text));
});

/**
 * False positives: text the doctor reads or writes that holds no secret, each found masked by an earlier engine.
 * In free text a key is a key only where keys are written or when it is shaped like one (a word of a sentence —
 * `credentials`, `Secret`, `token` — is not), and what follows is masked only when it could be a secret.
 */
const FALSE_POSITIVES: [string, string][] = [
  // Prose: a word of a sentence before a colon is not a key.
  ['an error: 401 after "the credentials:"', 'the cluster at https://127.0.0.1:37031 rejected the credentials: 401 Unauthorized (context "main")'],
  ['a check message: a Secret name, then a sentence', 'secrets.kubernetesDatabaseSecretName = llm-engine-postgres-credentials: the control plane reads database_url from that Secret (ML_INFRA_DATABASE_URL), on every cloud'],
  ['a check message: "credentials:" then a sentence', 'the webhook is missing, so pods get no Azure Workload Identity credentials: DefaultAzureCredential fails for Service Bus, Blob Storage, Redis and Key Vault'],
  ['a probe detail: "credentials:" then an SDK error', 'no cloud credentials: Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication/getting-started for more information.'],
  ['a kubelet event: "token:" then an error', 'MountVolume.SetUp failed for volume "kube-api-access-4x2lq" : failed to fetch token: serviceaccounts "model-engine" not found'],
  ['a containerd error: "authorization:" then more of it', 'failed to resolve reference: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed'],
  ['a registry error: "token:" then a status', 'failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized'],
  ['an API error: "token:" then a sentence', '{"detail": "invalid token: signature has expired"}'],
  ['a sentence about "the secret:"', 'the secret: it must hold database_url'],
  ['a Secret named in a sentence', 'The Secret llm-engine-postgres-credentials has no key database_url: add it with kubectl create secret generic'],
  ['kubectl: forbidden', 'Error from server (Forbidden): secrets "llm-engine-postgres-credentials" is forbidden: User "system:serviceaccount:model-engine:doctor" cannot get resource "secrets"'],
  ['boto', 'botocore.exceptions.NoCredentialsError: Unable to locate credentials'],
  ['psycopg', 'sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) FATAL:  password authentication failed for user "llm_engine"'],
  ['a shape named in a log line', 'ERROR YAML client_secret::'],
  ["a result's status, in JSON and in prose", '{"fail": 2, "warn": 1, "pass": 40} and pass: one result naming them all'],
  ['a Bearer challenge', 'WWW-Authenticate: Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:x:pull"'],
  ["a traceback's source line: attribute access", '    password = token.token'],
  ["a traceback's source line: a call", '    token = DefaultAzureCredential().get_token("https://redis.azure.com/.default")'],
  ["a traceback's source line: a format placeholder", '    return f"rediss://{username}:{password}@{self.cache_redis_azure_host}"'],
  // What follows a key cannot be a secret.
  ['a status code and its reason', 'auth: 401 Unauthorized'],
  ['a number and a word', 'password: 3 attempts left'],
  ['a word that says what is wrong', 'x-api-key: missing'],
  ['…then more of the sentence', 'redis.auth: set, but the broker is SQS'],
  ['a capitalised key and a state word', 'Token: expired, refresh it with aws sso login'],
  ['a sentence', 'token: the gateway could not verify it'],
  ['a parenthesised aside', 'REDIS_AUTH_TOKEN: (from Secret redis-auth, key auth_token)'],
  ['kubectl describe: an env var from a Secret', "      REDIS_AUTH_TOKEN:  <set to the key 'auth_token' in secret 'redis-auth'>  Optional: false"],
  ['a quoted name the sentence goes on after', 'secret: "llm-engine-postgres-credentials" not found'],
  ['an empty value', 'REDIS_PASSWORD= REDIS_HOST=cache.internal'],
  ['a colon inside an ARN', 'DB_SECRET_ARN=arn:aws:secretsmanager:us-east-1:111122223333:secret:ml-prod/model-engine/db-AbCdEf'],
  ['a masked URL password', 'Cannot connect to redis://:**@cache.internal:6379/0: Error 111 connecting'],
  // Bearer and flags named in prose.
  ['Bearer and Basic', 'Bearer and Basic authentication are both accepted'],
  ['a Bearer token', 'the gateway expects a Bearer token from the service account'],
  ['flags named in a sentence', 'pass --token to kubectl, or set --password in the values'],
  ['redis-cli -a named in a sentence', 'redis-cli -a is not needed: run redis-cli with -a and the password'],
  // Keys whose last word names, locates or configures a secret (profile, name, ARN, ref, file, mode, type, id).
  ['a profile name', 'DB_SECRET_AWS_PROFILE=default'],
  ['a profile name (ECR)', 'ECR_READ_AWS_PROFILE=default'],
  ['a secret name', 'DB_SECRET_NAME=ml-prod/model-engine/db'],
  ['a key reference', 'SECRET_KEY_REF=redis-auth/auth_token'],
  ['a token file', 'AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/eks.amazonaws.com/serviceaccount/token'],
  ['an auth mode', 'REDIS_AUTH_MODE=iam'],
  ['an auth type', 'AUTH_TYPE=AAD'],
  ['a secret id', 'SECRET_ID=ml-prod/db'],
  ['a Secret name in YAML', 'kubernetesDatabaseSecretName: llm-engine-postgres-credentials'],
  ['an auth Secret name in YAML', 'authSecretName: redis-auth'],
  // URLs without a password.
  ['a database URL with a user only', 'DATABASE_URL=postgresql://llm_engine@db.internal:5432/llm_engine'],
  ['a database URL without a user', 'ML_INFRA_DATABASE_URL=postgresql://db.internal:5432/llm'],
  ['a broker URL without auth', 'CELERY_BROKER_URL=redis://cache.internal:6379/0'],
];

describe('no false redactions: prose, names and values that cannot be secrets stay whole', () => {
  it.each(FALSE_POSITIVES)('%s', (_kind, text) => expect(redactText(text)).toBe(text));
});

describe('…and a secret inside such text goes, the text around it stays', () => {
  it.each([
    ['connecting with password: hunter2', 'connecting with password: REDACTED'],
    ['REDIS_PASS=hunter2 redis-cli --pass hunter3 ping', 'REDIS_PASS=REDACTED redis-cli --pass REDACTED ping'],
    ['WWW-Authenticate: Bearer realm="x" then Authorization: Bearer abc.def-123', 'WWW-Authenticate: Bearer realm="x" then Authorization: Bearer REDACTED'],
    ['invalid password: hunter2, user bob', 'invalid password: REDACTED, user bob'],
    ['error: REDIS_PASSWORD: hunter2', 'error: REDIS_PASSWORD: REDACTED'],
    ['INFO:root:password: hunter2', 'INFO:root:password: REDACTED'],
    ['password = hunter2', 'password = REDACTED'],
    ['back-off restarting failed container (Authorization: Bearer tok3n-x) (restarts: 9)', 'back-off restarting failed container (Authorization: Bearer REDACTED) (restarts: 9)'],
    ['sent (Authorization: Token abc123def) to the registry', 'sent (Authorization: Token REDACTED) to the registry'],
    ['the cluster at https://admin:pw1234@127.0.0.1:6443 rejected the credentials: 401 Unauthorized', 'the cluster at https://admin:REDACTED@127.0.0.1:6443 rejected the credentials: 401 Unauthorized'],
    ['DATABASE_URL=postgresql://llm:pw1234@db.internal:5432/llm', 'DATABASE_URL=postgresql://llm:REDACTED@db.internal:5432/llm'],
    ['redis://aB3dE5gH7jK9mN1pQ@cache.internal:6379/0', 'redis://REDACTED@cache.internal:6379/0'],
  ])('%s', (text, want) => expect(redactText(text)).toBe(want));
});

describe('keys', () => {
  it.each([
    ['password', true],
    ['REDIS_PASSWORD', true],
    ['redis_password', true],
    ['RedisPassword', true],
    ['PGPASSWORD', true],
    ['AZURE_CLIENT_SECRET', true],
    ['clientSecret', true],
    ['aws_secret_access_key', true],
    ['AWS_SESSION_TOKEN', true],
    ['x-api-key', true],
    ['X-Amz-Security-Token', true],
    ['Authorization', true],
    ['AccountKey', true],
    ['SharedAccessKey', true],
    ['sig', true],
    ['--token', true],
    ['redis.auth', true],
    ['REDISCLI_AUTH', true],
    ['requirepass', true],
    ['SECRET_KEY', true],
    ['example.com/db-password', true],
    ['database_url', true],
    ['secretName', false],
    ['authSecretKey', false],
    ['kedaSecretName', false],
    ['existingSecret', false],
    ['imagePullSecrets', false],
    ['passwordFromEnv', false],
    ['token_file', false],
    ['AWS_WEB_IDENTITY_TOKEN_FILE', false],
    ['max_tokens', false],
    ['eos_token', false],
    ['tokenizer', false],
    ['enableAuth', false],
    ['secretKeyRef', false],
    ['key', false],
    ['aws_access_key_id', false],
    ['cloud_provider', false],
    // The last word decides: these name, locate or configure a secret.
    ['DB_SECRET_AWS_PROFILE', false],
    ['ECR_READ_AWS_PROFILE', false],
    ['DB_SECRET_NAME', false],
    ['DB_SECRET_ARN', false],
    ['SECRET_KEY_REF', false],
    ['REDIS_AUTH_MODE', false],
    ['AUTH_TYPE', false],
    ['SECRET_ID', false],
    ['KEYVAULT_NAME', false],
    ['kubernetesDatabaseSecretName', false],
    // A URL key may hold a password in its URL (only the password is masked: see structured data).
    ['ML_INFRA_DATABASE_URL', true],
  ])('isSecretKey(%s) = %s', (key, want) => expect(isSecretKey(key)).toBe(want));

  it.each([
    ['AZURE_CLIENT_SECRET', ['azure', 'client', 'secret']],
    ['clientSecret', ['client', 'secret']],
    ['X-Amz-Security-Token', ['x', 'amz', 'security', 'token']],
    ['APIKey', ['api', 'key']],
  ])('keyWords(%s)', (key, words) => expect(keyWords(key)).toEqual(words));
});

describe('structured data', () => {
  it('masks values under credential keys whole, recursively, and keeps the rest', () => {
    const out = redactValue(undefined, {
      redis: { auth: 'x1', host: 'cache.internal', port: 6379 },
      db: { password: 42, user: 'llm' },
      url: 'redis://:p4ss@h:1/0',
      tokens: ['a', 'b'],
      api_token: ['t1', 't2'],
      enableAuth: true,
    });
    expect(out).toEqual({
      redis: { auth: REDACTED, host: 'cache.internal', port: 6379 },
      db: { password: REDACTED, user: 'llm' },
      url: `redis://:${REDACTED}@h:1/0`,
      tokens: ['a', 'b'],
      api_token: [REDACTED, REDACTED],
      enableAuth: true,
    });
  });

  it('masks env entries by their name, and key/value pairs by their key', () => {
    expect(
      redactValue(undefined, [
        { name: 'REDIS_PASSWORD', value: 'plain' },
        { name: 'REDIS_HOST', value: 'h' },
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } },
        { key: 'api_key', value: 'k' },
      ]),
    ).toEqual([
      { name: 'REDIS_PASSWORD', value: REDACTED },
      { name: 'REDIS_HOST', value: 'h' },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } },
      { key: 'api_key', value: REDACTED },
    ]);
  });

  it('keeps a URL under a URL key, minus its password; a value that is no URL goes whole', () => {
    expect(
      redactValue(undefined, {
        DATABASE_URL: 'postgresql://llm_engine@db.internal:5432/llm',
        ML_INFRA_DATABASE_URL: 'postgresql://llm:pw1@db.internal:5432/llm',
        database_url: 'host=db.internal user=llm password=pw2',
        db_url: 'pw3',
        env: [
          { name: 'ML_INFRA_DATABASE_URL', value: 'postgresql://db.internal:5432/llm' },
          { name: 'DB_SECRET_AWS_PROFILE', value: 'default' },
          { name: 'DB_SECRET_NAME', value: 'ml-prod/db' },
        ],
        args: ['--database-url', 'postgresql://u:pw4@h/db'],
      }),
    ).toEqual({
      DATABASE_URL: 'postgresql://llm_engine@db.internal:5432/llm',
      ML_INFRA_DATABASE_URL: `postgresql://llm:${REDACTED}@db.internal:5432/llm`,
      database_url: `host=db.internal user=llm password=${REDACTED}`,
      db_url: REDACTED,
      env: [
        { name: 'ML_INFRA_DATABASE_URL', value: 'postgresql://db.internal:5432/llm' },
        { name: 'DB_SECRET_AWS_PROFILE', value: 'default' },
        { name: 'DB_SECRET_NAME', value: 'ml-prod/db' },
      ],
      args: ['--database-url', `postgresql://u:${REDACTED}@h/db`],
    });
    const config = 'launch:\n  database_url: postgresql://db.internal:5432/llm\n  db_url: "pw5"\n';
    expect(redactString(config)).toBe(config.replace('"pw5"', `"${REDACTED}"`));
  });

  it('masks arguments after credential flags, split or joined', () => {
    expect(redactArgv(['redis-cli', '-h', 'cache', '-a', 'pw1', 'ping'])).toEqual(['redis-cli', '-h', 'cache', '-a', REDACTED, 'ping']);
    expect(redactArgv(['app', '--password', 'pw2', '--token=t3', '--verbose'])).toEqual(['app', '--password', REDACTED, `--token=${REDACTED}`, '--verbose']);
    expect(redactArgv(['curl', '-u', 'admin:pw4', 'https://h'])).toEqual(['curl', '-u', `admin:${REDACTED}`, 'https://h']);
    expect(redactArgv(['sh', '-c', 'redis-cli -a pw5 ping'])).toEqual(['sh', '-c', `redis-cli -a ${REDACTED} ping`]);
    // `-a` means nothing special outside redis-cli.
    expect(redactArgv(['ls', '-a', 'dir'])).toEqual(['ls', '-a', 'dir']);
    expect(redactValue(undefined, { args: ['--api-key', 'k6'] })).toEqual({ args: ['--api-key', REDACTED] });
  });

  it('masks credentials inside a YAML string in place, leaving its text otherwise as it was', () => {
    const config = '# service config\nlaunch:\n  redis:\n    password: "yamlPw"   # rotated monthly\n    host: cache\n  list:\n    - name: HF_TOKEN\n      value: hfValue\n';
    const out = redactString(config);
    expect(out).toBe(config.replace('"yamlPw"', `"${REDACTED}"`).replace('hfValue', REDACTED));
  });

  it('masks credentials inside a JSON string (a pod annotation, a ConfigMap value)', () => {
    const out = redactValue('example.com/config', '{"endpoint": "https://api.internal", "credentials": {"client_secret": "cs1", "client_id": "id1"}}');
    expect(out).toBe(`{"endpoint": "https://api.internal", "credentials": {"client_secret": "${REDACTED}", "client_id": "id1"}}`);
  });

  it('leaves YAML it cannot parse to the text rules, and never expands aliases', () => {
    expect(redactString('password: [unclosed\n  x')).not.toContain('unclosed');
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\npassword: pw7\n`;
    expect(redactString(bomb)).toBe(bomb.replace('pw7', REDACTED));
  });

  it('survives cycles and absurd depth by masking what it cannot inspect', () => {
    const loop: Record<string, unknown> = { host: 'h' };
    loop.self = loop;
    expect(redactValue(undefined, loop)).toEqual({ host: 'h', self: REDACTED });
    let deep: unknown = 'secret-at-the-bottom';
    for (let i = 0; i < 500; i++) deep = { next: deep };
    expect(JSON.stringify(redactValue(undefined, deep))).not.toContain('secret-at-the-bottom');
  });
});

describe('properties', () => {
  const shapes = fc.constantFrom(...SECRET_SHAPES);
  const filler = fc.string({ maxLength: 40 }).filter((s) => !/[A-Za-z0-9_]$/.test(s) && !/^[A-Za-z0-9_]/.test(s));

  it('a secret shape embedded in arbitrary text never survives', () => {
    fc.assert(
      fc.property(shapes, filler, filler, (s, before, after) => {
        const out = redactText(`${before}\n${s.text}\n${after}`);
        for (const secret of s.secrets) if (out.includes(secret)) throw new Error(`${s.shape}: ${secret} survived in ${JSON.stringify(out)}`);
      }),
      { numRuns: 300 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(shapes.map((s) => s.text), fc.constantFrom(...NOT_SECRETS, ...FALSE_POSITIVES.map(([, t]) => t)), fc.string({ maxLength: 200 })), (text) => {
        const once = redactText(text);
        expect(redactText(once)).toBe(once);
        const s = redactString(text);
        expect(redactString(s)).toBe(s);
      }),
      { numRuns: 300 },
    );
  });
});
