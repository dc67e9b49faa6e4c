/**
 * Secrets never leak: every shape of the corpus, and credentials planted where a cluster keeps them (env values,
 * container arguments and commands, annotations, last-applied-configuration, ConfigMap strings and service config,
 * Secret data and stringData, pull secrets, event and status messages, the helm release's values, a values file,
 * container logs), in a copy of the demo cluster. Then every way out is read and must hold none of them:
 * triage and endpoint in text, JSON, Markdown and JUnit; `collect`'s folder and tarball; `serve` of the unredacted
 * snapshot, over raw HTTP and through the real @kubernetes/client-node (and triage through it); and the one-line
 * errors for a kubeconfig whose server URL holds a password and an exec plugin that prints a token on stderr.
 * Each check also asserts that the lines around the secrets did come out, so that no assertion passes vacuously.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { parse } from 'yaml';
import { serveCommand } from '../../src/commands/serve.js';
import { CancelledError } from '../../src/engine/errors.js';
import type { KubeObject } from '../../src/engine/types.js';
import { loadSnapshot } from '../../src/sources/snapshot/load.js';
import { decodeRelease } from '../../src/sources/values/release.js';
import { fixture } from '../support/check-tester.js';
import { main } from '../../src/cli.js';
import { runMain } from '../support/capture.js';
import { FakeStdin, FakeStdout, osc52Copies, screenText } from '../support/terminal.js';
import { Capture } from '../support/cli.js';
import { PLANTED, leaks, markersIn, writePlantedCluster } from './planted.js';
import { SECRET_SHAPES } from './secret-shapes.js';
import { filesUnder, logFilesOf, runCli, writeSnapshotFolder } from './support.js';

jest.setTimeout(120_000);

let root: string;
let snapshotDir: string;
let valuesFile: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'med-leak-'));
  ({ snapshotDir, valuesFile } = await writePlantedCluster(root));
});
afterAll(async () => {
  if (process.env.KEEP_LEAK) process.stderr.write(`kept ${root}\n`);
  else await rm(root, { recursive: true, force: true });
});

const ENV = { MED_NETWORK: 'none', KUBECONFIG: undefined };

describe('the audit repro', () => {
  it('REDIS_PASSWORD=hunter2hunter2 in the demo\'s logs: 0 in triage -o json, 0 in collect', async () => {
    const dir = join(root, 'repro');
    const demo = await loadSnapshot(fixture('fixtures/clusters/demo-aws'));
    const logs = logFilesOf(demo.logs).map((l) => ({ ...l, text: `${l.text}REDIS_PASSWORD=hunter2hunter2\n` }));
    await writeSnapshotFolder(join(dir, 'snap'), demo.objects, logs, demo.info);
    const r = await runCli(['triage', '--snapshot', join(dir, 'snap'), '-o', 'json'], ENV);
    expect(r.code).toBe(3);
    expect(r.stdout.split('hunter2hunter2').length - 1).toBe(0);
    const c = await runCli(['collect', join(dir, 'out'), '--snapshot', join(dir, 'snap')], ENV);
    expect(c.code).toBe(0);
    const files = await filesUnder(join(dir, 'out'));
    const text = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
    expect(text).not.toContain('hunter2hunter2');
    // collect takes the control plane's logs and the unhealthy endpoints': each ends with the line, masked.
    const collectedLogs = files.filter((f) => f.endsWith('.log')).length;
    expect(collectedLogs).toBeGreaterThan(0);
    expect(text.split('REDIS_PASSWORD=REDACTED').length - 1).toBe(collectedLogs);
  });

  it('…and where the report shows a log\'s last lines (a crash-looping endpoint), it shows the line masked', async () => {
    const dir = join(root, 'repro-crash');
    const crash = await loadSnapshot(fixture('fixtures/clusters/endpoint-crash-loop'));
    const logs = logFilesOf(crash.logs).map((l) => ({ ...l, text: `${l.text}REDIS_PASSWORD=hunter2hunter2\n` }));
    await writeSnapshotFolder(join(dir, 'snap'), crash.objects, logs, crash.info);
    for (const format of ['json', 'text', 'markdown', 'junit']) {
      const r = await runCli(['endpoint', 'end_ct5j9lan2ojg00a4qma0', '--snapshot', join(dir, 'snap'), '-o', format], ENV);
      expect(r.code).toBe(3);
      expect(r.stdout).not.toContain('hunter2hunter2');
      // Every format shows the diagnosis' log lines (JUnit as the diagnosis' own test case), the line masked.
      expect(r.stdout).toContain('REDIS_PASSWORD=REDACTED');
    }
  });
});

describe('reports: triage and endpoint in every format', () => {
  const runs: [string, string[]][] = [];
  for (const format of ['text', 'json', 'markdown', 'junit']) {
    runs.push([`triage -o ${format}`, ['triage', '-o', format]]);
    runs.push([`triage -f values -o ${format}`, ['triage', '-o', format, '-f', '@values']]);
    for (const endpoint of ['mixtral-8x7b', 'llama-3-70b', 'llama-3-8b-instruct']) runs.push([`endpoint ${endpoint} -o ${format}`, ['endpoint', endpoint, '-o', format]]);
  }
  const surfaced = new Set<string>();
  let eventShown = 0;

  it.each(runs)('%s holds no planted secret', async (_name, args) => {
    const r = await runCli([...args.map((a) => (a === '@values' ? valuesFile : a)), '--snapshot', snapshotDir], ENV);
    expect([0, 3]).toContain(r.code);
    expect(leaks(r.stdout + r.stderr)).toEqual({});
    for (const m of markersIn(r.stdout)) surfaced.add(m);
    if (args[1] === 'mixtral-8x7b' && r.stdout.includes('LEAKEV')) eventShown++;
  });

  it('did show the log lines the secrets sat in (not vacuous)', () => {
    expect(surfaced.size).toBeGreaterThanOrEqual(12);
    // The pull event's message (with its Basic credential) is in the diagnosis in all four formats.
    expect(eventShown).toBe(4);
  });
});

describe('preflight with the planted values file, in every format', () => {
  let wrongValues: string;
  beforeAll(async () => {
    // The same credentials in a Redis URL a check rejects (http://, not redis://): the finding quotes the value.
    wrongValues = join(root, 'wrong-values.yaml');
    await writeFile(
      wrongValues,
      `redis:\n  auth: ${PLANTED.valuesFile}\nconfig:\n  values:\n    infra:\n      cloud_provider: aws\n    launch:\n      cache_redis_aws_url: "http://:${PLANTED.valuesUrl}@master.cache.internal:6379/15"\n`,
    );
  });
  // The planted values file's keys are shown only in JSON's evidence (with the snapshot); the other runs would pass
  // with redaction turned off, so they are not here. The wrong URL is quoted in every format.
  const runs: [string, string[]][] = [['preflight -f values -o json --snapshot', ['preflight', '-f', '@values', '-o', 'json', '--snapshot', '@snapshot']]];
  for (const format of ['text', 'json', 'markdown', 'junit']) {
    runs.push([`preflight -f wrong-url values -o ${format} (values only)`, ['preflight', '-f', '@wrong', '-o', format]]);
    runs.push([`preflight -f wrong-url values -o ${format} --snapshot`, ['preflight', '-f', '@wrong', '-o', format, '--snapshot', '@snapshot']]);
  }
  it.each(runs)('%s holds no planted secret', async (_name, args) => {
    const r = await runCli(args.map((a) => (a === '@values' ? valuesFile : a === '@wrong' ? wrongValues : a === '@snapshot' ? snapshotDir : a)), ENV);
    expect([0, 3]).toContain(r.code);
    expect(leaks(r.stdout + r.stderr)).toEqual({});
    // Not vacuous: the rejected URL is quoted as evidence (its host shown, its password masked) in every format.
    if (args.includes('@wrong')) expect(r.stdout).toMatch(/http:\/\/:REDACTED@ma/);
    else expect(r.stdout).toContain('master.cache.internal');
  });
});

describe('mirror-plan, in every output (the script included)', () => {
  /** Only in mirror-plan's values (so not in SECRETS, whose share masked in the cluster's reports is counted). */
  const MIRROR = { prefix: 'plantMirrorPrefixPw-27', repository: 'plantMirrorRepoPw-28', schemeless: 'plantMirrorNoSchemePw-29' };
  let mirrorValues: string;
  beforeAll(async () => {
    // Registry URLs with credentials in them: every image reference mirror-plan prints is built from these.
    mirrorValues = join(root, 'mirror-values.yaml');
    await writeFile(
      mirrorValues,
      [
        'tag: 1.0.0',
        'image:',
        `  gatewayRepository: "https://gw-bot:${MIRROR.repository}@registry.internal/model-engine"`,
        // Without a scheme: `user:password@host/path` (not a digest reference such as `repo:tag@sha256:…`).
        `  builderRepository: "builder-bot:${MIRROR.schemeless}@registry.internal/model-engine"`,
        '  forwarderRepository: registry.internal/model-engine',
        'config:',
        '  values:',
        '    infra:',
        `      docker_repo_prefix: "https://mirror-bot:${MIRROR.prefix}@registry.internal/ml"`,
        '',
      ].join('\n'),
    );
  });
  // (The planted cluster's release values and values file hold no image reference with a credential: mirror-plan
  // printed none of their secrets even with redaction turned off, so those runs are not here.)
  const runs: [string, string[]][] = [];
  for (const format of ['text', 'script', 'json', 'markdown']) {
    runs.push([`mirror-plan -f registry-credential values --offline -o ${format}`, ['mirror-plan', '-f', '@mirror', '--offline', '-o', format]]);
  }

  it.each(runs)('%s holds no planted secret', async (_name, args) => {
    const r = await runCli(args.map((a) => (a === '@mirror' ? mirrorValues : a)), ENV);
    expect(r.code).toBe(0);
    expect(leaks(r.stdout + r.stderr)).toEqual({});
    for (const s of Object.values(MIRROR)) expect(r.stdout + r.stderr).not.toContain(s);
    expect(r.stdout).toMatch(/busybox/);
    // The plan built from the credentialed registries still names them, masked (the JSON stays JSON).
    expect(r.stdout).toContain('mirror-bot:REDACTED@registry.internal/ml');
    expect(r.stdout).toContain('builder-bot:REDACTED@registry.internal/model-engine');
    if (args.includes('json')) expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
  });

  // The same prefixes where checks quote them (values/registry-prefix, images-mirrored, …): masked by redactText.
  it.each(['text', 'json', 'markdown', 'junit'])('preflight -f registry-credential values -o %s holds no planted secret', async (format) => {
    const r = await runCli(['preflight', '-f', mirrorValues, '--cloud', 'onprem', '--offline', '-o', format], ENV);
    expect([0, 3]).toContain(r.code);
    for (const s of Object.values(MIRROR)) expect(r.stdout + r.stderr).not.toContain(s);
    // Not vacuous: the reports that list every finding's evidence quote the scheme-less prefix, masked.
    if (format !== 'text') expect(r.stdout).toMatch(/builder-bot:REDACTED@registry\.inte/);
    expect(r.stdout).toMatch(/mirror-bot:REDACTED@registry\.inte/);
  });
});

describe('endpoint --watch', () => {
  // -o json: one diagnosis per evaluation, the pull event's message in each. (Text prints one compact line per change,
  // the cause and summary, which held no planted value even with redaction turned off: nothing there could fail.)
  it.each(['json'])('-o %s: every evaluation until Ctrl-C holds no planted secret', async (format) => {
    const r = await runMain(['endpoint', 'mixtral-8x7b', '--snapshot', snapshotDir, '--watch', '--interval', '300ms', '-o', format], ENV, { interruptAfterMs: 2500 });
    expect(r.code).toBe(130);
    expect(leaks(r.stdout + r.stderr)).toEqual({});
    // The diagnosis names the pull event (whose message held a Basic credential): the lines are not empty.
    expect(r.stdout).toContain('IMAGE_PULL');
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.every((l) => l.includes('LEAKEV'))).toBe(true);
  });
});

describe('the TUI (-o tui), which does not go through the reporters', () => {
  /** Wait until the terminal has had no new output for `quiet` ms (or `max` passed). */
  async function settled(out: FakeStdout, quiet = 120, max = 5000): Promise<void> {
    const end = Date.now() + max;
    let seen = out.chunks.length;
    let since = Date.now();
    while (Date.now() < end && Date.now() - since < quiet) {
      await new Promise((r) => setTimeout(r, 15));
      if (out.chunks.length !== seen) [seen, since] = [out.chunks.length, Date.now()];
    }
  }

  it.each([
    ['triage -f values', ['triage', '-f', '@values']],
    ['endpoint mixtral-8x7b', ['endpoint', 'mixtral-8x7b']],
  ])('%s: the list, every detail pane, what c copies and the fix printed on q hold no planted secret', async (_name, args) => {
    // A tall, wide terminal: every detail pane fits on one screen, so every line of it is drawn.
    const stdout = new FakeStdout(220, 400);
    const stderr = new FakeStdout();
    const keys = new FakeStdin();
    const stdinWas = Object.getOwnPropertyDescriptor(process, 'stdin')!;
    const envWas = { CI: process.env.CI, KUBECONFIG: process.env.KUBECONFIG, MED_NETWORK: process.env.MED_NETWORK };
    Object.defineProperty(process, 'stdin', { value: keys, configurable: true });
    delete process.env.CI;
    delete process.env.KUBECONFIG;
    process.env.MED_NETWORK = 'none';
    let code: number;
    try {
      const done = main([...args.map((a) => (a === '@values' ? valuesFile : a)), '--snapshot', snapshotDir, '-o', 'tui', '--no-color'], { stdout, stderr });
      for (let i = 0; i < 400 && !/· filter /.test(screenText(stdout)); i++) await new Promise((r) => setTimeout(r, 25));
      expect(screenText(stdout)).toMatch(/· filter /);
      keys.press('f'); // everything, not only failing + warnings
      await settled(stdout);
      // Every item: open its detail pane, copy its fix, back to the list, next; until the selection stops moving.
      for (let i = 0; i < 200; i++) {
        keys.press('\r');
        await settled(stdout);
        keys.press('c');
        await settled(stdout);
        keys.press('\u001B');
        await settled(stdout);
        const before = stdout.chunks.length;
        keys.press('j');
        await settled(stdout);
        if (stdout.chunks.length === before) break;
      }
      keys.press('q');
      code = await done;
    } finally {
      Object.defineProperty(process, 'stdin', stdinWas);
      for (const [k, v] of Object.entries(envWas)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    expect([0, 3]).toContain(code);
    const screen = screenText(stdout);
    const copies = osc52Copies(stdout);
    // Where the screen wrapped a long line, a secret would be cut in two: read it with the line breaks taken out too.
    for (const text of [screen, screen.replace(/\s*\n\s*/g, ''), ...copies, stderr.text]) expect(leaks(text)).toEqual({});
    // Not vacuous: several detail panes were drawn, fixes were copied, and the lines around the secrets were shown.
    expect(copies.length).toBeGreaterThanOrEqual(2);
    // (triage: the log lines the secrets sat in; endpoint: the pull event whose message held a Basic credential)
    if (args[0] === 'endpoint') expect(screen).toContain('LEAKEV');
    else expect(markersIn(screen).size).toBeGreaterThan(0);
  });
});

describe('collect', () => {
  async function collected(out: string): Promise<string> {
    const r = await runCli(['collect', out, '--snapshot', snapshotDir], ENV);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/deprecated/i);
    expect(leaks(r.stderr)).toEqual({});
    let dir = out;
    if (out.endsWith('.tar.gz')) {
      dir = `${out}.x`;
      await mkdir(dir);
      await tar.x({ file: out, cwd: dir });
    }
    const files = await filesUnder(dir);
    return (await Promise.all(files.map(async (f) => `${f}\n${await readFile(f, 'utf8')}`))).join('\n');
  }

  it.each(['folder', 'snap.tar.gz'])('writes no planted secret (%s), and keeps the evidence around them', async (name) => {
    const text = await collected(join(root, `collect-${name.replace(/\W/g, '-')}`, name === 'folder' ? 'out' : name));
    expect(leaks(text)).toEqual({});
    // Every log line came through (masked), and the keys, hosts and names around the secrets stayed.
    expect(markersIn(text).size).toBe(SECRET_SHAPES.length);
    for (const kept of ['REDIS_PASSWORD', 'example.com/api-token', 'ML_INFRA_DATABASE_URL', 'db.internal', 'cache.internal', 'registry.internal', 'planted-credentials', 'database_url']) expect(text).toContain(kept);
  });

  it('the helm release it writes still decodes, with the values masked', async () => {
    const out = join(root, 'collect-release');
    await collected(out);
    const secrets = parse(await readFile(join(out, 'model-engine/secrets.yaml'), 'utf8')) as { items: KubeObject[] };
    const release = secrets.items.find((s) => s.type === 'helm.sh/release.v1')!;
    const rel = decodeRelease((release.data as { release: string }).release);
    expect((rel.config as { redis: { auth: string } }).redis.auth).toBe('REDACTED');
  });
});

describe('serve of the unredacted snapshot', () => {
  const controller = new AbortController();
  let serving: Promise<number>;
  let kc: KubeConfig;
  let base: string;

  beforeAll(async () => {
    const kubeconfigOut = join(root, 'serve.kubeconfig');
    const streams = { stdout: new Capture(), stderr: new Capture() };
    serving = serveCommand(snapshotDir, { host: '127.0.0.1', port: 0, kubeconfigOut }, streams, controller.signal);
    // Serving once it says so (after the kubeconfig is written).
    for (let i = 0; i < 400 && !streams.stderr.text.includes('serving snapshot'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(leaks(streams.stdout.text + streams.stderr.text)).toEqual({});
    kc = new KubeConfig();
    kc.loadFromFile(kubeconfigOut);
    base = kc.getCurrentCluster()!.server;
  });
  afterAll(async () => {
    controller.abort();
    // serve ends as every cancelled command does: CancelledError, exit 130 (docs/exit-codes.md).
    await expect(serving).rejects.toBeInstanceOf(CancelledError);
  });

  async function get(path: string, accept = 'application/json'): Promise<string> {
    const res = await fetch(`${base}${path}`, { headers: { accept } });
    return res.text();
  }

  it('answers raw HTTP (every list of every served resource, every log, tables) with no planted secret', async () => {
    const answers: string[] = [];
    const groups = JSON.parse(await get('/apis')) as { groups: { preferredVersion: { groupVersion: string } }[] };
    const versions = ['/api/v1', ...groups.groups.map((g) => `/apis/${g.preferredVersion.groupVersion}`)];
    for (const v of versions) {
      const list = JSON.parse(await get(v)) as { resources: { name: string; verbs: string[] }[] };
      for (const r of list.resources.filter((x) => !x.name.includes('/') && x.verbs.includes('list'))) {
        answers.push(await get(`${v}/${r.name}`));
        answers.push(await get(`${v}/${r.name}`, 'application/json;as=Table;v=v1;g=meta.k8s.io'));
      }
    }
    const snapshot = await loadSnapshot(snapshotDir);
    for (const key of snapshot.logs.keys()) {
      const [ns, pod, rest] = key.split('/') as [string, string, string];
      const [container, prev] = rest.split('#');
      answers.push(await get(`/api/v1/namespaces/${ns}/pods/${pod}/log?container=${container}${prev ? '&previous=true' : ''}`));
    }
    const text = answers.join('\n');
    expect(leaks(text)).toEqual({});
    expect(markersIn(text).size).toBe(SECRET_SHAPES.length);
    for (const kept of ['REDIS_PASSWORD', 'example.com/api-token', 'planted-credentials', 'db.internal']) expect(text).toContain(kept);
  });

  it('answers the real @kubernetes/client-node with no planted secret', async () => {
    const api = kc.makeApiClient(CoreV1Api);
    const answers = await Promise.all([
      api.listSecretForAllNamespaces(),
      api.listConfigMapForAllNamespaces(),
      api.listPodForAllNamespaces(),
      api.listEventForAllNamespaces(),
      api.readNamespacedPodLog({ name: 'model-engine-cacher-ntxpc95s7g-78q5b', namespace: 'model-engine', container: 'model-engine-cacher', previous: true }),
    ]);
    const text = JSON.stringify(answers);
    expect(leaks(text)).toEqual({});
    expect(text).toContain('REDIS_PASSWORD');
    expect(markersIn(text).size).toBe(SECRET_SHAPES.length);
  });

  it('-v=6 logs every request on stderr, and no planted secret (a server URL with a password included)', async () => {
    // The served kubeconfig as is, and with a password in its server URL (the pages that log requests print URLs).
    const served = join(root, 'serve.kubeconfig');
    const withPassword = join(root, 'serve-password-url.kubeconfig');
    const url = new URL(base);
    await writeFile(withPassword, (await readFile(served, 'utf8')).replace(base, `${url.protocol}//admin:${PLANTED.kubeconfigUrl}@${url.host}`));
    expect(await readFile(withPassword, 'utf8')).toContain(PLANTED.kubeconfigUrl);
    for (const file of [served, withPassword]) {
      for (const args of [['triage'], ['endpoint', 'mixtral-8x7b']]) {
        const r = await runCli([...args, '--kubeconfig', file, '-o', 'json', '-v=6'], ENV);
        expect(leaks(r.stdout + r.stderr)).toEqual({});
        if (file === served) {
          expect([0, 3]).toContain(r.code);
          // Not vacuous: the requests are logged (the pods' logs among them, whose lines held the planted secrets).
          expect(r.stderr).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/[\w-]+\/pods\/[\w.-]+\/log\?\S* 200 OK in \d+ milliseconds$/m);
        } else {
          expect(r.stderr).toContain(url.host);
        }
      }
    }
  });

  it('gives triage through the API nothing to leak', async () => {
    const file = join(root, 'serve.kubeconfig');
    const r = await runCli(['triage', '--kubeconfig', file, '-o', 'json'], ENV);
    expect([0, 3]).toContain(r.code);
    expect(leaks(r.stdout + r.stderr)).toEqual({});
    expect(markersIn(r.stdout).size).toBeGreaterThan(0);
  });
});

describe('error messages', () => {
  it("do not echo a kubeconfig server URL's password", async () => {
    const file = join(root, 'password-url.kubeconfig');
    await writeFile(
      file,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://admin:${PLANTED.kubeconfigUrl}@127.0.0.1:1\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user: {}\ncurrent-context: c\n`,
    );
    for (const debug of [[], ['--debug']]) {
      const r = await runCli(['triage', '--kubeconfig', file, '-o', 'json', ...debug], ENV);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('127.0.0.1');
      expect(leaks(r.stdout + r.stderr)).toEqual({});
    }
  });

  it("do not echo what an exec credential plugin printed on stderr", async () => {
    const plugin = join(root, 'plugin.sh');
    await writeFile(plugin, `#!/bin/sh\necho "error: token=${PLANTED.execStderr} refused (Authorization: Bearer ${PLANTED.execStderr})" >&2\nexit 1\n`, { mode: 0o755 });
    const file = join(root, 'exec.kubeconfig');
    await writeFile(
      file,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:1\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: ${plugin}\n      interactiveMode: Never\ncurrent-context: c\n`,
    );
    for (const debug of [[], ['--debug']]) {
      const r = await runCli(['triage', '--kubeconfig', file, '-o', 'json', ...debug], ENV);
      expect(r.code).toBe(2);
      expect(leaks(r.stdout + r.stderr)).toEqual({});
    }
  });
});
