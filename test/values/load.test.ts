import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FatalError } from '../../src/engine/errors.js';
import { CHART_DEFAULTS_SOURCE } from '../../src/sources/values/chart-defaults.js';
import { loadValuesFiles } from '../../src/sources/values/load.js';

const REPO = resolve(import.meta.dirname, '../..');
const FIX_A = join(REPO, 'fixtures/values/merge-a.yaml');
const FIX_B = join(REPO, 'fixtures/values/merge-b.yaml');

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'med-values-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(text: string, name = `v${n++}.yaml`): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, text);
  return p;
}

async function load(yamls: string[], sets: string[] = [], defaults = true) {
  const paths = [];
  for (const y of yamls) paths.push(await file(y));
  return { values: await loadValuesFiles(paths, sets, { defaults }), paths };
}

describe('helm merge semantics', () => {
  it.each<[string, string[], string, unknown]>([
    ['defaults apply when the user is silent', ['tag: abc\n'], 'nodeSelector', { 'node-lifecycle': 'normal' }],
    ['an empty map does NOT remove a default map', ['nodeSelector: {}\n'], 'nodeSelector', { 'node-lifecycle': 'normal' }],
    ['null removes a default map and its children', ['nodeSelector: null\n'], 'nodeSelector', undefined],
    ['null removes a default child', ['nodeSelector: null\n'], 'nodeSelector.node-lifecycle', undefined],
    ['a bare key (null) removes too', ['balloonNodeSelector:\n'], 'balloonNodeSelector', undefined],
    ['maps deep-merge with defaults', ['nodeSelector:\n  pool: gpu\n'], 'nodeSelector', { 'node-lifecycle': 'normal', pool: 'gpu' }],
    ['a user leaf overrides a default leaf', ['keda:\n  cooldownPeriod: 60\n'], 'keda.cooldownPeriod', 60],
    ['sibling defaults survive a nested override', ['redis:\n  enableAuth: true\n'], 'redis.enableTLS', false],
    ['lists replace, never merge', ['gpuTolerations: [{key: a}]\n', 'gpuTolerations: [{key: b}]\n'], 'gpuTolerations', [{ key: 'b' }]],
    ['later files win on leaves', ['tag: one\n', 'tag: two\n'], 'tag', 'two'],
    ['later files deep-merge earlier maps', ['a:\n  p: 1\n', 'a:\n  q: 2\n'], 'a', { p: 1, q: 2 }],
    // helm reads values as YAML 1.1 (helm/helm#11054): a bare `y` key becomes "true"
    ['YAML 1.1 boolean keys become "true" as in helm', ['size:\n  x: 1\n  y: 2\n'], 'size', { x: 1, true: 2 }],
    // helm's coalesce deletes a null only where the chart has a default; elsewhere the key stays, nil.
    ['a later null replaces an earlier file map, and stays (no chart default)', ['a:\n  x: 1\n', 'a: null\n'], 'a', null],
    ['a later map replaces an earlier null before defaults coalesce', ['nodeSelector: null\n', 'nodeSelector: {pool: gpu}\n'], 'nodeSelector', { 'node-lifecycle': 'normal', pool: 'gpu' }],
    ['a scalar replaces a map', ['a: {x: 1}\n', 'a: 3\n'], 'a', 3],
    ['a user null with no default is kept, as helm keeps it (templates that range see the key)', ['foo:\n  bar: null\n  baz: 1\n'], 'foo', { bar: null, baz: 1 }],
    // helm drops the chart's own nulls from .Values (measured against helm v4: see helm-conformance.test.ts).
    ['chart default nulls are not in the merged values', ['tag: x\n'], 'celery_enable_sha256', undefined],
    ['YAML 1.1 booleans as helm reads them', ['datadog:\n  enabled: yes\n'], 'datadog.enabled', true],
    ['port-like strings stay strings', ['p: 8080:80\n'], 'p', '8080:80'],
    ['merge keys', ['base: &b {cpu: 2}\nresources:\n  requests:\n    <<: *b\n    memory: 4Gi\n'], 'resources.requests', { cpu: 2, memory: '4Gi' }],
  ])('%s', async (_name, yamls, path, expected) => {
    const { values } = await load(yamls);
    expect(values.get(path)).toEqual(expected);
  });

  it('merges nothing but the defaults when given no files', async () => {
    const v = await loadValuesFiles([], []);
    expect(v.origin).toBe('defaults');
    expect(v.get('utilityImages.curl')).toEqual({ repository: 'curlimages/curl', tag: '7.72.0' });
    expect(v.get('inferenceFramework.vllm_batch')).toBe('0.17.1-batch');
    expect(v.get('redis.auth')).toBeUndefined();
    expect(v.get('tag')).toBeUndefined();
    expect(v.get('config')).toBeUndefined();
    expect(v.source('nodeSelector.node-lifecycle')).toEqual({ file: CHART_DEFAULTS_SOURCE });
    expect(CHART_DEFAULTS_SOURCE).toBe('chart defaults (model-engine 0.2.7 values.yaml)');
  });

  it('defaults: false leaves chart defaults out', async () => {
    const { values } = await load(['tag: x\n'], [], false);
    expect(values.get('nodeSelector')).toBeUndefined();
    expect(values.merged).toEqual({ tag: 'x' });
  });
});

describe('provenance', () => {
  it('gives file:line:column for nested keys and keys set by the second file', async () => {
    const v = await loadValuesFiles([FIX_A, FIX_B], []);
    expect(v.files).toEqual([FIX_A, FIX_B]);
    expect(v.origin).toBe('files');
    // merge-a.yaml: config.values.infra.cloud_provider is on line 36, indented 6.
    expect(v.source('config.values.infra.cloud_provider')).toEqual({ file: FIX_A, line: 36, column: 7 });
    expect(v.source(['serviceAccount', 'annotations', 'eks.amazonaws.com/role-arn'])).toEqual({ file: FIX_A, line: 17, column: 5 });
    expect(v.source('serviceAccount.annotations["helm.sh/hook"]')).toEqual({ file: FIX_A, line: 18, column: 5 });
    // merge-b.yaml overrides
    expect(v.get('tag')).toBe('0d1f2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5');
    expect(v.source('tag')).toEqual({ file: FIX_B, line: 2, column: 1 });
    expect(v.source('config.values.launch.endpoint_namespace')).toEqual({ file: FIX_B, line: 16, column: 7 });
    expect(v.source('replicaCount.gateway')).toEqual({ file: FIX_B, line: 5, column: 3 });
    // untouched sibling keeps its first-file line; the map itself was last mentioned by file b
    expect(v.get('replicaCount.cacher')).toBe(1);
    expect(v.source('replicaCount.cacher')).toEqual({ file: FIX_A, line: 23, column: 3 });
    expect(v.source('replicaCount')).toEqual({ file: FIX_B, line: 4, column: 1 });
    // lists replace: the items and their keys come from file b
    expect(v.get('balloons')).toEqual([{ acceleratorName: 'nvidia-hopper-h100', replicaCount: 1, gpuCount: 4 }]);
    expect(v.source('balloons[0].gpuCount')).toEqual({ file: FIX_B, line: 9, column: 5 });
    expect(v.source('balloons[1]')).toBeUndefined();
  });

  it('tells user-set keys from chart defaults', async () => {
    const v = await loadValuesFiles([FIX_A, FIX_B], []);
    expect(v.isUserSet('nodeSelector')).toBe(true);
    expect(v.isUserSet('nodeSelector.node-lifecycle')).toBe(false);
    expect(v.get('nodeSelector.node-lifecycle')).toBe('normal');
    expect(v.source('nodeSelector.node-lifecycle')).toEqual({ file: CHART_DEFAULTS_SOURCE });
    expect(v.isUserSet('db.runDbMigrationScript')).toBe(true);
    expect(v.get('db.runDbMigrationScript')).toBe(false);
    expect(v.isUserSet('keda.cooldownPeriod')).toBe(false);
    expect(v.isUserSet('does.not.exist')).toBe(false);
    expect(v.source('does.not.exist')).toBeUndefined();
  });

  it('records where a null removed a key and puts it in the evidence', async () => {
    const v = await loadValuesFiles([FIX_A, FIX_B], []);
    expect(v.get('balloonNodeSelector')).toBeUndefined();
    // No chart default: the null is kept (helm renders `redis_host:` in the infra config), and it counts as unset.
    expect(v.get('config.values.infra.redis_host')).toBeNull();
    expect(v.source('balloonNodeSelector.node-lifecycle')).toBeUndefined();
    expect(v.removedBy('balloonNodeSelector.node-lifecycle')).toEqual({ file: FIX_B, line: 3, column: 1 });
    expect(v.evidence('config.values.infra.redis_host')).toEqual({
      type: 'values',
      path: 'config.values.infra.redis_host',
      value: undefined,
      source: { file: FIX_B, line: 14, column: 7 },
      missing: true,
    });
    expect(v.evidence('config.values.launch.nope')).toEqual({
      type: 'values',
      path: 'config.values.launch.nope',
      value: undefined,
      missing: true,
    });
  });

  it('builds evidence with bracketed paths and redacted values', async () => {
    const { values, paths } = await load([
      'serviceAccount:\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/me\n' +
        'redis:\n  auth: s3cr3t-redis-pass\n' +
        'config:\n  values:\n    launch:\n      cache_redis_aws_url: redis://:hunter22@cache.example.com:6379/15\n',
    ]);
    expect(values.evidence(['serviceAccount', 'annotations', 'eks.amazonaws.com/role-arn'])).toEqual({
      type: 'values',
      path: 'serviceAccount.annotations["eks.amazonaws.com/role-arn"]',
      value: 'arn:aws:iam::123456789012:role/me',
      source: { file: paths[0], line: 3, column: 5 },
      missing: false,
    });
    const auth = values.evidence('redis.auth');
    expect(auth.type === 'values' && auth.value).toBe('REDACTED');
    const url = values.evidence('config.values.launch.cache_redis_aws_url');
    expect(url.type === 'values' && url.value).toBe('redis://:REDACTED@cache.example.com:6379/15');
    expect(JSON.stringify(values.evidence('redis'))).not.toContain('s3cr3t');
  });

  it('--set wins over files and is recorded as the --set assignment', async () => {
    const v = await loadValuesFiles(
      [FIX_A, FIX_B],
      ['config.values.infra.cloud_provider=azure', 'serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::111111111111:role/x'],
    );
    expect(v.get('config.values.infra.cloud_provider')).toBe('azure');
    expect(v.source('config.values.infra.cloud_provider')).toEqual({ file: '--set config.values.infra.cloud_provider=azure' });
    expect(v.isUserSet('config.values.infra.cloud_provider')).toBe(true);
    expect(v.get(['serviceAccount', 'annotations', 'eks.amazonaws.com/role-arn'])).toBe('arn:aws:iam::111111111111:role/x');
    // siblings untouched by --set keep their file provenance
    expect(v.source('config.values.infra.k8s_cluster_name')).toEqual({ file: FIX_B, line: 13, column: 7 });
    expect(v.get('serviceAccount.annotations["helm.sh/hook"]')).toBe('pre-install,pre-upgrade');
  });

  it('--set null deletes a chart default; --set on a list index edits that item', async () => {
    const v = await loadValuesFiles([FIX_A], ['nodeSelector=null', 'balloons[1].replicaCount=2']);
    expect(v.get('nodeSelector')).toBeUndefined();
    expect(v.removedBy('nodeSelector.node-lifecycle')).toEqual({ file: '--set nodeSelector=null' });
    expect(v.get('balloons')).toEqual([
      { acceleratorName: 'nvidia-ampere-a10', replicaCount: 0 },
      { acceleratorName: 'cpu', replicaCount: 2 },
    ]);
    expect(v.source('balloons[1].replicaCount')).toEqual({ file: '--set balloons[1].replicaCount=2' });
    expect(v.source('balloons[1].acceleratorName')).toEqual({ file: FIX_A, line: 30, column: 5 });
  });
});

describe('bad input is a one-line FatalError naming the place', () => {
  async function failure(text: string | undefined, sets: string[] = []): Promise<{ err: FatalError; path: string }> {
    const path = text === undefined ? join(dir, 'missing.yaml') : await file(text);
    try {
      await loadValuesFiles([path], sets);
    } catch (e) {
      expect(e).toBeInstanceOf(FatalError);
      const err = e as FatalError;
      expect(err.exitCode).toBe(2);
      expect(err.message).not.toContain('\n');
      return { err, path };
    }
    throw new Error('expected a FatalError');
  }

  it.each<[string, string, string, RegExp]>([
    ['syntax error', 'config:\n  values:\n    infra: [aws, azure\nimage: x\n', ':4:1: invalid YAML: ', /Flow sequence/],
    ['tab indentation', 'image:\n\ttag: x\n', ':2:1: invalid YAML: ', /Tabs/],
    ['unterminated quote', 'tag: "abc\n', ':2:1: invalid YAML: ', /quote/],
    ['a list document', '- a\n- b\n', ':1:1: values must be a YAML map', /found a list/],
    ['a scalar document', 'just text\n', ':1:1: values must be a YAML map', /found a string/],
  ])('%s', async (_name, text, where, detail) => {
    const { err, path } = await failure(text);
    expect(err.message.startsWith(`${path}${where}`)).toBe(true);
    expect(err.message).toMatch(detail);
  });

  it('missing file', async () => {
    const { err, path } = await failure(undefined);
    expect(err.message).toBe(`${path}: cannot read values file: no such file`);
  });

  it('a directory', async () => {
    const d = join(dir, 'adir');
    await mkdir(d, { recursive: true });
    await expect(loadValuesFiles([d], [])).rejects.toThrow(`${d}: cannot read values file: is a directory`);
  });

  it('bad --set', async () => {
    const { err } = await failure('tag: x\n', ['a.b']);
    expect(err.message).toBe('--set "a.b": key "a.b" has no value');
  });

  it('empty and comment-only files are empty maps, as in helm', async () => {
    const { values } = await load(['', '# nothing here\n', '---\n']);
    expect(values.get('nodeSelector.node-lifecycle')).toBe('normal');
    expect(Object.keys(values.merged)).not.toContain('');
  });
});
