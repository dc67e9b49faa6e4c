/**
 * Flags that mean what a kubectl/helm user expects, end to end: the built CLI in a child process (bin entry →
 * dist), against the demo snapshot and the snapshot API server on loopback.
 * Covered here: -v is verbosity (never the version) and the `version` command; durations with units; `collect`'s
 * path (positional / --file; -o deprecated); `--probes`/`--no-probes` and snapshot runs that do not probe.
 */
import { describe, expect, it } from '@jest/globals';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import type { Report } from '../../src/engine/index.js';
import { startSnapshotServer } from '../../src/sources/server/api-server.js';
import { loadSnapshot } from '../../src/sources/snapshot/load.js';
import { builtSkipReason, DEMO, demoServer, oneLine, ROOT, runBuilt } from './built-cli.js';

const d = builtSkipReason ? describe.skip : describe;
if (builtSkipReason) it(`skipped: ${builtSkipReason}`, () => undefined);

const PKG_VERSION = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const demo = demoServer();
d('-v is kubectl verbosity, never the version', () => {
  it('`triage --kubeconfig k -v=6` checks (and fails on the missing kubeconfig) instead of printing the version', async () => {
    const r = await runBuilt(['triage', '--kubeconfig', join(demo.tmp(), 'k'), '-v=6']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/kubeconfig not found: .*\/k$/m);
    expect(oneLine(r)).toBe(true);
  });

  it.each([[['-v=6']], [['--v=6']], [['-v', '6']], [['--v', '7']]])('%j logs every Kubernetes API request on stderr, as kubectl -v=6 does', async (flag) => {
    const r = await runBuilt(['triage', '--kubeconfig', demo.kubeconfig(), '--only', 'control-plane', '-o', 'json', ...flag]);
    expect(r.code).toBe(3);
    expect((JSON.parse(r.stdout) as Report).command).toBe('triage');
    const port = new URL(demo.server().url).port;
    expect(r.stderr).toMatch(new RegExp(`^GET http://127\\.0\\.0\\.1:${port}/version 200 OK in \\d+ milliseconds$`, 'm'));
    expect(r.stderr).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/apis\/apps\/v1\/namespaces\/model-engine\/deployments\?limit=500 200 OK in \d+ milliseconds$/m);
    // Headers are never logged (they carry credentials).
    expect(r.stderr).not.toMatch(/authorization/i);
  });

  it('below 6 it logs nothing extra', async () => {
    const r = await runBuilt(['triage', '--kubeconfig', demo.kubeconfig(), '--only', 'control-plane', '-o', 'json', '-v=2']);
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(/^GET /m);
  });

  it.each([[['-v']], [['triage', '-v=x']], [['-v=11', 'checks']]])('%j is a one-line usage error (exit 2), not the version', async (args) => {
    const r = await runBuilt(args);
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain(PKG_VERSION);
    expect(r.stderr).toMatch(/kubectl's verbosity/);
    expect(r.stderr).toMatch(/--version or the version command/);
    expect(oneLine(r)).toBe(true);
  });

  it('--version prints the bare version; `version` adds Node.js and the platform; `version -o json` is machine-readable', async () => {
    const bare = await runBuilt(['--version']);
    expect(bare).toMatchObject({ code: 0, stdout: `${PKG_VERSION}\n` });
    const text = await runBuilt(['version']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^model-engine-doctor ${PKG_VERSION.replace(/\./g, '\\.')} \\(node v\\d+\\.\\d+\\.\\d+, (linux|darwin|win32)/(x64|arm64)\\)\\n$`));
    const json = await runBuilt(['version', '-o', 'json']);
    expect(json.code).toBe(0);
    const info = JSON.parse(json.stdout) as { version: string; node: string; platform: string };
    expect(info.version).toBe(PKG_VERSION);
    expect(info.node).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(Number(info.node.slice(1).split('.')[0])).toBeGreaterThanOrEqual(22);
    expect(info.platform).toBe(`${process.platform}/${process.arch}`);
  });
});

d('durations take a unit: 500ms, 10s, 2m, 1h', () => {
  it.each([['--timeout', '30s'], ['--timeout', '1m30s'], ['--timeout', '2m'], ['--timeout', '500ms']])('%s %s is accepted', async (flag, value) => {
    const r = await runBuilt(['triage', '--snapshot', DEMO, '--only', 'control-plane', '-o', 'json', flag, value]);
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(/warning/);
  });

  it('a bare --timeout is seconds, like every other duration: --timeout 30 runs, with no warning', async () => {
    const r = await runBuilt(['triage', '--snapshot', DEMO, '--only', 'control-plane', '-o', 'json', '--timeout', '30']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('');
  });

  it('an old millisecond --timeout (a bare 1000 or more) is exit 2 with one line spelling both readings, not an eight-hour timeout', async () => {
    const r = await runBuilt(['triage', '--snapshot', DEMO, '--only', 'control-plane', '-o', 'json', '--timeout', '30000']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(oneLine(r)).toBe(true);
    expect(r.stderr).toMatch(/--timeout 30000: a bare number is seconds \(8h20m\), no longer milliseconds — write the unit: --timeout 30s or --timeout 8h20m/);
  });

  it.each([['500ms'], ['0.5']])('--timeout %s is half a second: a check whose list takes 3 s times out after 500 ms', async (value) => {
    const slow = await startSnapshotServer({
      snapshot: await loadSnapshot(DEMO),
      faults: [{ match: { pathPrefix: '/api/v1/namespaces/model-engine/pods' }, delayMs: 3000 }],
    });
    const cfg = join(demo.tmp(), `slow-kubeconfig-${value}`);
    await writeFile(cfg, slow.kubeconfig);
    try {
      const r = await runBuilt(['triage', '--kubeconfig', cfg, '--only', 'control-plane/deployments-available', '-o', 'json', '--timeout', value]);
      expect(r.code).toBe(3);
      const result = (JSON.parse(r.stdout) as Report).results.find((x) => x.id === 'control-plane/deployments-available');
      expect(result).toMatchObject({ status: 'error', message: 'check timed out after 500ms' });
    } finally {
      await slow.close();
    }
  });

  it('--interval takes a duration; a healthy endpoint ends --watch at once with exit 0', async () => {
    const r = await runBuilt(['endpoint', 'end_ct49q4hn2ojg00a4qkf0', '--snapshot', DEMO, '--watch', '--interval', '2m', '-o', 'text']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/HEALTHY/);
  });

  it('--interval 500ms re-diagnoses every half second (not every 500 s) until Ctrl-C (exit 130)', async () => {
    const lines = (out: string) => out.split('\n').filter(Boolean);
    const r = await runBuilt(['endpoint', 'end_ct4p8uhn2ojg00a4qkgg', '--snapshot', DEMO, '--watch', '--interval', '500ms', '-o', 'json'], {
      interruptWhen: (out) => lines(out).length >= 3,
    });
    expect(r.code).toBe(130);
    const at = lines(r.stdout).map((l) => Date.parse((JSON.parse(l) as { evaluatedAt: string }).evaluatedAt));
    expect(at.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < at.length; i++) {
      expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(500);
      expect(at[i]! - at[i - 1]!).toBeLessThan(30_000);
    }
  });

  it.each([
    ['--timeout', 'soon', /--timeout: "soon" is not a duration \(e\.g\. 500ms, 10s, 2m, 1h/],
    ['--timeout', '0s', /--timeout: "0s" must be longer than zero/],
    ['--interval', '-5', /--interval: "-5" is not a duration/],
  ])('%s %s is a one-line usage error', async (flag, value, message) => {
    const args = flag === '--interval' ? ['endpoint', 'x', '--snapshot', DEMO, '--watch', flag, value] : ['triage', '--snapshot', DEMO, flag, value];
    const r = await runBuilt(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(oneLine(r)).toBe(true);
  });
});

d('collect takes its path as an argument or --file; -o is the output format everywhere', () => {
  it.each([
    ['positional', (p: string) => [p]],
    ['--file', (p: string) => ['--file', p]],
  ])('collect with the path as %s writes a snapshot that replays', async (name, pathArgs) => {
    const out = join(demo.tmp(), `collected-${name.replace(/\W/g, '')}.tar.gz`);
    const r = await runBuilt(['collect', ...pathArgs(out), '--kubeconfig', demo.kubeconfig()]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/wrote .*objects.*secrets redacted/);
    expect(r.stderr).not.toMatch(/deprecated/);
    const replay = await runBuilt(['triage', '--snapshot', out, '--only', 'control-plane', '-o', 'json']);
    expect(replay.code).toBe(3);
  });

  it('collect -o PATH still writes, for one release, with a deprecation warning on stderr', async () => {
    const out = join(demo.tmp(), 'collected-o');
    const r = await runBuilt(['collect', '-o', out, '--kubeconfig', demo.kubeconfig()]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^model-engine-doctor: warning: collect -o PATH is deprecated .*: use collect .*collected-o or --file .*collected-o$/m);
    expect(await readdir(out)).toContain('snapshot-info.json');
  });

  it.each([
    [[], /collect needs a snapshot path: model-engine-doctor collect snap\.tar\.gz/],
    [['a.tar.gz', '--file', 'b.tar.gz'], /collect takes one snapshot path, got the path argument a\.tar\.gz and --file b\.tar\.gz/],
  ])('collect %j is a one-line usage error', async (args, message) => {
    const r = await runBuilt(['collect', ...args, '--kubeconfig', demo.kubeconfig()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(oneLine(r)).toBe(true);
  });

  it('collect --help shows the path argument and --file, and no -o', async () => {
    const r = await runBuilt(['collect', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: model-engine-doctor collect \[options\] \[path\]/);
    expect(r.stdout).toMatch(/--file <path>/);
    expect(r.stdout).not.toMatch(/-o, --output/);
  });
});

/** A loopback TCP listener that counts connections (the "registry" a probe would reach). */
async function counter(): Promise<{ port: number; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const srv = net.createServer((c) => {
    n++;
    c.destroy();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as net.AddressInfo).port, count: () => n, close: () => new Promise((r) => srv.close(() => r())) };
}

/** The demo snapshot with its ECR registry moved to a loopback port, so a probe would connect to it. */
async function loopbackRegistrySnapshot(port: number): Promise<string> {
  const dir = join(demo.tmp(), `snap-${port}`);
  await cp(DEMO, dir, { recursive: true });
  for (const f of await readdir(dir, { recursive: true })) {
    const path = join(dir, String(f));
    if (!/\.(ya?ml|json)$/.test(path)) continue;
    const text = await readFile(path, 'utf8');
    if (text.includes('111122223333.dkr.ecr.us-east-1.amazonaws.com')) {
      await writeFile(path, text.replaceAll('111122223333.dkr.ecr.us-east-1.amazonaws.com', `127.0.0.1:${port}`));
    }
  }
  return dir;
}

d('network probes: live runs probe, snapshot runs only with --probes, --no-probes never', () => {
  it('a snapshot run does not contact the registries its images name; --probes does', async () => {
    const registry = await counter();
    try {
      const snap = await loopbackRegistrySnapshot(registry.port);
      const quiet = await runBuilt(['triage', '--snapshot', snap, '--only', 'images', '-o', 'json']);
      expect(quiet.code).toBe(3);
      expect(registry.count()).toBe(0);
      const skipped = (JSON.parse(quiet.stdout) as Report).results.filter((x) => x.id === 'images/control-plane-pullable');
      expect(skipped.length).toBeGreaterThan(0);
      for (const x of skipped) expect(x.message).toMatch(/network probes are disabled \(--no-probes, or --snapshot without --probes\)/);

      const probed = await runBuilt(['triage', '--snapshot', snap, '--only', 'images', '-o', 'json', '--probes']);
      expect(probed.code).toBe(3);
      expect(registry.count()).toBeGreaterThan(0);
    } finally {
      await registry.close();
    }
  });

  it('--cloud-api on a snapshot makes no cloud call without --probes, and says so; with --probes it calls', async () => {
    const aws = await counter();
    const env = {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${aws.port}`,
      AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${aws.port}`,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example-secret',
      AWS_REGION: 'us-east-1',
    };
    try {
      const quiet = await runBuilt(['triage', '--snapshot', DEMO, '--cloud-api', '--only', 'redis/cache-url,broker/queues', '-o', 'json'], { env });
      expect(aws.count()).toBe(0);
      const results = (JSON.parse(quiet.stdout) as Report).results;
      expect(results.length).toBeGreaterThan(0);
      expect(results.some((x) => /network probes are disabled \(--no-probes, or --snapshot without --probes\); no cloud API call was made/.test(x.message))).toBe(true);
      await runBuilt(['triage', '--snapshot', DEMO, '--cloud-api', '--probes', '--only', 'redis/cache-url,broker/queues', '-o', 'json'], { env });
      expect(aws.count()).toBeGreaterThan(0);
    } finally {
      await aws.close();
    }
  });

  it('a live run probes by default and not with --no-probes', async () => {
    const registry = await counter();
    const live = await startSnapshotServer({ snapshot: await loadSnapshot(await loopbackRegistrySnapshot(registry.port)) });
    const cfg = join(demo.tmp(), 'live-probes-kubeconfig');
    await writeFile(cfg, live.kubeconfig);
    try {
      const off = await runBuilt(['triage', '--kubeconfig', cfg, '--only', 'images', '-o', 'json', '--no-probes']);
      expect(off.code).toBe(3);
      expect(registry.count()).toBe(0);
      const on = await runBuilt(['triage', '--kubeconfig', cfg, '--only', 'images', '-o', 'json']);
      expect(on.code).toBe(3);
      expect(registry.count()).toBeGreaterThan(0);
    } finally {
      await live.close();
      await registry.close();
    }
  });
});
