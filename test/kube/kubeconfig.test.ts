import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { FatalError } from '../../src/engine/errors.js';
import { CoreV1Api } from '@kubernetes/client-node';
import { describeFetchError, loadKubeConfig, NoKubeConfigError, parseAggregatedDiscovery, parseResourceList } from '../../src/sources/kube/live-kube.js';
import { startSnapshotServer, type SnapshotServer } from '../../src/sources/server/api-server.js';
import { loadSnapshot } from '../../src/sources/snapshot/load.js';
import { fixture } from '../support/check-tester.js';

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

describe('kubectl overrides and impersonation', () => {
  it('--cluster and --user replace the context’s own, the context stays current', () => {
    const kc = loadKubeConfig({ kubeconfig: join(dir, 'a.yaml'), cluster: 'eks-staging', user: 'eks-staging' });
    expect(kc.getCurrentContext()).toBe('eks-prod');
    expect(kc.getCurrentCluster()?.server).toBe('https://1.2.3.4/eks-staging');
    expect(kc.getCurrentUser()?.token).toBe('token-eks-staging');
  });

  it('--cluster builds a context when the kubeconfig has none to use, as kubectl does', () => {
    const kc = loadKubeConfig({ kubeconfig: join(dir, 'nocurrent.yaml'), cluster: 'aks-dev', user: 'aks-dev' });
    expect(kc.getCurrentCluster()?.server).toBe('https://1.2.3.4/aks-dev');
    expect(kc.getCurrentUser()?.token).toBe('token-aks-dev');
  });

  it.each([
    [{ cluster: 'nope' }, /^cluster "nope" not found in .*a\.yaml \(clusters: eks-prod, eks-staging\)$/],
    [{ user: 'nope' }, /^user "nope" not found in .*a\.yaml \(users: eks-prod, eks-staging\)$/],
    [{ asGroups: ['g'] }, /^--as-group needs --as/],
  ])('fails with one line for %j', (opts, message) => {
    expect(fatal(() => loadKubeConfig({ kubeconfig: join(dir, 'a.yaml'), ...opts })).message).toMatch(message);
  });

  it('nothing configured is a NoKubeConfigError (preflight goes offline); a malformed file is not', () => {
    process.env.KUBECONFIG = join(dir, 'missing.yaml');
    expect(fatal(() => loadKubeConfig())).toBeInstanceOf(NoKubeConfigError);
    expect(fatal(() => loadKubeConfig({ kubeconfig: join(dir, 'nocurrent.yaml') }))).toBeInstanceOf(NoKubeConfigError);
    expect(fatal(() => loadKubeConfig({ kubeconfig: join(dir, 'broken.yaml') }))).not.toBeInstanceOf(NoKubeConfigError);
  });

  it('KUBECONFIG: an empty file is skipped, a malformed one is named', async () => {
    await writeFile(join(dir, 'empty.yaml'), '  \n');
    process.env.KUBECONFIG = [join(dir, 'empty.yaml'), join(dir, 'b.yaml')].join(delimiter);
    expect(loadKubeConfig().getCurrentContext()).toBe('gke-dev');
    process.env.KUBECONFIG = [join(dir, 'b.yaml'), join(dir, 'broken.yaml')].join(delimiter);
    expect(fatal(() => loadKubeConfig()).message).toMatch(new RegExp(`^cannot read kubeconfig ${join(dir, 'broken.yaml').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
  });

  it('the WebSocket path (exec) gets Impersonate-User and an array of Impersonate-Group values (one line each)', async () => {
    const kc = loadKubeConfig({ kubeconfig: join(dir, 'a.yaml'), as: 'jane', asGroups: ['ml-oncall', 'dev'] });
    const opts: { headers?: Record<string, unknown> } = {};
    await kc.applyToHTTPSOptions(opts);
    expect(opts.headers).toMatchObject({ 'Impersonate-User': 'jane', 'Impersonate-Group': ['ml-oncall', 'dev'] });
  });

  describe('on the wire (snapshot API server recording headers)', () => {
    let srv: SnapshotServer;
    const impersonating = (file: string, user: Record<string, unknown>) =>
      writeFile(
        join(dir, file),
        stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 's', cluster: { server: srv.url, 'insecure-skip-tls-verify': true } }],
          users: [{ name: 'u', user }],
          contexts: [{ name: 's', context: { cluster: 's', user: 'u' } }],
          'current-context': 's',
        }),
      );
    const sent = (from: number, name: string) => srv.requestLog.slice(from).map((r) => (r.headers ?? []).filter(([k]) => k.toLowerCase() === name).map(([, v]) => v));
    beforeAll(async () => {
      srv = await startSnapshotServer({ snapshot: await loadSnapshot(fixture('fixtures/clusters/demo-aws')), recordHeaders: true });
    });
    afterAll(async () => {
      await srv?.close();
    });

    it('the kubeconfig user’s own as/as-groups are sent through client-node’s API clients (the canary’s path)', async () => {
      await impersonating('imp.yaml', { as: 'kube-user', 'as-groups': ['g1', 'g2'] });
      const from = srv.requestLog.length;
      await loadKubeConfig({ kubeconfig: join(dir, 'imp.yaml') }).makeApiClient(CoreV1Api).listNamespace();
      expect(sent(from, 'impersonate-user')).toEqual([['kube-user']]);
      expect(sent(from, 'impersonate-group')).toEqual([['g1', 'g2']]);
    });

    it('--as and --as-group win over the kubeconfig’s, as in kubectl', async () => {
      const from = srv.requestLog.length;
      const kc = loadKubeConfig({ kubeconfig: join(dir, 'imp.yaml'), as: 'jane', asGroups: ['ops'] });
      await kc.makeApiClient(CoreV1Api).listNamespace();
      expect(sent(from, 'impersonate-user')).toEqual([['jane']]);
      expect(sent(from, 'impersonate-group')).toEqual([['ops']]);
    });

    it('-v=6 logs each request through the same interceptor, without headers', async () => {
      const lines: string[] = [];
      const kc = loadKubeConfig({ kubeconfig: join(dir, 'imp.yaml'), verbosity: 6, log: (l) => lines.push(l) });
      await kc.makeApiClient(CoreV1Api).listNamespace();
      expect(lines).toEqual([expect.stringMatching(new RegExp(`^GET ${srv.url}/api/v1/namespaces 200 OK in \\d+ milliseconds$`))]);
    });
  });
});
