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

describe('look-alikes stay whole (no evidence destroyed)', () => {
  it.each(NOT_SECRETS)('%s', (text) => expect(redactText(text)).toBe(text));
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
      fc.property(fc.oneof(shapes.map((s) => s.text), fc.constantFrom(...NOT_SECRETS), fc.string({ maxLength: 200 })), (text) => {
        const once = redactText(text);
        expect(redactText(once)).toBe(once);
        const s = redactString(text);
        expect(redactString(s)).toBe(s);
      }),
      { numRuns: 300 },
    );
  });
});
