/**
 * Custom resources whose fields have the wrong type, served live. A CRD without a structural schema lets any field
 * hold any type, so what the API server answers for a ScaledObject, TriggerAuthentication or LeaderWorkerSet (and,
 * from a hand-made server, a CRD or APIService) is data nobody validated. The snapshot API server serves such
 * objects as they are (snapshot loading would conform them first, so they are put into the served store after it);
 * `triage` and `endpoint` read them over HTTP on loopback, in process.
 *
 * For each layer of fields the checks and causes read, every field is set to each wrong type in turn (a number
 * where a string is read, a string where a list is, a map where a list is, a list where a map is, null, a boolean)
 * and the run is compared with the run where those fields are deleted: exit 0/3, no `error` result, no JavaScript
 * internals, and the same verdicts — a wrongly-typed field is read as absent.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/engine/types.js';
import { startSnapshotServer } from '../../src/sources/server/api-server.js';
import { loadSnapshot, resourcesOf, type Snapshot } from '../../src/sources/snapshot/load.js';
import { fixture } from '../support/check-tester.js';
import { expectWellBehaved, runCli, type CliRun } from './support.js';

jest.setTimeout(900_000);

const ENV = { MED_NETWORK: 'loopback', KUBECONFIG: undefined };
const NS = 'llm-engine';
/** The fixture's endpoint at zero replicas with a KEDA ScaledObject (two triggers, one with a TriggerAuthentication). */
const SO_ENDPOINT = 'end_ct5rmtun2ojg00a4qmq0';
const SO_NAME = 'launch-endpoint-id-end-ct5rmtun2ojg00a4qmq0';
/** A multinode endpoint this test adds: a LeaderWorkerSet. */
const LWS_ENDPOINT = 'end_ct5rmtun2ojg00a4qm11';
const LWS_NAME = 'launch-endpoint-id-end-ct5rmtun2ojg00a4qm11';
const APISERVICE = 'v1beta1.custom.metrics.k8s.io';
const KEDA_CRD = 'scaledobjects.keda.sh';
const TRIGGER_AUTH = 'keda-trigger-auth-redis-secret';

const podTemplate = (container: string) => ({
  metadata: { annotations: { 'sidecar.istio.io/inject': 'false' } },
  spec: { containers: [{ name: container, image: 'registry.internal/llm/vllm:0.6.3', resources: { limits: { 'nvidia.com/gpu': '8' } } }], nodeSelector: { 'k8s.amazonaws.com/accelerator': 'nvidia-hopper-h100' }, tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] },
});

const ADDED: KubeObject[] = [
  {
    apiVersion: 'leaderworkerset.x-k8s.io/v1',
    kind: 'LeaderWorkerSet',
    metadata: { name: LWS_NAME, namespace: NS, uid: 'b7c1f1e2-lws0-4c6e-9a1f-8e3d5b7c2a20', labels: { endpoint_id: LWS_ENDPOINT, endpoint_name: 'llama-405b', team: 'ml-platform' }, creationTimestamp: '2026-11-20T10:00:00Z' },
    spec: { replicas: 2, leaderWorkerTemplate: { size: 2, leaderTemplate: podTemplate('lws-leader'), workerTemplate: podTemplate('lws-worker') }, template: podTemplate('main') },
    status: { replicas: 2, readyReplicas: 1, availableReplicas: 1, conditions: [{ type: 'Available', status: 'False', reason: 'GroupsNotReady', message: 'one group is not ready' }] },
  },
  {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: APISERVICE, uid: 'c1d2e3f4-apis-4c6e-9a1f-8e3d5b7c2a21' },
    spec: { service: { name: 'prometheus-adapter', namespace: 'monitoring' }, group: 'custom.metrics.k8s.io', version: 'v1beta1' },
    status: { conditions: [{ type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck', message: 'failing or missing response from https://10.0.3.7:6443' }] },
  },
];

/** The values that make cluster/apis read the KEDA CRDs and the custom metrics APIService. */
const VALUES = 'autoscaling:\n  horizontal:\n    enabled: true\nredis:\n  enableAuth: true\n';

type Reads = 'string' | 'text' | 'number' | 'bool' | 'list' | 'map';
interface Field {
  kind: string;
  name: string;
  /** `'*'`: every item of the list there. */
  path: (string | number)[];
  reads: Reads;
}

const f = (kind: string, name: string, reads: Reads, ...path: (string | number)[]): Field => ({ kind, name, path, reads });
const so = (reads: Reads, ...path: (string | number)[]) => f('ScaledObject', SO_NAME, reads, ...path);
const lws = (reads: Reads, ...path: (string | number)[]) => f('LeaderWorkerSet', LWS_NAME, reads, ...path);
const crd = (reads: Reads, ...path: (string | number)[]) => f('CustomResourceDefinition', KEDA_CRD, reads, ...path);
const api = (reads: Reads, ...path: (string | number)[]) => f('APIService', APISERVICE, reads, ...path);
const ta = (reads: Reads, ...path: (string | number)[]) => f('TriggerAuthentication', TRIGGER_AUTH, reads, ...path);

/** The fields of each item of `status.conditions`. */
const conditionFields = (of: typeof so) => ['type', 'status', 'reason', 'message'].map((k) => of('string', 'status', 'conditions', '*', k));

/**
 * The fields the checks and causes read, in layers: within a layer no field is inside another, so they can all be
 * wrong at once (a layer's fields deleted is its baseline).
 */
const LAYERS: { name: string; fields: Field[] }[] = [
  { name: 'AWS: spec and status', fields: [so('map', 'spec'), so('map', 'status'), lws('map', 'spec'), lws('map', 'status'), crd('map', 'spec'), crd('map', 'status'), api('map', 'spec'), api('map', 'status'), ta('map', 'spec')] },
  {
    name: 'AWS: their fields',
    fields: [
      so('number', 'spec', 'minReplicaCount'),
      so('number', 'spec', 'maxReplicaCount'),
      so('map', 'spec', 'scaleTargetRef'),
      so('list', 'spec', 'triggers'),
      so('map', 'spec', 'fallback'),
      so('list', 'status', 'conditions'),
      so('string', 'status', 'lastActiveTime'),
      lws('number', 'spec', 'replicas'),
      lws('map', 'spec', 'template'),
      lws('map', 'spec', 'leaderWorkerTemplate'),
      lws('number', 'status', 'availableReplicas'),
      lws('number', 'status', 'readyReplicas'),
      lws('number', 'status', 'replicas'),
      lws('list', 'status', 'conditions'),
      crd('list', 'spec', 'versions'),
      crd('list', 'status', 'conditions'),
      api('map', 'spec', 'service'),
      api('list', 'status', 'conditions'),
    ],
  },
  {
    name: 'AWS: items and references',
    fields: [
      so('string', 'spec', 'scaleTargetRef', 'name'),
      so('string', 'spec', 'triggers', '*', 'type'),
      so('map', 'spec', 'triggers', '*', 'metadata'),
      so('map', 'spec', 'triggers', '*', 'authenticationRef'),
      ...conditionFields(so),
      lws('map', 'spec', 'template', 'spec'),
      lws('map', 'spec', 'template', 'metadata'),
      ...conditionFields(lws),
      crd('string', 'spec', 'versions', '*', 'name'),
      crd('bool', 'spec', 'versions', '*', 'served'),
      ...conditionFields(crd),
      api('string', 'spec', 'service', 'name'),
      api('string', 'spec', 'service', 'namespace'),
      ...conditionFields(api),
    ],
  },
  {
    name: 'AWS: trigger details and the pod template',
    fields: [
      so('string', 'spec', 'triggers', '*', 'authenticationRef', 'name'),
      so('text', 'spec', 'triggers', '*', 'metadata', 'address'),
      so('text', 'spec', 'triggers', '*', 'metadata', 'serverAddress'),
      lws('list', 'spec', 'template', 'spec', 'containers'),
      lws('map', 'spec', 'template', 'spec', 'nodeSelector'),
      lws('list', 'spec', 'template', 'spec', 'tolerations'),
      lws('map', 'spec', 'template', 'metadata', 'annotations'),
    ],
  },
];

const WRONG: { name: string; value: unknown }[] = [
  { name: 'a number', value: 7 },
  { name: 'a string', value: 'wrong' },
  { name: 'a map', value: { wrong: 1 } },
  { name: 'a list', value: ['wrong', 1] },
  { name: 'null', value: null },
  { name: 'a boolean', value: true },
];

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `v` is of the type the field is read as (`text`: numbers and booleans read as their text). */
function fits(v: unknown, reads: Reads): boolean {
  switch (reads) {
    case 'string':
      return typeof v === 'string';
    case 'text':
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
    case 'number':
      return typeof v === 'number';
    case 'bool':
      return typeof v === 'boolean';
    case 'list':
      return Array.isArray(v);
    case 'map':
      return isMap(v);
  }
}

/** Set (or, with `value` undefined, delete) the field at `path` in `o`, for every item where the path says `*`. */
function setAt(o: unknown, path: readonly (string | number)[], value: unknown): void {
  const [step, ...rest] = path;
  if (step === '*') {
    if (Array.isArray(o)) for (const item of o) setAt(item, rest, value);
    return;
  }
  if (!isMap(o) || step === undefined) return;
  const key = String(step);
  if (rest.length > 0) return setAt(o[key], rest, value);
  if (!Object.hasOwn(o, key)) return;
  if (value === undefined) delete o[key];
  else o[key] = value;
}

/** Whether the path leads to a field in `o` (every `*` item counted). */
function present(o: unknown, path: readonly (string | number)[]): boolean {
  const [step, ...rest] = path;
  if (step === undefined) return true;
  if (step === '*') return Array.isArray(o) && o.some((item) => present(item, rest));
  return isMap(o) && Object.hasOwn(o, String(step)) && present(o[String(step)], rest);
}

/**
 * The Azure install's TriggerAuthentication, which identity/keda-trigger-auth judges (Azure only, hence a second
 * cluster): its podIdentity names the wrong provider.
 */
const AZURE_TA = 'azure-workload-identity';
const azureTa = (reads: Reads, ...path: (string | number)[]) => f('TriggerAuthentication', AZURE_TA, reads, ...path);
const AZURE_LAYERS: { name: string; fields: Field[] }[] = [
  { name: 'Azure: spec', fields: [azureTa('map', 'spec')] },
  { name: 'Azure: spec.podIdentity', fields: [azureTa('map', 'spec', 'podIdentity')] },
  { name: 'Azure: its provider and identity', fields: [azureTa('string', 'spec', 'podIdentity', 'provider'), azureTa('string', 'spec', 'podIdentity', 'identityId')] },
];

interface Cluster {
  snapshot: Snapshot;
  /** Extra arguments of triage. */
  args: string[];
  /** The endpoints `endpoint` is run for. */
  endpoints: string[];
}

let root: string;
let aws: Cluster;
let azure: Cluster;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'med-cr-types-'));
  const valuesFile = join(root, 'values.yaml');
  await writeFile(valuesFile, VALUES);
  const loaded = await loadSnapshot(fixture('fixtures/clusters/endpoint-scale-from-zero-blocked'));
  // The CRD as the API server reports it once established (the fixture's has no status).
  const objects = [...loaded.objects, ...ADDED].map((o) =>
    o.kind === 'CustomResourceDefinition' && o.metadata.name === KEDA_CRD ? { ...o, status: { conditions: [{ type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' }, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }] } } : o,
  );
  aws = { snapshot: { ...loaded, objects, resources: resourcesOf(objects) }, args: ['-f', valuesFile], endpoints: [SO_ENDPOINT, LWS_ENDPOINT] };
  azure = { snapshot: await loadSnapshot(fixture('fixtures/clusters/identity-azure-broken')), args: [], endpoints: [] };
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const find = (objects: readonly KubeObject[], x: Field) => objects.find((o) => o.kind === x.kind && o.metadata.name === x.name);

/** The cluster with each field set to `value(field)` in a copy of its object (after loading: served as it is). */
function variant(c: Cluster, fields: readonly Field[], value: (x: Field) => unknown): Cluster {
  const objects = structuredClone(c.snapshot.objects);
  for (const x of fields) setAt(find(objects, x), x.path, value(x));
  return { ...c, snapshot: { ...c.snapshot, objects } };
}

interface Outcome {
  triage: CliRun;
  endpoints: CliRun[];
}

let served = 0;
async function runOver(c: Cluster): Promise<Outcome> {
  const server = await startSnapshotServer({ snapshot: c.snapshot });
  try {
    const kubeconfig = join(root, `kubeconfig-${++served}.yaml`);
    await writeFile(kubeconfig, server.kubeconfig);
    const triage = await runCli(['triage', '--kubeconfig', kubeconfig, ...c.args, '-o', 'json'], ENV);
    const endpoints: CliRun[] = [];
    for (const id of c.endpoints) endpoints.push(await runCli(['endpoint', id, '--kubeconfig', kubeconfig, '-n', 'model-engine', '--endpoint-namespace', NS, '-o', 'json'], ENV));
    return { triage, endpoints };
  } finally {
    await server.close();
  }
}

interface ReportLike {
  results?: { id: string; status: string; messageId?: string; message: string; object?: { kind?: string; name?: string } }[];
}

/** The verdicts of a run: each result's id, status, message id, object and message; an endpoint's diagnosis. */
function verdicts(r: CliRun): unknown {
  const json = JSON.parse(r.stdout) as ReportLike & Record<string, unknown>;
  if (json.results) return json.results.map((x) => `${x.id} ${x.status} ${x.messageId ?? ''} ${x.object?.kind ?? ''}/${x.object?.name ?? ''}: ${x.message}`).sort();
  return stripVolatile(json);
}

/** A diagnosis without what differs between two runs of the same cluster (durations, the server's address). */
function stripVolatile(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripVolatile);
  if (!isMap(v)) return typeof v === 'string' ? v.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>') : v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => !/^(durationMs|elapsedMs|generatedAt|startedAt|finishedAt|tookMs)$/.test(k))
      .map(([k, x]) => [k, stripVolatile(x)]),
  );
}

function expectClean(r: CliRun): void {
  expectWellBehaved(r);
  expect([0, 3]).toContain(r.code);
  const json = JSON.parse(r.stdout) as ReportLike;
  const errors = (json.results ?? []).filter((x) => x.status === 'error');
  // (expectWellBehaved also holds every `error` result and stderr free of JavaScript internals.)
  expect(errors.map((x) => `${x.id}: ${x.message}`)).toEqual([]);
}

describe('custom resources with fields of the wrong type, served live, read as if the fields were absent', () => {
  it('the fields of every layer are in the served objects (the test changes what is there)', () => {
    const where = (c: Cluster, x: Field) => [`${x.kind} ${x.name} ${x.path.join('.')}`, present(find(c.snapshot.objects, x), x.path)];
    for (const x of LAYERS.flatMap((l) => l.fields)) expect(where(aws, x)).toEqual([where(aws, x)[0], true]);
    for (const x of AZURE_LAYERS.flatMap((l) => l.fields)) expect(where(azure, x)).toEqual([where(azure, x)[0], true]);
  });

  it('the untouched cluster gives findings about these objects (so a misread would show)', async () => {
    const run = await runOver(aws);
    expectClean(run.triage);
    const failing = (r: CliRun) => (JSON.parse(r.stdout) as ReportLike).results!.filter((x) => x.status !== 'pass' && x.status !== 'skip').map((x) => `${x.id} ${x.messageId}`);
    expect(failing(run.triage)).toEqual(expect.arrayContaining(['cluster/apis customMetricsUnavailable']));
    const az = await runOver(azure);
    expectClean(az.triage);
    expect(failing(az.triage)).toEqual(expect.arrayContaining(['identity/keda-trigger-auth wrongProvider']));
    for (const e of run.endpoints) expectClean(e);
    const causes = run.endpoints.map((e) => (JSON.parse(e.stdout) as { cause?: string; diagnosis?: { cause?: string } }).cause ?? (JSON.parse(e.stdout) as { diagnosis?: { cause?: string } }).diagnosis?.cause);
    expect(causes[0]).toBe('SCALE_FROM_ZERO_BLOCKED');
  });

  describe.each([...LAYERS.map((l) => ({ ...l, cluster: () => aws })), ...AZURE_LAYERS.map((l) => ({ ...l, cluster: () => azure }))])('$name', ({ fields, cluster }) => {
    let deleted: Outcome;
    beforeAll(async () => {
      deleted = await runOver(variant(cluster(), fields, () => undefined));
    });

    it('deleted: a clean run', () => {
      expectClean(deleted.triage);
      for (const e of deleted.endpoints) expectClean(e);
    });

    it.each(WRONG)('set to $name: the same verdicts as deleted', async ({ value }) => {
      // A field that is already of this type (a map where a map is read) is deleted instead: only wrong types differ.
      const run = await runOver(variant(cluster(), fields, (x) => (fits(value, x.reads) ? undefined : value)));
      expectClean(run.triage);
      expect(verdicts(run.triage)).toEqual(verdicts(deleted.triage));
      run.endpoints.forEach((e, i) => {
        expectClean(e);
        expect(verdicts(e)).toEqual(verdicts(deleted.endpoints[i]!));
      });
    });
  });
});
