/**
 * Shared by the `images/*-pullable` tests: a real docker-registry (TLS + htpasswd) on loopback holding the images
 * the fixtures name. The fixtures' registry hosts (the install's ECR, public.ecr.aws, docker.io, gcr.io) are all
 * served by that one loopback registry through the port's address override; a guard fails the test if a probe
 * would go anywhere else.
 */
import { afterAll, beforeAll } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseImageRef } from '../../../src/engine/kube-types.js';
import type { ImageProbeRequest, RegistryPort } from '../../../src/engine/ports/registry.js';
import { createRegistryPort } from '../../../src/sources/registry/index.js';
import { basic, makeCa, pusher, startRegistry, startRegistryProxy, type RegistryProxy, type TestCa, type TestRegistry } from '../../support/registry.js';

export const ECR = '111122223333.dkr.ecr.us-east-1.amazonaws.com';
const HOSTS = [ECR, 'public.ecr.aws', 'registry-1.docker.io', 'gcr.io'];
export const USER = 'mirror-bot';
export const PASS = 'pull-me-please';
export const SHA = 'a82369619a365b79a45e49ef6af1045653102615';
export const VALUES = ['fixtures/values/images-ecr-mirrored.yaml'];
/** A control-plane tag pushed from an Apple-silicon laptop with docker push: linux/arm64 only. */
export const ARM_ONLY_SHA = '4b8e2f7c1d9a0e3f5a6b7c8d9e0f1a2b3c4d5e6f';
/** A curl tag mirrored the same way (arm64 only). */
export const ARM_ONLY_CURL = '8.11.1';

/**
 * What sits between this machine and a registry answering for some requests itself (a proxy in front of the
 * loopback registry): requests whose path matches — and, with `withCredentials`, that carry an Authorization
 * header — get `reply`; the rest go through to the registry.
 */
export interface ProxyRule {
  path: RegExp;
  /** Only this method (Docker Hub counts and limits manifest GETs, not HEADs). */
  method?: 'GET' | 'HEAD';
  withCredentials?: boolean;
  reply: { status: number; headers?: Record<string, string>; body?: string };
}

/** The registry's JSON error body (distribution / ECR / Docker Hub all answer `{"errors":[{code, message}]}`). */
export const registryError = (code: string, message: string) => JSON.stringify({ errors: [{ code, message, detail: null }] });

export interface ImageRegistry {
  /** The registry port with docker-config credentials for every host. */
  registry: RegistryPort;
  /** The same registry with no credentials at all. */
  unauthenticated: RegistryPort;
  /** Every reference probed so far. */
  probed: string[];
  /** The docker-config port reaching the registry through the proxy of each named rule set. */
  proxied: Record<string, RegistryPort>;
  /** The docker-config port with the test CA trusted for every host but `host` (a TLS-intercepting middlebox there). */
  untrustedFor(host: string): RegistryPort;
}

/** Start the registry for this test file (beforeAll/afterAll); the ports work once it runs. */
export function useImageRegistry(opts: { proxies?: Record<string, ProxyRule[]> } = {}): ImageRegistry {
  let ca: TestCa;
  const proxies: RegistryProxy[] = [];
  const behindProxy: Record<string, RegistryPort> = {};
  let portFor: ((overrides: { connectTo?: number; untrusted?: string }) => RegistryPort) | undefined;
  let reg: TestRegistry;
  let tmp: string;
  let withCreds: RegistryPort | undefined;
  let noCreds: RegistryPort | undefined;
  const probed: string[] = [];

  /** Delegates to the real port once the registry runs; refuses any host the test registry does not stand in for. */
  const guarded = (get: () => RegistryPort | undefined): RegistryPort => ({
    probe(req: ImageProbeRequest, signal: AbortSignal) {
      const host = parseImageRef(req.ref).registry;
      const h = host === 'docker.io' ? 'registry-1.docker.io' : host;
      if (!HOSTS.includes(h)) throw new Error(`test would probe non-loopback registry ${host} (${req.ref})`);
      probed.push(req.ref);
      return get()!.probe(req, signal);
    },
  });

  beforeAll(async () => {
    ca = makeCa(HOSTS);
    reg = await startRegistry(ca, { htpasswd: { [USER]: PASS } });
    const push = pusher(reg, ca, () => basic(USER, PASS));
    const amd = { os: 'linux', architecture: 'amd64' };
    const both = [amd, { os: 'linux', architecture: 'arm64', variant: 'v8' }];
    await push.pushImage('model-engine', SHA);
    await push.pushImage('model-engine', 'e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4');
    await push.pushIndex('vllm', '0.6.1.post2', both);
    await push.pushImage('vllm', 'latest');
    await push.pushImage('vllm', '0.6.2', { os: 'linux', architecture: 'arm64' });
    await push.pushIndex('llm-engine/batch-infer-vllm', '0.17.1-batch', both);
    for (const r of ['text-generation-inference', 'lightllm', 'tensorrt-llm', 'instant-llm']) await push.pushImage(r, 'latest');
    await push.pushImage('text-embeddings-inference', 'cpu-1.5');
    // public.ecr.aws/docker/library/busybox, public.ecr.aws/ubuntu/ubuntu, docker.io/curlimages/curl, gcr.io/kaniko-project/executor
    await push.pushIndex('docker/library/busybox', 'latest', both);
    await push.pushIndex('ubuntu/ubuntu', 'latest', both);
    await push.pushImage('curlimages/curl', '7.72.0');
    await push.pushImage('kaniko-project/executor', 'v1.9.1');
    await push.pushImage('model-engine', ARM_ONLY_SHA, { os: 'linux', architecture: 'arm64' });
    await push.pushImage('curlimages/curl', ARM_ONLY_CURL, { os: 'linux', architecture: 'arm64' });
    tmp = mkdtempSync(join(tmpdir(), 'med-pullable-'));
    const dockerConfig = join(tmp, 'config.json');
    const auth = Buffer.from(`${USER}:${PASS}`).toString('base64');
    writeFileSync(dockerConfig, JSON.stringify({ auths: Object.fromEntries(HOSTS.map((h) => [h, { auth }])) }));
    const common = {
      certsDir: join(tmp, 'certs.d'),
      ca: Object.fromEntries(HOSTS.map((h) => [h, [ca.caPem]])),
      connectTo: Object.fromEntries(HOSTS.map((h) => [h, { host: '127.0.0.1', port: reg.port }])),
      logins: { ecr: () => Promise.reject(new Error('no AWS credentials in tests')) },
    };
    withCreds = createRegistryPort({ ...common, dockerConfig });
    noCreds = createRegistryPort({ ...common, dockerConfig: join(tmp, 'none.json') });
    portFor = (o) =>
      createRegistryPort({
        ...common,
        dockerConfig,
        ...(o.connectTo ? { connectTo: Object.fromEntries(HOSTS.map((h) => [h, { host: '127.0.0.1', port: o.connectTo! }])) } : {}),
        ...(o.untrusted ? { ca: Object.fromEntries(HOSTS.filter((h) => h !== o.untrusted).map((h) => [h, [ca.caPem]])) } : {}),
      });
    for (const [name, rules] of Object.entries(opts.proxies ?? {})) {
      const proxy = await startRegistryProxy(ca, reg, {
        answer: (r) => rules.find((rule) => rule.path.test(r.path) && (!rule.method || rule.method === r.method) && (!rule.withCredentials || !!r.authorization))?.reply,
      });
      proxies.push(proxy);
      behindProxy[name] = portFor({ connectTo: proxy.port });
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.stop()));
    await reg?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    if (ca) rmSync(ca.dir, { recursive: true, force: true });
  });

  const proxied = Object.fromEntries(Object.keys(opts.proxies ?? {}).map((name) => [name, guarded(() => behindProxy[name])]));
  const untrusted = new Map<string, RegistryPort>();
  const untrustedFor = (host: string) => guarded(() => {
    if (!untrusted.has(host)) untrusted.set(host, portFor!({ untrusted: host }));
    return untrusted.get(host);
  });
  return { registry: guarded(() => withCreds), unauthenticated: guarded(() => noCreds), probed, proxied, untrustedFor };
}
