import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitCodeOf, packageVersionCommand, parseProbeOutput, redisProbeCommand, resultLine, unbootstrap } from '../../src/sources/kube/exec.js';
import { REDIS_PROBE_PY } from '../../src/sources/kube/redis-probe-script.js';
import { toolAvailable } from '../support/tools.js';
import { HAVE_REDIS, makeCa, startRedis, type RedisServer, type TestCa } from '../support/redis-servers.js';

describe('exec: command construction and output parsing', () => {
  it('runs the probe script with python -c and one JSON argument', () => {
    const cmd = redisProbeCommand('broker', { db: 3, timeoutMs: 4000, aclCommands: [['LPUSH', 'q', 'x']], listLengths: ['model-engine-service-builder'] });
    expect(cmd.slice(0, 2)).toEqual(['python', '-c']);
    expect(unbootstrap(cmd[2]!)).toBe(REDIS_PROBE_PY);
    // Small enough for API-server proxies that cap the request line at 8 KB.
    expect(encodeURIComponent(cmd.join(' ')).length).toBeLessThan(8000);
    expect(JSON.parse(cmd[3]!)).toEqual({ which: 'broker', db: 3, timeout: 4, acl: [['LPUSH', 'q', 'x']], lists: ['model-engine-service-builder'] });
    expect(packageVersionCommand('azure-servicebus').slice(-1)).toEqual(['azure-servicebus']);
  });

  it('uses model-engine’s own resolution in the pod', () => {
    expect(REDIS_PROBE_PY).toContain('from model_engine_server.common.config import hmi_config');
    expect(REDIS_PROBE_PY).toContain('url = hmi_config.cache_redis_url');
    expect(REDIS_PROBE_PY).toContain('from model_engine_server.core.celery.app import get_redis_endpoint');
  });

  it('parses the result line, names where it ran, and redacts anything credential-shaped', () => {
    const stdout = [
      'some import warning',
      'MED-RESULT ' +
        JSON.stringify({
          target: 'rediss://:REDACTED@h:6380/0',
          steps: [{ name: 'dns', ok: true, ms: 1, detail: 'h resolved to 10.0.0.4' }, { name: 'auth', ok: false, ms: 3, detail: 'AuthenticationError for redis://:hunter2@h:6380/0' }],
          failedStep: 'auth',
          errorCode: 'WRONGPASS',
        }),
    ].join('\n');
    const r = parseProbeOutput({ exitCode: 0, stdout, stderr: '' }, 'pod model-engine/model-engine-abc');
    expect(r.from).toBe('pod model-engine/model-engine-abc');
    expect([r.failedStep, r.errorCode]).toEqual(['auth', 'WRONGPASS']);
    expect(JSON.stringify(r)).not.toContain('hunter2');
  });

  it('explains a script that printed no result', () => {
    expect(() => parseProbeOutput({ exitCode: 1, stdout: '', stderr: 'Traceback…\nModuleNotFoundError: No module named redis' }, 'pod x')).toThrow(/printed no result \(exit 1\): .*No module named redis/);
    expect(resultLine('MED-RESULT 7.14.3\n')).toBe('7.14.3');
    expect(resultLine('nothing')).toBeUndefined();
  });

  it.each([
    [{ status: 'Success' }, 0],
    [{ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '2' }] } }, 2],
    [undefined, undefined],
  ])('exitCodeOf(%j) = %s', (s, want) => expect(exitCodeOf(s)).toBe(want));
});

/**
 * The in-pod script run for real with the system python and redis-py against real redis-server processes, with a
 * stand-in `model_engine_server` package that resolves the URL the way the real one would (from env here).
 */
const PY = '/usr/bin/python3';
const havePy = toolAvailable(
  "python3's redis module",
  (() => {
    try {
      execFileSync(PY, ['-c', 'import redis'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })(),
  'the in-pod probe script',
);

(HAVE_REDIS && havePy ? describe : describe.skip)('the in-pod probe script (python + redis-py, if installed)', () => {
  let pkg: string;
  let pass: RedisServer;
  let tlsSrv: RedisServer;
  let ca: TestCa;
  beforeAll(async () => {
    pkg = mkdtempSync(join(tmpdir(), 'med-mes-'));
    mkdirSync(join(pkg, 'model_engine_server/common'), { recursive: true });
    mkdirSync(join(pkg, 'model_engine_server/core/celery'), { recursive: true });
    for (const d of ['model_engine_server', 'model_engine_server/common', 'model_engine_server/core', 'model_engine_server/core/celery']) writeFileSync(join(pkg, d, '__init__.py'), '');
    writeFileSync(join(pkg, 'model_engine_server/common/config.py'), 'import os\nclass _C:\n    cache_redis_url = os.environ["TEST_CACHE_URL"]\nhmi_config = _C()\n');
    writeFileSync(join(pkg, 'model_engine_server/core/celery/app.py'), 'import os\ndef get_redis_endpoint(db_index=0):\n    return os.environ["TEST_BROKER_URL"].replace("{db}", str(db_index))\n');
    ca = makeCa();
    const cert = ca.issue('localhost', ['DNS:localhost', 'IP:127.0.0.1']);
    [pass, tlsSrv] = await Promise.all([startRedis({ args: ['--requirepass', 'py-pw-42'] }), startRedis({ tls: { ...cert, ca: ca.caCert }, args: ['--requirepass', 'py-pw-42'] })]);
  }, 30_000);
  afterAll(async () => {
    await Promise.all([pass?.stop(), tlsSrv?.stop()]);
    ca?.cleanup();
    rmSync(pkg, { recursive: true, force: true });
  });

  const run = (which: 'cache' | 'broker', env: Record<string, string>, opts: Parameters<typeof redisProbeCommand>[1] = {}) =>
    new Promise<ReturnType<typeof parseProbeOutput>>((resolve, reject) => {
      const [, , script, args] = redisProbeCommand(which, { timeoutMs: 2000, ...opts });
      execFile(PY, ['-c', script!, args!], { env: { PYTHONPATH: pkg, PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
        try {
          resolve(parseProbeOutput({ exitCode: err ? 1 : 0, stdout, stderr }, 'pod test/gateway'));
        } catch (e) {
          reject(e);
        }
      });
    });

  it('runs every step for the cache URL model-engine resolves', async () => {
    const r = await run('cache', { TEST_CACHE_URL: `redis://:py-pw-42@127.0.0.1:${pass.port}/2` }, { aclCommands: [['GET', 'k'], ['LPUSH', 'q', '1']], listLengths: ['model-engine-service-builder'] });
    expect(r.failedStep).toBeUndefined();
    expect(r.steps.map((s) => s.name)).toEqual(['dns', 'tcp', 'tls', 'auth', 'ping', 'select', 'acl', 'latency']);
    expect(r.lists).toEqual({ 'model-engine-service-builder': 0 });
    expect(r.target).toBe(`redis://:REDACTED@127.0.0.1:${pass.port}/2`);
  });

  it('names WRONGPASS and never prints the password', async () => {
    const r = await run('cache', { TEST_CACHE_URL: `redis://:wrong-pw-77@127.0.0.1:${pass.port}/0` });
    expect([r.failedStep, r.errorCode]).toEqual(['auth', 'WRONGPASS']);
    expect(JSON.stringify(r)).not.toContain('wrong-pw-77');
  });

  it('resolves the broker URL for the db and speaks TLS with ssl_cert_reqs=none', async () => {
    const r = await run('broker', { TEST_BROKER_URL: `rediss://:py-pw-42@localhost:${tlsSrv.port}/{db}?ssl_cert_reqs=none` }, { db: 3 });
    expect(r.failedStep).toBeUndefined();
    expect(r.target).toBe(`rediss://:REDACTED@localhost:${tlsSrv.port}/3?ssl_cert_reqs=none`);
    expect(r.steps.find((s) => s.name === 'tls')?.detail).toMatch(/not verified/);
  });

  it('names an untrusted certificate and a TLS port spoken as plain', async () => {
    const untrusted = await run('cache', { TEST_CACHE_URL: `rediss://:py-pw-42@localhost:${tlsSrv.port}/0` });
    expect([untrusted.failedStep, untrusted.errorCode]).toEqual(['tls', 'CERT_UNTRUSTED']);
    const plain = await run('cache', { TEST_CACHE_URL: `redis://:py-pw-42@127.0.0.1:${tlsSrv.port}/0` });
    expect([plain.failedStep, plain.errorCode]).toEqual(['tls', 'PORT_EXPECTS_TLS']);
  });

  it('reports a config that cannot resolve (e.g. the Azure assertion) as a CONFIG failure', async () => {
    const r = await run('cache', {});
    expect([r.failedStep, r.errorCode]).toEqual(['dns', 'CONFIG']);
    expect(r.steps[0]?.detail).toMatch(/KeyError/);
  });
});
