import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { FatalError } from '../../src/engine/errors.js';
import { describeFetchError, loadKubeConfig, parseAggregatedDiscovery, parseResourceList } from '../../src/sources/kube/live-kube.js';

let dir: string;
const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };

const config = (contexts: string[], current?: string, server = 'https://1.2.3.4') =>
  stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: contexts.map((c) => ({ name: c, cluster: { server: `${server}/${c}` } })),
    users: contexts.map((c) => ({ name: c, user: { token: `token-${c}` } })),
    contexts: contexts.map((c) => ({ name: c, context: { cluster: c, user: c } })),
    ...(current ? { 'current-context': current } : {}),
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'med-kubeconfig-'));
  await writeFile(join(dir, 'a.yaml'), config(['eks-prod', 'eks-staging'], 'eks-prod'));
  await writeFile(join(dir, 'b.yaml'), config(['eks-prod', 'gke-dev'], 'gke-dev', 'https://5.6.7.8'));
  await writeFile(join(dir, 'nocurrent.yaml'), config(['aks-dev']));
  await writeFile(join(dir, 'broken.yaml'), 'apiVersion: v1\nclusters: [unclosed\n');
  await writeFile(
    join(dir, 'dangling.yaml'),
    stringify({ apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [{ name: 'x', context: { cluster: 'gone', user: 'u' } }], 'current-context': 'x' }),
  );
});
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fatal = (fn: () => unknown): FatalError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FatalError);
    expect((e as FatalError).exitCode).toBe(2);
    expect((e as Error).message).not.toContain('\n');
    return e as FatalError;
  }
  throw new Error('expected a FatalError');
};

describe('loadKubeConfig', () => {
  it('loads --kubeconfig and selects --context', () => {
    const kc = loadKubeConfig({ kubeconfig: join(dir, 'a.yaml') });
    expect(kc.getCurrentContext()).toBe('eks-prod');
    expect(kc.getCurrentCluster()?.server).toBe('https://1.2.3.4/eks-prod');
    const staging = loadKubeConfig({ kubeconfig: join(dir, 'a.yaml'), context: 'eks-staging' });
    expect(staging.getCurrentCluster()?.server).toBe('https://1.2.3.4/eks-staging');
    expect(staging.getCurrentUser()?.token).toBe('token-eks-staging');
  });

  it('merges KUBECONFIG like kubectl: first definition and first current-context win, missing files skipped', () => {
    process.env.KUBECONFIG = [join(dir, 'missing.yaml'), join(dir, 'a.yaml'), join(dir, 'b.yaml')].join(delimiter);
    const kc = loadKubeConfig();
    expect(kc.getCurrentContext()).toBe('eks-prod');
    expect(kc.getCurrentCluster()?.server).toBe('https://1.2.3.4/eks-prod');
    expect(kc.getContexts().map((c) => c.name)).toEqual(['eks-prod', 'eks-staging', 'gke-dev']);
    expect(loadKubeConfig({ context: 'gke-dev' }).getCurrentCluster()?.server).toBe('https://5.6.7.8/gke-dev');
  });

  it('prefers --kubeconfig over KUBECONFIG, and falls back to ~/.kube/config', async () => {
    process.env.KUBECONFIG = join(dir, 'b.yaml');
    expect(loadKubeConfig({ kubeconfig: join(dir, 'a.yaml') }).getCurrentContext()).toBe('eks-prod');
    delete process.env.KUBECONFIG;
    process.env.HOME = dir;
    expect(fatal(() => loadKubeConfig()).message).toBe(
      `no kubeconfig found: pass --kubeconfig, set KUBECONFIG or create ${join(dir, '.kube', 'config')}`,
    );
  });

  it.each([
    [{ kubeconfig: '/nonexistent/kubeconfig' }, 'kubeconfig not found: /nonexistent/kubeconfig'],
    [{ context: 'nope', file: 'a.yaml' }, /^context "nope" not found in .*a\.yaml \(contexts: eks-prod, eks-staging\)$/],
    [{ file: 'nocurrent.yaml' }, /nocurrent\.yaml has no current context: pass --context \(contexts: aks-dev\)$/],
    [{ file: 'dangling.yaml' }, /^context "x" names cluster "gone", which .*dangling\.yaml does not define$/],
    [{ file: 'broken.yaml' }, /^cannot read kubeconfig .*broken\.yaml: /],
  ] as const)('fails with one line for %j', (opts, message) => {
    const o = opts as { kubeconfig?: string; context?: string; file?: string };
    const err = fatal(() => loadKubeConfig({ ...(o.file ? { kubeconfig: join(dir, o.file) } : { kubeconfig: o.kubeconfig! }), ...(o.context ? { context: o.context } : {}) }));
    if (typeof message === 'string') expect(err.message).toBe(message);
    else expect(err.message).toMatch(message);
  });

  it('fails when no file in KUBECONFIG exists', () => {
    process.env.KUBECONFIG = [join(dir, 'x.yaml'), join(dir, 'y.yaml')].join(delimiter);
    expect(fatal(() => loadKubeConfig()).message).toMatch(/^kubeconfig not found: no file in KUBECONFIG exists/);
  });
});

describe('discovery parsing', () => {
  it('reads aggregated discovery documents', () => {
    expect(
      parseAggregatedDiscovery({
        items: [
          {
            metadata: { name: 'keda.sh' },
            versions: [
              {
                version: 'v1alpha1',
                resources: [{ resource: 'scaledobjects', responseKind: { kind: 'ScaledObject' }, scope: 'Namespaced', singularResource: 'scaledobject', shortNames: ['so'], verbs: ['get', 'list'] }],
              },
            ],
          },
        ],
      }),
    ).toEqual([{ kind: 'ScaledObject', plural: 'scaledobjects', singular: 'scaledobject', group: 'keda.sh', version: 'v1alpha1', namespaced: true, shortNames: ['so'], verbs: ['get', 'list'] }]);
  });

  it('reads legacy resource lists without subresources', () => {
    const infos = parseResourceList({
      groupVersion: 'v1',
      resources: [
        { name: 'pods', kind: 'Pod', singularName: 'pod', namespaced: true, shortNames: ['po'] },
        { name: 'pods/log', kind: 'Pod', namespaced: true },
        { name: 'nodes', kind: 'Node', singularName: '', namespaced: false },
      ],
    });
    expect(infos.map((i) => [i.group, i.version, i.plural, i.singular, i.namespaced])).toEqual([
      ['', 'v1', 'pods', 'pod', true],
      ['', 'v1', 'nodes', 'node', false],
    ]);
  });
});

describe('describeFetchError', () => {
  it.each([
    [Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }) }), 'connect ECONNREFUSED 10.0.0.1:443'],
    [Object.assign(new TypeError('fetch failed'), { cause: new AggregateError([new Error('connect ETIMEDOUT 10.0.0.2:443')], '') }), 'connect ETIMEDOUT 10.0.0.2:443'],
    [new Error('getaddrinfo ENOTFOUND api.example.com\nmore'), 'getaddrinfo ENOTFOUND api.example.com'],
  ])('names the root cause of %#', (err, text) => {
    expect(describeFetchError(err)).toBe(text);
  });
});
