import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SecretString } from '../../src/engine/ports/secret.js';
import { redisTargetFromUrl, type RedisProbeResult, type RedisTarget } from '../../src/engine/ports/redis.js';
import { RedisSource } from '../../src/sources/redis/probe.js';
import { HAVE_REDIS, freePort, makeCa, startRedis, startSilentListener, type RedisServer, type TestCa } from '../support/redis-servers.js';

const secret = (s: string) => new SecretString(s);
const target = (url: string): RedisTarget => {
  const t = redisTargetFromUrl(url, secret);
  if (!t) throw new Error(`bad url ${url}`);
  return t;
};
const names = (r: RedisProbeResult) => r.steps.map((s) => `${s.name}:${s.ok ? (s.skipped ? 'skip' : 'ok') : 'FAIL'}`).join(' ');
const PASSWORD = 'pw-Zr8Lq2Vx9';
/** An Entra access token for the operator's identity (what DefaultAzureCredential gets on a laptop): its oid is not the pods'. */
const OPERATOR_OID = 'aaaaaaaa-1111-4222-8333-444444444444';
const POD_OID = '11111111-2222-3333-4444-555555555555';
const jwt = (claims: object) => `${Buffer.from('{"typ":"JWT","alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2lnbmF0dXJl`;
const OPERATOR_TOKEN = jwt({ aud: 'https://redis.azure.com', iss: 'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/', oid: OPERATOR_OID, idtyp: 'user', upn: 'alice@example.com', tid: '72f988bf-86f1-41af-91ab-2d7cd011db47' });
const ACL_COMMANDS = [['GET', 'k'], ['SET', 'k', 'v'], ['EXPIRE', 'k', '60'], ['LPUSH', 'q', '1'], ['LLEN', 'q']] as const;

const d = HAVE_REDIS ? describe : describe.skip;

d('RedisSource.probe against real redis-server processes', () => {
  let pass: RedisServer;
  let acl: RedisServer;
  let tlsSrv: RedisServer;
  let wrongName: RedisServer;
  let ca: TestCa;
  let otherCa: TestCa;
  const local = new RedisSource({ from: 'test' });

  beforeAll(async () => {
    ca = makeCa();
    otherCa = makeCa('some other CA');
    const good = ca.issue('localhost', ['DNS:localhost', 'IP:127.0.0.1', 'DNS:cache.example.internal']);
    const bad = ca.issue('elsewhere', ['DNS:redis.elsewhere.example']);
    [pass, acl, tlsSrv, wrongName] = await Promise.all([
      startRedis({ args: ['--requirepass', PASSWORD] }),
      startRedis({
        args: [
          // The cacher's user: reads and writes the cache, but no list commands and no ACL.
          '--user', 'cacher', 'on', '>cacher-pw', '~*', '+get', '+set', '+expire', '+ping', '+info', '+select', '+acl|whoami',
          // A user that may ask ACL DRYRUN but not LPUSH.
          '--user', 'gateway', 'on', '>gateway-pw', '~*', '&*', '+@all', '-lpush',
          // Entra-style login: the username is an object id, the password a token.
          '--user', '11111111-2222-3333-4444-555555555555', 'on', '>tok-fresh-abc', '~*', '&*', '+@all',
          // Azure Cache for Redis checks the user name against the token's own oid: the operator's login.
          '--user', OPERATOR_OID, 'on', `>${OPERATOR_TOKEN}`, '~*', '&*', '+@all',
          '--user', 'default', 'off',
        ],
      }),
      startRedis({ tls: { ...good, ca: ca.caCert }, args: ['--requirepass', PASSWORD] }),
      startRedis({ tls: { ...bad, ca: ca.caCert } }),
    ]);
  }, 30_000);

  afterAll(async () => {
    await Promise.all([pass, acl, tlsSrv, wrongName].filter(Boolean).map((s) => s.stop()));
    ca?.cleanup();
    otherCa?.cleanup();
  });

  describe('requirepass', () => {
    it('runs every step when the password is right', async () => {
      const r = await local.probe(target(`redis://:${PASSWORD}@127.0.0.1:${pass.port}/3`), { aclCommands: ACL_COMMANDS, listLengths: ['model-engine-service-builder'] });
      expect(r.failedStep).toBeUndefined();
      expect(names(r)).toBe('dns:ok tcp:ok tls:skip auth:ok ping:ok select:ok acl:ok latency:ok');
      expect(r.latencyMs).toBeGreaterThanOrEqual(0);
      expect(r.serverVersion).toMatch(/^\d+\.\d+/);
      expect(r.user).toBe('default');
      expect(r.acl?.every((v) => v.allowed === true)).toBe(true);
      expect(r.lists).toEqual({ 'model-engine-service-builder': 0 });
      expect(r.from).toBe('test');
    });

    it('stops at auth with WRONGPASS, and the password appears nowhere in the result', async () => {
      const wrong = 'not-the-pw-Q7';
      const r = await local.probe(target(`redis://:${wrong}@127.0.0.1:${pass.port}/0`));
      expect(r.failedStep).toBe('auth');
      expect(r.errorCode).toBe('WRONGPASS');
      expect(names(r)).toBe('dns:ok tcp:ok tls:skip auth:FAIL');
      const json = JSON.stringify(r);
      expect(json).not.toContain(wrong);
      expect(json).not.toContain(PASSWORD);
      expect(r.target).toBe(`redis://:REDACTED@127.0.0.1:${pass.port}/0`);
    });

    it('names NOAUTH when the URL has no password', async () => {
      const r = await local.probe(target(`redis://127.0.0.1:${pass.port}/0`));
      expect(r.failedStep).toBe('auth');
      expect(r.errorCode).toBe('NOAUTH');
      expect(r.steps.at(-1)?.detail).toMatch(/requires a password and the URL has none/);
    });

    it('stops at SELECT for a database the server does not have', async () => {
      const r = await local.probe(target(`redis://:${PASSWORD}@127.0.0.1:${pass.port}/16`));
      expect(r.failedStep).toBe('select');
      expect(r.errorCode).toBe('DB_OUT_OF_RANGE');
    });

    it('reads list lengths (LLEN) for queues', async () => {
      const { Redis } = await import('ioredis');
      const c = new Redis({ port: pass.port, host: '127.0.0.1', password: PASSWORD, lazyConnect: true });
      await c.connect();
      await c.lpush('model-engine-service-builder', 'a', 'b', 'c');
      await c.set('not-a-list', 'x');
      c.disconnect();
      const r = await local.probe(target(`redis://:${PASSWORD}@127.0.0.1:${pass.port}/0`), { listLengths: ['model-engine-service-builder', 'not-a-list', 'absent'] });
      expect(r.lists).toEqual({ 'model-engine-service-builder': 3, 'not-a-list': null, absent: 0 });
    });
  });

  describe('ACL users', () => {
    it('falls back to read-only trials when the user may not run ACL DRYRUN', async () => {
      const r = await local.probe(target(`redis://cacher:cacher-pw@127.0.0.1:${acl.port}/0`), { aclCommands: ACL_COMMANDS });
      expect(r.failedStep).toBe('acl');
      expect(r.errorCode).toBe('NOPERM');
      expect(r.user).toBe('cacher');
      const byName = Object.fromEntries((r.acl ?? []).map((v) => [v.command, v.allowed]));
      expect(byName).toEqual({ GET: true, SET: 'unknown', EXPIRE: 'unknown', LPUSH: 'unknown', LLEN: false });
      expect(r.steps.at(-1)?.detail).toMatch(/may not run: LLEN \(read-only trial\)/);
    });

    it('uses ACL DRYRUN when allowed and names the denied command', async () => {
      const r = await local.probe(target(`redis://gateway:gateway-pw@127.0.0.1:${acl.port}/0`), { aclCommands: ACL_COMMANDS });
      expect(r.failedStep).toBe('acl');
      const denied = (r.acl ?? []).filter((v) => v.allowed === false);
      expect(denied.map((v) => v.command)).toEqual(['LPUSH']);
      expect(denied[0]?.detail).toMatch(/^ACL DRYRUN: This user has no permissions to run the 'lpush' command/);
    });

    it('reports WRONGPASS for a known user with a wrong password and NOAUTH-like failure for the disabled default user', async () => {
      const r = await local.probe(target(`redis://cacher:nope@127.0.0.1:${acl.port}/0`));
      expect(r.errorCode).toBe('WRONGPASS');
      const anon = await local.probe(target(`redis://127.0.0.1:${acl.port}/0`));
      expect(anon.failedStep).toBe('auth');
      expect(anon.errorCode).toBe('NOAUTH');
    });

    it('logs in with an Entra-style token from the token source, never printing it', async () => {
      const fresh = new RedisSource({
        from: 'test',
        tokens: { rawToken: async () => ({ token: secret('tok-fresh-abc'), expiresOn: new Date('2030-01-01T00:00:00Z') }) },
      });
      const t: RedisTarget = {
        host: '127.0.0.1',
        port: acl.port,
        tls: false,
        verifyCertificate: true,
        db: 0,
        credential: { kind: 'entra-token', username: '11111111-2222-3333-4444-555555555555', scope: 'https://redis.azure.com/.default' },
        display: `redis://11111111-2222-3333-4444-555555555555:<token>@127.0.0.1:${acl.port}`,
      };
      const ok = await fresh.probe(t);
      expect(ok.failedStep).toBeUndefined();
      expect(ok.steps.find((s) => s.name === 'auth')?.detail).toMatch(/Entra token expiring 2030-01-01/);
      const expired = new RedisSource({ from: 'test', tokens: { rawToken: async () => ({ token: secret('tok-expired-xyz'), expiresOn: new Date('2020-01-01T00:00:00Z') }) } });
      const bad = await expired.probe(t);
      expect(bad.errorCode).toBe('WRONGPASS');
      expect(JSON.stringify([ok, bad])).not.toMatch(/tok-(fresh|expired)/);
      const none = await new RedisSource({ from: 'test' }).probe(t);
      expect(none.errorCode).toBe('TOKEN_UNAVAILABLE');
    });

    it("logs in as the token's own oid (the operator's), not the pods' AZURE_OBJECT_ID, and says whose access it tested", async () => {
      const operator = new RedisSource({ from: 'this machine (laptop)', tokens: { rawToken: async () => ({ token: secret(OPERATOR_TOKEN), expiresOn: new Date('2030-01-01T00:00:00Z') }) } });
      const t: RedisTarget = {
        host: '127.0.0.1',
        port: acl.port,
        tls: false,
        verifyCertificate: true,
        db: 0,
        credential: { kind: 'entra-token', username: POD_OID, scope: 'https://redis.azure.com/.default' },
        display: `redis://${POD_OID}:<Entra token>@127.0.0.1:${acl.port}/0`,
      };
      const r = await operator.probe(t, { aclCommands: ACL_COMMANDS });
      expect(r.failedStep).toBeUndefined();
      // ACL WHOAMI: the server knows the session as the operator's object id.
      expect(r.user).toBe(OPERATOR_OID);
      expect(r.entraIdentity).toEqual({ objectId: OPERATOR_OID, kind: 'user', podObjectId: POD_OID });
      expect(r.steps.find((s) => s.name === 'auth')?.detail).toBe(
        `authenticated as ${OPERATOR_OID} — the identity this machine (laptop) got a token for (the token's oid), not the pods' AZURE_OBJECT_ID ${POD_OID}, with an Entra token expiring 2030-01-01T00:00:00.000Z`,
      );
      expect(JSON.stringify(r)).not.toContain(OPERATOR_TOKEN);
    });
  });

  describe('TLS', () => {
    it('verifies the chain with the CA and runs every step', async () => {
      const src = new RedisSource({ from: 'test', ca: ca.caPem });
      const r = await src.probe(target(`rediss://:${PASSWORD}@localhost:${tlsSrv.port}/0`));
      expect(names(r)).toBe('dns:ok tcp:ok tls:ok auth:ok ping:ok select:skip acl:skip latency:ok');
      expect(r.steps.find((s) => s.name === 'tls')?.detail).toMatch(/TLSv1\.[23]; certificate CN=localhost issued by model-engine-doctor test CA.*verified/);
    });

    it('names an untrusted CA (no CA given, or the wrong one)', async () => {
      const r1 = await local.probe(target(`rediss://:${PASSWORD}@localhost:${tlsSrv.port}/0`));
      expect([r1.failedStep, r1.errorCode]).toEqual(['tls', 'CERT_UNTRUSTED']);
      const r2 = await new RedisSource({ from: 'test', ca: otherCa.caPem }).probe(target(`rediss://:${PASSWORD}@localhost:${tlsSrv.port}/0`));
      expect([r2.failedStep, r2.errorCode]).toEqual(['tls', 'CERT_UNTRUSTED']);
    });

    it('names a certificate issued for another host name', async () => {
      const r = await new RedisSource({ from: 'test', ca: ca.caPem }).probe(target(`rediss://localhost:${wrongName.port}/0`));
      expect([r.failedStep, r.errorCode]).toEqual(['tls', 'CERT_HOSTNAME_MISMATCH']);
      expect(r.steps.at(-1)?.detail).toMatch(/redis\.elsewhere\.example/);
    });

    it('skips certificate checks for ssl_cert_reqs=none, as the Celery broker URL does', async () => {
      const r = await local.probe(target(`rediss://:${PASSWORD}@localhost:${tlsSrv.port}/3?ssl_cert_reqs=none`));
      expect(r.failedStep).toBeUndefined();
      expect(r.steps.find((s) => s.name === 'tls')?.detail).toMatch(/not verified \(ssl_cert_reqs=none/);
    });

    it('checks the certificate against the configured name when the host is overridden to loopback', async () => {
      const src = new RedisSource({ from: 'test', ca: ca.caPem, resolve: { 'cache.example.internal': { host: '127.0.0.1', port: tlsSrv.port } } });
      const r = await src.probe(target(`rediss://:${PASSWORD}@cache.example.internal:6380/0`));
      expect(r.failedStep).toBeUndefined();
      expect(r.steps[0]?.detail).toBe('cache.example.internal overridden to 127.0.0.1');
    });

    it('names a TLS port spoken as plain redis://', async () => {
      const r = await local.probe(target(`redis://:${PASSWORD}@127.0.0.1:${tlsSrv.port}/0`));
      expect([r.failedStep, r.errorCode]).toEqual(['tls', 'PORT_EXPECTS_TLS']);
    });

    it('names a plain port spoken as rediss:// (6379 instead of 6380) within the step timeout', async () => {
      const t0 = Date.now();
      const r = await local.probe(target(`rediss://:${PASSWORD}@127.0.0.1:${pass.port}/0`), { timeoutMs: 2000 });
      expect([r.failedStep, r.errorCode]).toEqual(['tls', 'PORT_IS_PLAIN']);
      expect(Date.now() - t0).toBeLessThan(2000);
    });
  });

  describe('unreachable and silent servers', () => {
    it('a listener that never answers costs no more than the timeout (plain and TLS)', async () => {
      const silent = await startSilentListener();
      try {
        let t0 = Date.now();
        const plain = await local.probe(target(`redis://127.0.0.1:${silent.port}/0`), { timeoutMs: 400 });
        expect([plain.failedStep, plain.errorCode]).toEqual(['ping', 'NO_REPLY']);
        expect(Date.now() - t0).toBeLessThan(1000);
        t0 = Date.now();
        const secure = await local.probe(target(`rediss://127.0.0.1:${silent.port}/0`), { timeoutMs: 400 });
        expect([secure.failedStep, secure.errorCode]).toEqual(['tls', 'TLS_TIMEOUT']);
        expect(Date.now() - t0).toBeLessThan(1000);
      } finally {
        await silent.close();
      }
    });

    it('a closed port stops at tcp with ECONNREFUSED', async () => {
      const port = await freePort();
      const r = await local.probe(target(`redis://127.0.0.1:${port}/0`));
      expect([r.failedStep, r.errorCode]).toEqual(['tcp', 'ECONNREFUSED']);
      expect(names(r)).toBe('dns:ok tcp:FAIL');
    });

    it('a name that does not resolve stops at dns', async () => {
      const offline = new RedisSource({ from: 'test', network: 'all', lookup: async (h) => Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${h}`), { code: 'ENOTFOUND' })) });
      const r = await offline.probe(target('redis://model-engine-redis.invalid:6379/0'), { timeoutMs: 2000 });
      expect(r.failedStep).toBe('dns');
      expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(r.errorCode);
    });

    it('an aborted signal stops the probe', async () => {
      const silent = await startSilentListener();
      try {
        const ac = new AbortController();
        setTimeout(() => ac.abort(), 100);
        await expect(local.probe(target(`redis://127.0.0.1:${silent.port}/0`), { timeoutMs: 5000, signal: ac.signal })).rejects.toThrow('cancelled');
      } finally {
        await silent.close();
      }
    });
  });
});

describe('redisTargetFromUrl', () => {
  it.each([
    ['redis://host:6379/15', { host: 'host', port: 6379, tls: false, db: 15, verifyCertificate: true, display: 'redis://host:6379/15', cred: 'none' }],
    ['rediss://host', { host: 'host', port: 6379, tls: true, db: 0, verifyCertificate: true, display: 'rediss://host:6379/0', cred: 'none' }],
    ['rediss://:tok@h:6380/3?ssl_cert_reqs=none', { host: 'h', port: 6380, tls: true, db: 3, verifyCertificate: false, display: 'rediss://:REDACTED@h:6380/3?ssl_cert_reqs=none', cred: 'password' }],
    ['redis://user:p%40ss@h/2', { host: 'h', port: 6379, tls: false, db: 2, verifyCertificate: true, display: 'redis://user:REDACTED@h:6379/2', cred: 'password' }],
    ['redis://h:6379?db=4', { host: 'h', port: 6379, tls: false, db: 4, verifyCertificate: true, display: 'redis://h:6379/4', cred: 'none' }],
    ['redis://h:6379/abc', { host: 'h', port: 6379, tls: false, db: 0, verifyCertificate: true, display: 'redis://h:6379/0', cred: 'none' }],
  ])('%s', (url, want) => {
    const t = redisTargetFromUrl(url, secret)!;
    expect({ host: t.host, port: t.port, tls: t.tls, db: t.db, verifyCertificate: t.verifyCertificate, display: t.display, cred: t.credential.kind }).toEqual(want);
  });

  it('decodes the password but never shows it', () => {
    const t = redisTargetFromUrl('redis://user:p%40ss@h/2', secret)!;
    expect(t.credential.kind === 'password' && t.credential.username).toBe('user');
    expect(JSON.stringify(t)).not.toContain('p@ss');
    expect(String(t.credential.kind === 'password' ? t.credential.password : '')).toBe('REDACTED');
  });

  it.each(['http://h', 'not a url', 'unix:///tmp/redis.sock'])('rejects %s', (url) => {
    expect(redisTargetFromUrl(url, secret)).toBeUndefined();
  });
});
