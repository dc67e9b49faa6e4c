/**
 * No false redactions: every `REDACTED` the doctor writes stands where its input held a credential. Over-redaction
 * destroys evidence (a status code, a Secret's name, a profile name) and misleads, so it is tested as strictly as a
 * leak.
 *
 * How: the engine's entry points (`redactText`, `redactString`, `redactValue`, `redactEvidence`, `redactArgv`) are
 * wrapped, for this file only, by a recorder that compares each input with its output and keeps every span that was
 * replaced by `REDACTED` (in text: the output is the input with spans replaced; in structured data: values replaced
 * whole). Then each span must be a credential the input is known to hold:
 *
 * - every fixture snapshot under fixtures/clusters through `triage` (JSON and text), `endpoint` (every endpoint it
 *   holds, JSON and text) and `collect`, and every values file under fixtures/values through `preflight`: the
 *   credentials these fixtures hold are their Secrets' data (masked by `collect` whole, by kind, not by this engine)
 *   and the few listed in FIXTURE_CREDENTIALS, each of which must be masked somewhere (so the list stays true);
 * - the leak test's planted cluster (./planted.ts), where the credentials are exactly the planted ones;
 * - the real model-engine chart rendered by real helm for every cloud: its objects hold no credential at all;
 * - every string literal in src/ (what the doctor itself writes: check messages, remediations, errors);
 * - the one-line error for a cluster that answers 401.
 *
 * The corpus of look-alikes (prose, names, status codes, URLs without a password) is a table in redact-corpus.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/engine/types.js';

const real = await import('../../src/engine/redact.js');
const { REDACTED } = real;

interface Mask {
  where: string;
  via: string;
  span: string;
  context: string;
}
const masks: Mask[] = [];
let where = '';

/** The spans of `input` that became `REDACTED` in `output` (the output is the input with spans replaced). */
function maskedSpans(input: string, output: string): { span: string; at: number }[] {
  if (input === output) return [];
  const pieces = output.split(REDACTED);
  const unaligned = [{ span: `<output is not the input with spans masked: ${JSON.stringify(output.slice(0, 300))}>`, at: 0 }];
  if (pieces.length === 1 || !input.startsWith(pieces[0]!)) return unaligned;
  const out: { span: string; at: number }[] = [];
  let pos = pieces[0]!.length;
  for (let i = 1; i < pieces.length; i++) {
    const piece = pieces[i]!;
    const last = i === pieces.length - 1;
    const next = last ? input.length - piece.length : input.indexOf(piece, pos);
    if (next < pos || (last && !input.endsWith(piece))) return unaligned;
    out.push({ span: input.slice(pos, next), at: pos });
    pos = next + piece.length;
  }
  // A value masked again (`REDACTED` in, `REDACTED` out) is not a new mask.
  return out.filter((s) => s.span !== REDACTED);
}

/** Record what `via` masked, comparing its input and output in parallel (strings, arrays, objects). */
function record(via: string, input: unknown, output: unknown): void {
  if (typeof input === 'string' && typeof output === 'string') {
    for (const s of maskedSpans(input, output)) masks.push({ where, via, span: s.span, context: input.slice(Math.max(0, s.at - 100), s.at + s.span.length + 60) });
  } else if (output === REDACTED && input !== REDACTED) {
    masks.push({ where, via, span: typeof input === 'string' ? input : JSON.stringify(input), context: '(a whole value)' });
  } else if (Array.isArray(input) && Array.isArray(output)) {
    input.forEach((v, i) => record(`${via}[${i}]`, v, output[i]));
  } else if (input && output && typeof input === 'object' && typeof output === 'object') {
    for (const [k, v] of Object.entries(output)) record(`${via}.${k}`, (input as Record<string, unknown>)[k], v);
  }
}

function recorded<A extends unknown[], R>(name: string, f: (...a: A) => R, input: (...a: A) => unknown): (...a: A) => R {
  return (...a: A) => {
    const out = f(...a);
    record(name, input(...a), out);
    return out;
  };
}

jest.unstable_mockModule('../../src/engine/redact.js', () => ({
  ...real,
  redactText: recorded('redactText', real.redactText, (t) => t),
  redactString: recorded('redactString', real.redactString, (t) => t),
  redactValue: recorded('redactValue', real.redactValue, (_k, v) => v),
  redactEvidence: recorded('redactEvidence', real.redactEvidence, (e) => e),
  redactArgv: recorded('redactArgv', real.redactArgv, (a) => a),
}));

const { runCli } = await import('./support.js');
const { loadSnapshot } = await import('../../src/sources/snapshot/load.js');
const { redactObject } = await import('../../src/sources/snapshot/redact-objects.js');
const { startSnapshotServer, buildKubeconfig } = await import('../../src/sources/server/api-server.js');
const { SECRETS, writePlantedCluster } = await import('./planted.js');
const { CHART, VALUES, chartUnavailable } = await import('../e2e/harness/install.js');
const { BIN } = await import('../e2e/harness/control-plane.js');

jest.setTimeout(120_000);
const ENV = { MED_NETWORK: 'none', KUBECONFIG: undefined };
const CLUSTERS = 'fixtures/clusters';
const VALUES_DIR = 'fixtures/values';

/**
 * Credentials in the fixtures outside Secret data, each masked somewhere below (asserted, so the list stays true).
 * Adding a fixture that holds one means adding it here: anything else masked is a false redaction.
 */
const FIXTURE_CREDENTIALS = [
  // fixtures/values/redis-aws-url-and-secret.yaml: the password in cache_redis_aws_url.
  'Sup3rS3cretRedisPassw0rd',
];

/**
 * Is `span` made of credentials we know of (whole, or part of one), plus only layout: quotes, line breaks (real or
 * escaped), indentation, a block scalar's `|`, a PEM block's armor (a private key in a JSON string goes whole)?
 */
function isKnownCredential(span: string, known: readonly string[]): boolean {
  if (known.some((k) => k.includes(span))) return true;
  let rest = span;
  for (const k of [...known].sort((a, b) => b.length - a.length)) rest = rest.split(k).join('');
  return rest !== span && rest.replace(/-----(?:BEGIN|END) [A-Z ]+-----|\\[nr]|[\s|>"'-]/g, '') === '';
}

/** Masks of the current test that are not known credentials, as lines fit for a failure message. */
function falseRedactions(known: readonly string[]): string[] {
  return masks.filter((m) => !isKnownCredential(m.span, known)).map((m) => `${m.where} (${m.via}): ${JSON.stringify(m.span)} in ${JSON.stringify(m.context)}`);
}

async function run(label: string, args: string[], codes: number[]): Promise<{ stdout: string; stderr: string }> {
  where = label;
  const r = await runCli(args, ENV);
  if (!codes.includes(r.code)) throw new Error(`${label}: exit ${r.code}\n${r.stderr.slice(0, 2000)}`);
  return r;
}

/** The decoded values of every Secret in a snapshot: credentials by kind. */
function secretData(objects: readonly KubeObject[]): string[] {
  return objects
    .filter((o) => o.kind === 'Secret' && o.data && typeof o.data === 'object')
    .flatMap((o) => Object.values(o.data as Record<string, unknown>))
    .filter((v): v is string => typeof v === 'string')
    .map((v) => Buffer.from(v, 'base64').toString('utf8'))
    .filter((v) => v !== '' && v !== REDACTED);
}

/** The endpoints a snapshot holds, by name (the `endpoint_name` label of its Deployments and Pods). */
function endpointsOf(objects: readonly KubeObject[]): string[] {
  const names = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Pod').map((o) => o.metadata.labels?.endpoint_name);
  return [...new Set(names.filter((n): n is string => typeof n === 'string' && /^[a-z0-9][a-z0-9.-]*$/.test(n)))].sort();
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'med-no-false-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the fixtures: every REDACTED replaced a credential the fixture holds', () => {
  const masked = new Set<string>();
  const clusters = readdirSync(CLUSTERS).filter((f) => statSync(join(CLUSTERS, f)).isDirectory());

  it.each(clusters)('%s: triage, endpoint (each endpoint) and collect', async (name) => {
    masks.length = 0;
    const dir = join(CLUSTERS, name);
    const snapshot = await loadSnapshot(dir);
    // A partial cluster (pre-install, GPU nodes only, a lone database Job) holds no control plane: triage says so
    // in one line (exit 2), which is output too.
    const partial = !snapshot.objects.some((o) => o.kind === 'Deployment' && o.metadata.name === 'model-engine');
    for (const format of ['json', 'text']) {
      await run(`triage -o ${format} ${name}`, ['triage', '--snapshot', dir, '-o', format], partial ? [2] : [0, 3]);
      for (const endpoint of endpointsOf(snapshot.objects)) await run(`endpoint ${endpoint} -o ${format} ${name}`, ['endpoint', endpoint, '--snapshot', dir, '-o', format], [0, 3]);
    }
    await run(`collect ${name}`, ['collect', join(root, 'collect', name), '--snapshot', dir, ...(partial ? ['-n', 'model-engine'] : [])], [0]);
    for (const m of masks) masked.add(m.span);
    expect(falseRedactions([...FIXTURE_CREDENTIALS, ...secretData(snapshot.objects)])).toEqual([]);
  });

  it('preflight of every values file', async () => {
    masks.length = 0;
    for (const file of readdirSync(VALUES_DIR).filter((f) => f.endsWith('.yaml'))) {
      for (const format of ['json', 'text']) await run(`preflight -f ${file} -o ${format}`, ['preflight', '--offline', '-f', join(VALUES_DIR, file), '-o', format], [0, 3]);
    }
    for (const m of masks) masked.add(m.span);
    expect(falseRedactions(FIXTURE_CREDENTIALS)).toEqual([]);
  });

  it('masked every credential listed (the list is true, the runs above not vacuous)', () => {
    expect(FIXTURE_CREDENTIALS.filter((c) => ![...masked].some((m) => isKnownCredential(m, [c])))).toEqual([]);
  });
});

describe('the planted cluster: every REDACTED replaced a planted credential', () => {
  let snapshotDir: string;
  let valuesFile: string;
  beforeAll(async () => {
    ({ snapshotDir, valuesFile } = await writePlantedCluster(join(root, 'planted')));
  });

  it('triage, endpoint and collect', async () => {
    masks.length = 0;
    for (const format of ['json', 'text']) {
      await run(`triage -o ${format}`, ['triage', '--snapshot', snapshotDir, '-f', valuesFile, '-o', format], [0, 3]);
      for (const endpoint of ['mixtral-8x7b', 'llama-3-70b', 'llama-3-8b-instruct']) await run(`endpoint ${endpoint} -o ${format}`, ['endpoint', endpoint, '--snapshot', snapshotDir, '-o', format], [0, 3]);
    }
    await run('collect', ['collect', join(root, 'planted-collect'), '--snapshot', snapshotDir], [0]);
    expect(falseRedactions(SECRETS)).toEqual([]);
    // Not vacuous: the planted credentials were found and masked, in reports and in collect.
    expect(new Set(masks.map((m) => m.where.split(' ')[0])).size).toBeGreaterThanOrEqual(3);
    expect(SECRETS.filter((s) => masks.some((m) => isKnownCredential(m.span, [s]))).length).toBeGreaterThanOrEqual(SECRETS.length * 0.8);
  });
});

/** helm, as the e2e tier builds it, or on PATH. */
function helmBinary(): string | undefined {
  if (existsSync(join(BIN, 'helm'))) return join(BIN, 'helm');
  return spawnSync('helm', ['version', '--short'], { encoding: 'utf8' }).status === 0 ? 'helm' : undefined;
}

describe('the real model-engine chart, rendered by real helm: nothing in it is a credential', () => {
  const helm = helmBinary();
  const why = chartUnavailable() ?? (helm ? undefined : 'helm not found (test/control-plane/bin/helm or PATH)');
  if (why) process.stderr.write(`\n!!! ${why}: the chart case of test/security/no-false-redactions.test.ts SKIPPED\n`);

  (why ? it.skip : it).each(Object.keys(VALUES))('%s: every rendered object comes out of redactObject as it went in', (cloud) => {
    masks.length = 0;
    const files = VALUES[cloud as keyof typeof VALUES].flatMap((f) => ['-f', f]);
    const r = spawnSync(helm!, ['template', 'model-engine', CHART, '--namespace', 'model-engine', ...files], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`helm template (${cloud}): ${r.stderr}`);
    const objects = parseAllDocuments(r.stdout)
      .map((d) => d.toJS() as unknown)
      .filter((o): o is KubeObject => typeof o === 'object' && o !== null && 'kind' in o);
    expect(objects.length).toBeGreaterThan(20);
    where = `helm template (${cloud})`;
    for (const o of objects) redactObject(o);
    // `DB_SECRET_AWS_PROFILE: default` (AWS), `SERVICEBUS_*`, `KEYVAULT_NAME`, the service config: all evidence.
    expect(falseRedactions([])).toEqual([]);
  });
});

describe('what the doctor itself writes: every string literal in src/ survives redaction', () => {
  /** Literals that build a credential on purpose (an Authorization header sent to a server, never printed). */
  const BUILDS_A_CREDENTIAL = new Set(['Bearer x1']);

  it('check messages, remediations, errors and notes (placeholders filled with a word that could be a secret)', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => {
        const p = join(dir, n);
        return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(n) ? [p] : [];
      });
    const changed: string[] = [];
    let count = 0;
    for (const file of files('src')) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        let text: string | undefined;
        if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
        else if (ts.isTemplateExpression(node)) text = node.head.text + node.templateSpans.map((s) => `x1${s.literal.text}`).join('');
        if (text !== undefined && !ts.isImportDeclaration(node.parent) && !ts.isExportDeclaration(node.parent)) {
          count++;
          const out = real.redactText(text);
          if (out !== text && !BUILDS_A_CREDENTIAL.has(text)) changed.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${JSON.stringify(text)} → ${JSON.stringify(out)}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(count).toBeGreaterThan(5000);
    expect(changed).toEqual([]);
  });
});

describe('error messages', () => {
  it('a cluster that refuses the credentials: the 401 and its reason are printed whole', async () => {
    masks.length = 0;
    const snapshot = await loadSnapshot(join(CLUSTERS, 'server-basic'));
    const srv = await startSnapshotServer({ snapshot, token: 'the-right-token' });
    try {
      const file = join(root, 'wrong-token.kubeconfig');
      await writeFile(file, buildKubeconfig({ server: srv.url, token: 'a-wrong-token', context: 'main' }));
      where = 'triage against a 401';
      const r = await runCli(['triage', '--kubeconfig', file, '-o', 'json'], ENV);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`the cluster at ${srv.url} rejected the credentials: 401 Unauthorized (context "main")`);
      expect(r.stderr).not.toContain(REDACTED);
      expect(falseRedactions([])).toEqual([]);
    } finally {
      await srv.close();
    }
  });
});

it('the recorder sees what the engine masks (so an empty list above means something)', async () => {
  expect(maskedSpans('a token=abc b password=xyz', `a token=${REDACTED} b password=${REDACTED}`).map((s) => s.span)).toEqual(['abc', 'xyz']);
  expect(maskedSpans(`x ${REDACTED} y`, `x ${REDACTED} y`)).toEqual([]);
  // Through the module every source imports: the wrapped engine.
  const { redactText, redactValue } = await import('../../src/engine/redact.js');
  masks.length = 0;
  redactText('connecting with REDIS_PASSWORD=hunter2 to cache');
  redactValue(undefined, { env: [{ name: 'HF_TOKEN', value: 'hf-value' }] });
  expect(masks.map((m) => m.span)).toEqual(['hunter2', 'hf-value']);
  expect(falseRedactions(['hunter2'])).toHaveLength(1);
});
