/**
 * The CLI end to end, in process: exit codes, one-line errors, output formats, and the parity of `--snapshot`
 * with the live path (snapshot API server + kubeconfig + the real client).
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import type { Report } from '../../src/engine/index.js';
import { startSnapshotServer } from '../../src/sources/server/api-server.js';
import { loadSnapshot } from '../../src/sources/snapshot/load.js';
import { Capture, runMain } from '../support/capture.js';
import { demoServer } from '../support/demo-server.js';
import { fixture } from '../support/check-tester.js';
import { closedPort } from '../support/net.js';

const DEMO = fixture('fixtures/clusters/demo-aws');

const run = (args: string[], env: Record<string, string | undefined> = {}) => runMain(args, env);

/** Strip what legitimately differs between two runs of the same checks over the same data. */
function comparable(report: Report) {
  return report.results.map(({ durationMs: _d, ...r }) => r);
}

const demo = demoServer();
let tmp: string;
let kubeconfig: string;
const noCluster = () => ({ KUBECONFIG: undefined, HOME: tmp, CI: 'true', NO_COLOR: undefined });

beforeAll(() => {
  tmp = demo.tmp();
  kubeconfig = demo.kubeconfig();
});

describe('help, version and bad input', () => {
  it('prints the version', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('documents the exit codes and examples in --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const code of ['0 ', '1 ', '2 ', '3 ', '4 ', '130']) expect(r.stdout).toContain(`  ${code}`);
    expect(r.stdout).toContain('model-engine-doctor demo');
  });

  it.each([
    [['triage', '--bogus'], /unknown option '--bogus'/],
    [['triage', '--cloud', 'mars'], /--cloud <cloud>' argument 'mars' is invalid/],
    [['triage', '--snapshot', '/nonexistent/snap'], /snapshot not found: \/nonexistent\/snap/],
    [['triage', '--snapshot', DEMO, '--only', 'nope/nothing'], /unknown check or area "nope\/nothing"/],
    [['triage', '--timeout', '-5'], /--timeout: "-5" is not a duration/],
    [['preflight'], /preflight needs helm values/],
    [['preflight', '-f', '/nonexistent/values.yaml'], /nonexistent\/values.yaml/],
    [['triage', '--kubeconfig', '/nonexistent/kubeconfig'], /kubeconfig/],
  ])('%j → exit 2 with one line and no stack', async (args, message) => {
    const r = await run(args, noCluster());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });

  it('a values file with a YAML syntax error names file:line', async () => {
    const bad = join(tmp, 'bad.yaml');
    await writeFile(bad, 'config:\n  values:\n    infra: [unclosed\n  other: 1\n');
    const r = await run(['preflight', '-f', bad, '-o', 'json'], noCluster());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+`));
    expect(r.stdout).toBe('');
  });

  it('an unreachable cluster is a one-line error with exit 2', async () => {
    const port = await closedPort();
    const cfg = join(tmp, 'closed-kubeconfig');
    await writeFile(cfg, demo.server().kubeconfig.replace(/http:\/\/127\.0\.0\.1:\d+/, `http://127.0.0.1:${port}`));
    const r = await run(['triage', '--kubeconfig', cfg, '-o', 'json'], { CI: 'true' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot reach the cluster/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('triage on the demo', () => {
  let snapshotReport: Report;

  it('offline from the snapshot: JSON on stdout, exit 3 because the demo has failures', async () => {
    // --probes: probe as the live runs below do (loopback only in tests), so their results compare one to one.
    const r = await run(['triage', '--snapshot', DEMO, '-o', 'json', '--probes'], { CI: 'true' });
    expect(r.code).toBe(3);
    snapshotReport = JSON.parse(r.stdout) as Report;
    expect(snapshotReport.schemaVersion).toBe(1);
    expect(snapshotReport.command).toBe('triage');
    expect(snapshotReport.target).toMatchObject({ mode: 'snapshot', cloud: 'aws', cloudSource: 'values', valuesOrigin: 'release', namespaces: { controlPlane: 'model-engine', endpoint: 'llm-engine' } });
    expect(snapshotReport.counts.fail).toBeGreaterThan(0);
    expect(snapshotReport.results.find((x) => x.id === 'control-plane/deployments-available' && x.object?.name === 'model-engine-cacher')).toMatchObject({
      status: 'fail',
      messageId: 'unavailable',
    });
    // Machine output carries no ANSI, and no secret from the snapshot.
    expect(r.stdout).not.toMatch(/\u001b\[/);
    // Cloud commands name the cluster the snapshot came from (arn:aws:eks:…:cluster/ml-prod).
    const commands = snapshotReport.results.flatMap((x) => x.remediation?.commands ?? []);
    expect(commands.some((c) => c.includes('--cluster-name ml-prod'))).toBe(true);
    expect(commands.filter((c) => c.includes('<cluster>'))).toEqual([]);
  });

  it('through the snapshot API server with a kubeconfig gives the same results', async () => {
    const r = await run(['triage', '--kubeconfig', kubeconfig, '-o', 'json'], { CI: 'true' });
    expect(r.code).toBe(3);
    const live = JSON.parse(r.stdout) as Report;
    expect(live.target.mode).toBe('live');
    expect(comparable(live)).toEqual(comparable(snapshotReport));
    expect(live.counts).toEqual(snapshotReport.counts);
  });

  it.each(['text', 'markdown', 'junit'] as const)('renders %s without ANSI when not a terminal', async (format) => {
    const r = await run(['triage', '--snapshot', DEMO, '-o', format], { CI: 'true' });
    expect(r.code).toBe(3);
    expect(r.stdout.length).toBeGreaterThan(200);
    expect(r.stdout).not.toMatch(/\u001b\[/);
    if (format === 'junit') expect(r.stdout).toMatch(/^<\?xml/);
  });

  it('--only narrows the run to one area; passing checks give exit 0', async () => {
    const r = await run(['triage', '--snapshot', fixture('fixtures/clusters/healthy-aws'), '--only', 'control-plane', '-o', 'json'], { CI: 'true' });
    const report = JSON.parse(r.stdout) as Report;
    expect(new Set(report.results.map((x) => x.area))).toEqual(new Set(['control-plane']));
    expect(report.counts.fail).toBe(0);
    expect(r.code).toBe(0);
  });

  it('the demo command serves the embedded snapshot and triages it over the API', async () => {
    const r = await run(['demo', '-o', 'json'], { CI: 'true' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/demo: serving the embedded model-engine cluster snapshot/);
    const report = JSON.parse(r.stdout) as Report;
    expect(comparable(report)).toEqual(comparable(snapshotReport));
  });

  it('checks lists every registered check with its docs page', async () => {
    const r = await run(['checks', '-o', 'json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { id: string; docs: string }[];
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) expect(row.docs).toBe(`docs/checks/${row.id}.md`);
  });
});

describe('collect', () => {
  it('writes a redacted snapshot from a live cluster that replays to the same results', async () => {
    const out = join(tmp, 'collected');
    const r = await run(['collect', '--kubeconfig', kubeconfig, '-o', out], { CI: 'true' });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/wrote .*objects.*logs.*secrets redacted/);
    const files = await readdir(out, { recursive: true });
    expect(files).toContain('snapshot-info.json');
    expect(files.some((f) => String(f).startsWith('logs/'))).toBe(true);
    // No Secret value survives, except the redaction marker.
    const secrets = await readFile(join(out, 'model-engine', 'secrets.yaml'), 'utf8');
    const values = [...secrets.matchAll(/^\s+database_url: (\S+)$/gm)].map((m) => Buffer.from(m[1]!, 'base64').toString());
    expect(values.length).toBeGreaterThan(0);
    for (const v of values) expect(v).toBe('REDACTED');
    const replay = await run(['triage', '--snapshot', out, '-o', 'json'], { CI: 'true' });
    const demo = await run(['triage', '--snapshot', DEMO, '-o', 'json'], { CI: 'true' });
    expect(comparable(JSON.parse(replay.stdout) as Report)).toEqual(comparable(JSON.parse(demo.stdout) as Report));
  });

  it('writes a .tar.gz that --snapshot reads', async () => {
    const out = join(tmp, 'snap.tar.gz');
    const r = await run(['collect', '--kubeconfig', kubeconfig, '-o', out], { CI: 'true' });
    expect(r.code).toBe(0);
    const replay = await run(['triage', '--snapshot', out, '-o', 'json', '--only', 'control-plane'], { CI: 'true' });
    expect(replay.code).toBe(3);
  });
});

describe('collect where the install failed', () => {
  it('collects a cluster without a control plane (says where it looked), and the namespace -n names', async () => {
    const server = await startSnapshotServer({ snapshot: await loadSnapshot(fixture('fixtures/clusters/db-setup-stuck')) });
    const cfg = join(tmp, 'no-cp-kubeconfig');
    await writeFile(cfg, server.kubeconfig);
    try {
      const guessed = await run(['collect', '--kubeconfig', cfg, '-o', join(tmp, 'no-cp-1')], { CI: 'true' });
      expect(guessed.code).toBe(0);
      expect(guessed.stderr).toMatch(/^no model-engine control plane found: collecting namespace default \(helm's default\); pass -n NAMESPACE/m);
      const told = await run(['collect', '--kubeconfig', cfg, '-n', 'model-engine', '-o', join(tmp, 'no-cp-2')], { CI: 'true' });
      expect(told.code).toBe(0);
      expect(told.stderr).not.toMatch(/no model-engine control plane/);
      const files = (await readdir(join(tmp, 'no-cp-2'), { recursive: true })).map(String);
      expect(files.filter((f) => f.startsWith('model-engine/'))).not.toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('cancellation', () => {
  it('Ctrl-C during a run stops the probes and exits 130', async () => {
    const slow = await startSnapshotServer({
      snapshot: await loadSnapshot(DEMO),
      faults: [{ match: { pathPrefix: '/apis/apps/v1/namespaces/model-engine/deployments' }, delayMs: 20_000 }],
    });
    const cfg = join(tmp, 'slow-kubeconfig');
    await writeFile(cfg, slow.kubeconfig);
    try {
      const t = Date.now();
      const pending = run(['triage', '--kubeconfig', cfg, '-n', 'model-engine', '-o', 'json'], { CI: 'true' });
      setTimeout(() => process.emit('SIGINT', 'SIGINT'), 1500);
      const r = await pending;
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(/cancelled/);
      expect(r.stdout).toBe('');
      expect(Date.now() - t).toBeLessThan(10_000);
    } finally {
      await slow.close();
    }
  });
});

describe('RBAC gaps and warnings', () => {
  it('a denied list makes the checks that need it skip, naming the permission, and the run goes on', async () => {
    const denied = await startSnapshotServer({
      snapshot: await loadSnapshot(DEMO),
      denials: [{ verb: 'list', resource: 'pods', namespace: 'model-engine' }],
    });
    const cfg = join(tmp, 'denied-kubeconfig');
    await writeFile(cfg, denied.kubeconfig);
    try {
      const r = await run(['triage', '--kubeconfig', cfg, '-o', 'json', '--only', 'control-plane'], { CI: 'true' });
      const report = JSON.parse(r.stdout) as Report;
      const skip = report.results.find((x) => x.id === 'control-plane/deployments-available');
      expect(skip).toMatchObject({ status: 'skip', messageId: 'forbidden' });
      expect(skip!.message).toContain('cannot list pods in namespace model-engine');
      // Other checks still ran.
      expect(report.results.some((x) => x.id === 'control-plane/config-maps' && x.status === 'pass')).toBe(true);
    } finally {
      await denied.close();
    }
  });

  it('--fail-on warn turns a warnings-only run into exit 4', async () => {
    const values = fixture('fixtures/values/gcp-good.yaml');
    const plain = await run(['preflight', '-f', values, '-o', 'json'], noCluster());
    const report = JSON.parse(plain.stdout) as Report;
    expect(report.counts.fail + report.counts.error).toBe(0);
    expect(report.counts.warn).toBeGreaterThan(0);
    expect(plain.code).toBe(0);
    const strict = await run(['preflight', '-f', values, '-o', 'json', '--fail-on', 'warn'], noCluster());
    expect(strict.code).toBe(4);
  });
});

describe('unexpected errors', () => {
  class Broken extends Capture {
    override _write(_chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error) => void) {
      cb(new Error('stdout went away'));
    }
    override write(chunk: unknown, ...rest: unknown[]): boolean {
      void chunk;
      void rest;
      throw new Error('stdout went away');
    }
  }

  it('an internal error is one line with a --debug hint and exit 1; --debug shows the stack', async () => {
    for (const debug of [false, true]) {
      const stderr = new Capture();
      const code = await main(['triage', '--snapshot', DEMO, '-o', 'json', ...(debug ? ['--debug'] : [])], { stdout: new Broken(), stderr });
      expect(code).toBe(1);
      expect(stderr.text).toMatch(/^model-engine-doctor: internal error: stdout went away$/m);
      if (debug) expect(stderr.text).toMatch(/\n\s+at /);
      else {
        expect(stderr.text).toContain('hint: rerun with --debug');
        expect(stderr.text).not.toMatch(/\n\s+at /);
      }
    }
  });
});
