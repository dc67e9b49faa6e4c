/**
 * kubectl's cluster flags end to end (built CLI in a child process, snapshot API server on loopback):
 * KUBECONFIG lists (missing and empty entries skipped, a malformed one an error), `--cluster`/`--user` overrides,
 * impersonation headers (`--as`, `--as-group`) as the server receives them, and preflight/mirror-plan that run
 * offline when no cluster is configured or reachable (saying so in one line) or with `--offline`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import type { Report } from '../../src/engine/index.js';
import { startSnapshotServer, type SnapshotServer } from '../../src/sources/server/api-server.js';
import { loadSnapshot } from '../../src/sources/snapshot/load.js';
import { builtSkipReason, DEMO, demoServer, oneLine, ROOT, runBuilt } from './built-cli.js';

const d = builtSkipReason ? describe.skip : describe;
if (builtSkipReason) it(`skipped: ${builtSkipReason}`, () => undefined);

const VALUES = join(ROOT, 'fixtures/values/gcp-good.yaml');

const demo = demoServer({ recordHeaders: true });
let closedKubeconfig: string;
let closedPort: number;

async function closedPortNumber(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

beforeAll(async () => {
  closedPort = await closedPortNumber();
  closedKubeconfig = join(demo.tmp(), 'closed-kubeconfig');
  await writeFile(closedKubeconfig, demo.server().kubeconfig.replace(/http:\/\/127\.0\.0\.1:\d+/, `http://127.0.0.1:${closedPort}`));
});

const report = (stdout: string) => JSON.parse(stdout) as Report;

d('KUBECONFIG lists, as kubectl reads them', () => {
  it('entries that do not exist are skipped; an empty file is an empty config', async () => {
    const empty = join(demo.tmp(), 'empty.yaml');
    await writeFile(empty, '\n');
    const r = await runBuilt(['triage', '--only', 'control-plane', '-o', 'json'], {
      env: { KUBECONFIG: [join(demo.tmp(), 'missing-1.yaml'), empty, demo.kubeconfig(), join(demo.tmp(), 'missing-2.yaml')].join(delimiter), HOME: demo.tmp() },
    });
    expect(r.code).toBe(3);
    expect(report(r.stdout).target.mode).toBe('live');
  });

  it('a file that exists but is malformed is a one-line error naming it', async () => {
    const broken = join(demo.tmp(), 'broken.yaml');
    await writeFile(broken, 'apiVersion: v1\nclusters: [unclosed\n');
    const r = await runBuilt(['triage', '-o', 'json'], { env: { KUBECONFIG: [broken, demo.kubeconfig()].join(delimiter), HOME: demo.tmp() } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^model-engine-doctor: error: cannot read kubeconfig ${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
    expect(oneLine(r)).toBe(true);
  });

  it('triage with no existing KUBECONFIG entry is a one-line error (it needs a cluster)', async () => {
    const r = await runBuilt(['triage'], { env: { KUBECONFIG: join(demo.tmp(), 'nope.yaml'), HOME: demo.tmp() } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/kubeconfig not found: no file in KUBECONFIG exists/);
    expect(oneLine(r)).toBe(true);
  });
});

d('preflight and mirror-plan without a cluster', () => {
  it.each([
    ['KUBECONFIG names a missing file', () => ({ KUBECONFIG: join(demo.tmp(), 'missing.yaml'), HOME: demo.tmp() }), /no file in KUBECONFIG exists/],
    ['the current context is unreachable', () => ({ KUBECONFIG: closedKubeconfig, HOME: demo.tmp() }), /cannot reach the cluster at http:\/\/127\.0\.0\.1:\d+/],
    ['nothing is configured', () => ({ KUBECONFIG: undefined, HOME: demo.tmp() }), /no kubeconfig found/],
  ])('%s: preflight -f runs offline, saying so in one line on stderr', async (_name, env, reason) => {
    const r = await runBuilt(['preflight', '-f', VALUES, '-o', 'json'], { env: env() });
    expect(r.code).toBe(0);
    expect(report(r.stdout).target.mode).toBe('offline');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(reason);
    expect(lines[0]).toMatch(/checking without a cluster \(offline: values only\)\. Pass --offline to skip this\.$/);
  });

  it('a reachable current context adds the live cross-checks', async () => {
    const r = await runBuilt(['preflight', '-f', VALUES, '-o', 'json'], { env: { KUBECONFIG: demo.kubeconfig(), HOME: demo.tmp() } });
    expect(report(r.stdout).target.mode).toBe('live');
    expect(r.stderr).not.toMatch(/offline/);
  });

  it('--offline never touches the cluster, even a reachable one, and says nothing', async () => {
    const before = demo.server().requestLog.length;
    const r = await runBuilt(['preflight', '-f', VALUES, '-o', 'json', '--offline'], { env: { KUBECONFIG: demo.kubeconfig(), HOME: demo.tmp() } });
    expect(r.code).toBe(0);
    expect(report(r.stdout).target.mode).toBe('offline');
    expect(demo.server().requestLog.length).toBe(before);
    expect(r.stderr).toBe('');
  });

  it('mirror-plan -f also plans offline when the cluster is unreachable', async () => {
    const r = await runBuilt(['mirror-plan', '-f', join(ROOT, 'fixtures/values/aws-good.yaml'), '-o', 'json'], { env: { KUBECONFIG: closedKubeconfig, HOME: demo.tmp() } });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { plan: unknown }).plan).toBeDefined();
    expect(r.stderr).toMatch(/cannot reach the cluster.*checking without a cluster/);
  });

  it.each([
    [['preflight', '-f', 'VALUES', '--kubeconfig', 'CLOSED'], /cannot reach the cluster at http:\/\/127\.0\.0\.1/],
    [['preflight', '-f', 'VALUES', '--offline', '--snapshot', DEMO], /--offline cannot be combined with --snapshot/],
    [['preflight', '-f', 'VALUES', '--offline', '--context', 'x'], /--offline cannot be combined with --context/],
    [['triage', '--offline'], /unknown option '--offline'/],
  ])('%j is a one-line error with exit 2 (a named cluster must be reached)', async (args, message) => {
    const r = await runBuilt(args.map((a) => (a === 'VALUES' ? VALUES : a === 'CLOSED' ? closedKubeconfig : a)), { env: { HOME: demo.tmp() } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(oneLine(r, 2)).toBe(true);
  });
});

d('--cluster and --user override the context’s, as in kubectl', () => {
  let tls: SnapshotServer;
  let cfg: string;
  beforeAll(async () => {
    tls = await startSnapshotServer({ snapshot: await loadSnapshot(DEMO), tls: true, token: 's3cret-token' });
    cfg = join(demo.tmp(), 'two-clusters');
    await writeFile(
      cfg,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'dead', cluster: { server: `http://127.0.0.1:${closedPort}`, 'insecure-skip-tls-verify': true } },
          { name: 'live', cluster: { server: tls.url, 'certificate-authority-data': Buffer.from(tls.caPem!).toString('base64') } },
        ],
        users: [
          { name: 'nobody', user: { token: 'wrong-token' } },
          { name: 'admin', user: { token: 's3cret-token' } },
        ],
        contexts: [{ name: 'main', context: { cluster: 'dead', user: 'nobody' } }],
        'current-context': 'main',
      }),
    );
  });
  afterAll(async () => {
    await tls?.close();
  });

  it('the context alone reaches the dead cluster (exit 2)', async () => {
    const r = await runBuilt(['triage', '--kubeconfig', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`cannot reach the cluster at http://127\\.0\\.0\\.1:${closedPort}`));
  });

  it('--cluster live reaches the live cluster, whose server refuses the context’s user (401, exit 2)', async () => {
    const r = await runBuilt(['triage', '--kubeconfig', cfg, '--cluster', 'live']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rejected the credentials: 401/);
    expect(r.stderr).not.toContain('wrong-token');
  });

  it('--cluster live --user admin runs the checks', async () => {
    const r = await runBuilt(['triage', '--kubeconfig', cfg, '--cluster', 'live', '--user', 'admin', '--only', 'control-plane', '-o', 'json']);
    expect(r.code).toBe(3);
    expect(report(r.stdout).target).toMatchObject({ mode: 'live', server: tls.url });
    expect(r.stdout).not.toContain('s3cret-token');
  });

  it.each([
    [['--cluster', 'nope'], /cluster "nope" not found in .*two-clusters \(clusters: dead, live\)/],
    [['--user', 'nope'], /user "nope" not found in .*two-clusters \(users: nobody, admin\)/],
  ])('%j names what the kubeconfig has instead (exit 2)', async (flags, message) => {
    const r = await runBuilt(['triage', '--kubeconfig', cfg, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(oneLine(r)).toBe(true);
  });
});

d('impersonation: --as and --as-group as kubectl sends them', () => {
  it('every request carries Impersonate-User and one Impersonate-Group line per group', async () => {
    const before = demo.server().requestLog.length;
    const r = await runBuilt(['triage', '--kubeconfig', demo.kubeconfig(), '--as', 'jane@example.com', '--as-group', 'ml-oncall', '--as-group', 'system:authenticated', '--only', 'control-plane', '-o', 'json']);
    expect(r.code).toBe(3);
    const requests = demo.server().requestLog.slice(before);
    expect(requests.length).toBeGreaterThan(3);
    for (const req of requests) {
      const lines = req.headers ?? [];
      expect(lines.filter(([k]) => k.toLowerCase() === 'impersonate-user').map(([, v]) => v)).toEqual(['jane@example.com']);
      // Two header lines, not one comma-joined line: the API server reads each line as one group.
      expect(lines.filter(([k]) => k.toLowerCase() === 'impersonate-group').map(([, v]) => v)).toEqual(['ml-oncall', 'system:authenticated']);
    }
  });

  it('without --as no impersonation header is sent', async () => {
    const before = demo.server().requestLog.length;
    const r = await runBuilt(['triage', '--kubeconfig', demo.kubeconfig(), '--only', 'control-plane', '-o', 'json']);
    expect(r.code).toBe(3);
    for (const req of demo.server().requestLog.slice(before)) expect((req.headers ?? []).some(([k]) => /^impersonate-/i.test(k))).toBe(false);
  });

  it('--as-group without --as is a one-line error (exit 2), as in kubectl', async () => {
    const r = await runBuilt(['triage', '--kubeconfig', demo.kubeconfig(), '--as-group', 'ml-oncall']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--as-group needs --as/);
    expect(oneLine(r)).toBe(true);
  });
});
