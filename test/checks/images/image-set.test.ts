/** The image set, tag choice and the kubelet-message classifier: pure functions, table-tested. */
import { describe, expect, it } from '@jest/globals';
import { classifyPullError, imageInPullMessage, type PullErrorKind } from '../../../src/model-engine/image-pull.js';
import {
  clusterImages,
  frameworkImageUrl,
  imageSet,
  inferRegistryType,
  nearestTags,
  parseFrameworkTags,
  podKind,
  type PodLike,
  type ValuesLike,
} from '../../../src/model-engine/images.js';

/** A ValuesLike over a plain object with dotted paths (as helm's merged values are read). */
function values(obj: Record<string, unknown>): ValuesLike {
  return {
    get(path: string) {
      let cur: unknown = obj;
      for (const k of path.split('.')) {
        if (!cur || typeof cur !== 'object') return undefined;
        cur = (cur as Record<string, unknown>)[k];
      }
      return cur;
    },
  };
}

const ECR = '111122223333.dkr.ecr.us-east-1.amazonaws.com';
const base = {
  tag: 'e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4',
  image: { gatewayRepository: `${ECR}/model-engine`, builderRepository: `${ECR}/model-engine`, forwarderRepository: `${ECR}/model-engine` },
  inferenceFramework: { vllm: 'latest', vllm_batch: '0.17.1-batch' },
  config: { values: { infra: { docker_repo_prefix: ECR }, launch: { vllm_repository: 'vllm', batch_inference_vllm_repository: 'llm-engine/batch-infer-vllm' } } },
};

describe('imageSet', () => {
  it('merges gateway, builder and forwarder into one image with every role that pulls it', () => {
    const set = imageSet({ values: values({ ...base, celery_autoscaler: { enabled: true } }) });
    const cp = set.images.filter((e) => e.group === 'control-plane');
    expect(cp).toHaveLength(1);
    expect(cp[0]).toMatchObject({
      ref: `${ECR}/model-engine:${base.tag}`,
      roles: ['gateway', 'cacher', 'celery autoscaler', 'hook jobs (database migration)', 'endpoint builder', 'forwarder (every endpoint pod)'],
      primary: true,
      upstream: { repository: 'public.ecr.aws/b2z8n5q1/model-engine', verified: true },
    });
  });

  it.each([
    ['values (inferenceFramework)', {}, undefined, `${ECR}/vllm:latest`, 'inferenceFramework.vllm'],
    ['the live ConfigMap wins over values', { vllm: '0.6.3' }, undefined, `${ECR}/vllm:0.6.3`, 'ConfigMap model-engine-inference-framework-latest-config (vllm)'],
    ['--framework-tag wins over both', { vllm: '0.6.3' }, 'vllm=0.7.0', `${ECR}/vllm:0.7.0`, '--framework-tag'],
  ])('vLLM tag from %s', (_name, cm, flag, ref, tagFrom) => {
    const set = imageSet({ values: values(base), frameworkConfigMap: cm, frameworkTags: parseFrameworkTags(flag) });
    const vllm = set.images.find((e) => e.key === 'vllm' && e.group === 'framework');
    expect(vllm).toMatchObject({ ref, tagFrom, primary: true });
  });

  it('lists every framework (deepspeed as hard-coded instant-llm) and sglang only when its repository is configured', () => {
    const without = imageSet({ values: values(base) }).images.filter((e) => e.group === 'framework').map((e) => e.ref);
    expect(without).toEqual([
      `${ECR}/vllm:latest`,
      `${ECR}/llm-engine/batch-infer-vllm:0.17.1-batch`,
      `${ECR}/text-generation-inference:latest`,
      `${ECR}/lightllm:latest`,
      `${ECR}/tensorrt-llm:latest`,
      `${ECR}/instant-llm:latest`,
    ]);
    const withSglang = imageSet({
      values: values({ ...base, config: { values: { ...base.config.values, launch: { ...base.config.values.launch, sglang_repository: 'sglang' } } } }),
      frameworkTags: { sglang: '0.4.1' },
    });
    expect(withSglang.images.map((e) => e.ref)).toContain(`${ECR}/sglang:0.4.1`);
  });

  it.each([
    ['ecr prefix, relative repo', ECR, 'vllm', 'ecr', `${ECR}/vllm:1`],
    ['full path kept verbatim (not GAR)', ECR, 'myreg.example.com/vllm', 'ecr', 'myreg.example.com/vllm:1'],
    ['GAR always prefixes', 'us-docker.pkg.dev/p/r', 'vllm', 'gar', 'us-docker.pkg.dev/p/r/vllm:1'],
    ['trailing slash on the prefix', 'registry.internal/ml/', 'vllm', 'generic', 'registry.internal/ml/vllm:1'],
  ] as const)('frameworkImageUrl: %s', (_n, prefix, repo, type, out) => {
    expect(frameworkImageUrl(prefix, repo, '1', type)).toBe(out);
    expect(inferRegistryType(prefix)).toBe(type);
  });

  it('reports values that cannot name an image instead of inventing one', () => {
    const set = imageSet({ values: values({ image: { gatewayRepository: `${ECR}/model-engine` } }) });
    expect(set.problems.map((p) => p.code)).toEqual(['missingTag', 'missingRepository', 'missingRepository', 'missingPrefix']);
    expect(set.images.filter((e) => e.group !== 'support')).toEqual([]);
  });

  it('adds kaniko only for ECR (the only class that builds), CPA with prewarming, and the image-cache extras for GPU caches', () => {
    const ecr = imageSet({ values: values({ ...base, autoscaling: { prewarming: { enabled: true } }, imageCache: { devices: [{ name: 'cpu' }, { name: 'a10' }] } }) });
    const refs = ecr.images.filter((e) => e.group === 'support').map((e) => e.ref);
    expect(refs).toEqual([
      'public.ecr.aws/docker/library/busybox:latest',
      'curlimages/curl:7.72.0',
      'public.ecr.aws/ubuntu/ubuntu:latest',
      'gcr.io/kaniko-project/executor:v1.9.1',
      'registry.k8s.io/cpa/cluster-proportional-autoscaler:1.8.5',
      'gcr.io/istio-release/proxyv2:1.15.0',
      `${ECR}/text-generation-inference:1.1.0`,
      `${ECR}/vllm:0.2.7`,
      `${ECR}/vllm:0.3.2`,
    ]);
    expect(ecr.images.find((e) => e.key === 'kaniko')?.redirectable).toBe(false);
    const acr = imageSet({ values: values({ ...base, config: { values: { infra: { docker_repo_prefix: 'myreg.azurecr.io' }, launch: {} } } }) });
    expect(acr.images.some((e) => e.key === 'kaniko')).toBe(false);
  });
});

const pod = (name: string, labels: Record<string, string>, containers: [string, string][], owner?: string): PodLike => ({
  metadata: { name, namespace: 'llm-engine', labels, ...(owner ? { ownerReferences: [{ kind: 'DaemonSet', name: owner }] } : {}) },
  spec: { containers: containers.map(([n, image]) => ({ name: n, image })) },
});

describe('cluster images', () => {
  it.each([
    ['gateway', pod('model-engine-5b8c7d9f4-2xkqp', { app: 'model-engine' }, []), 'control-plane'],
    ['celery autoscaler', pod('celery-autoscaler-sqs-0', { app: 'celery-autoscaler-sqs' }, []), 'control-plane'],
    ['endpoint', pod('launch-endpoint-id-end-cq-7d4f8b9c6-x8k2p', { app: 'launch-endpoint-id-end-cq', endpoint_id: 'end_cq' }, []), 'endpoint'],
    ['image cache', pod('launch-image-cache-a10-7kq2x', {}, [], 'launch-image-cache-a10'), 'image-cache'],
    ['balloon', pod('model-engine-balloon-nvidia-ampere-a10-6c9-xx', { app: 'model-engine-balloon-nvidia-ampere-a10' }, []), 'balloon'],
    ['someone else', pod('redis-0', { app: 'redis' }, []), 'other'],
  ])('podKind: %s', (_n, p, kind) => expect(podKind(p)).toBe(kind));

  it('puts the forwarder with the control plane and the main container with the frameworks, once per image', () => {
    const ep = (n: string) =>
      pod(n, { endpoint_id: 'end_cq' }, [
        ['http-forwarder', `${ECR}/model-engine:abc`],
        ['main', `${ECR}/vllm:0.6.3`],
      ]);
    const images = clusterImages([ep('launch-endpoint-id-end-cq-1'), ep('launch-endpoint-id-end-cq-2')]);
    expect(images.map((e) => [e.ref, e.group, e.pods?.length])).toEqual([
      [`${ECR}/model-engine:abc`, 'control-plane', 2],
      [`${ECR}/vllm:0.6.3`, 'framework', 2],
    ]);
  });
});

describe('nearestTags', () => {
  it.each([
    ['closest versions first (the newer on a tie)', '0.6.3', ['0.5.0', '0.6.2', '0.6.4', '0.7.0', 'latest'], ['0.6.4', '0.6.2', '0.7.0']],
    ['same suffix preferred', '0.17.2-batch', ['0.17.1', '0.17.1-batch', '0.18.0-batch'], ['0.17.1-batch', '0.17.1', '0.18.0-batch']],
    ['"latest": the highest versions', 'latest', ['0.5.0', '0.6.3', '0.6.10'], ['0.6.10', '0.6.3', '0.5.0']],
    ['a short SHA matches the full one', 'a8236961', [SHA_FULL(), 'e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4'], [SHA_FULL()]],
    ['free-form: edit distance', 'cpu-1.5', ['cpu-1.4', 'gpu-1.5', 'turing-1.5'], ['cpu-1.4', 'gpu-1.5', 'turing-1.5']],
    ['nothing to offer', '1.0', [], []],
  ])('%s', (_n, wanted, tags, expected) => {
    expect(nearestTags(wanted, tags, 3)).toEqual(expected);
  });
});

function SHA_FULL() {
  return 'a82369619a365b79a45e49ef6af1045653102615';
}

describe('parseFrameworkTags', () => {
  it.each([
    [['vllm=0.6.3'], { vllm: '0.6.3' }],
    [['tgi=2.0.1,trtllm=0.9'], { text_generation_inference: '2.0.1', tensorrt_llm: '0.9' }],
    [['batch-infer-vllm=0.17.1-batch', 'VLLM=1'], { vllm_batch: '0.17.1-batch', vllm: '1' }],
  ])('%j', (specs, out) => expect(parseFrameworkTags(specs)).toEqual(out));

  it.each([['nope=1'], ['vllm'], ['vllm=']])('rejects %s', (spec) => expect(() => parseFrameworkTags([spec])).toThrow(/bad --framework-tag/));
});

describe('classifyPullError', () => {
  const IMG = '111122223333.dkr.ecr.us-east-1.amazonaws.com/vllm:0.6.3';
  it.each<[string, string, PullErrorKind, RegExp]>([
    [
      'containerd not found',
      `Failed to pull image "${IMG}": rpc error: code = NotFound desc = failed to pull and unpack image "${IMG}": failed to resolve reference "${IMG}": ${IMG}: not found`,
      'not-found',
      /code = NotFound/,
    ],
    ['docker manifest unknown', `Error response from daemon: manifest for ${IMG} not found: manifest unknown: manifest unknown`, 'not-found', /manifest for/],
    [
      'ECR 401',
      `Failed to pull image "${IMG}": failed to resolve reference "${IMG}": pulling from host 111122223333.dkr.ecr.us-east-1.amazonaws.com failed with status code [manifests 0.6.3]: 401 Unauthorized`,
      'unauthorized',
      /401 Unauthorized/,
    ],
    ['docker hub', 'Failed to pull image "acme/private:1": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope', 'unauthorized', /pull access denied/],
    ['ECR no basic auth', 'Error response from daemon: Get "https://x/v2/vllm/manifests/1": no basic auth credentials', 'unauthorized', /no basic auth credentials/],
    [
      'platform',
      'Failed to pull image "x/vllm:0.6.2": failed to pull and unpack image "x/vllm:0.6.2": no match for platform in manifest: not found',
      'platform',
      /no match for platform in manifest/,
    ],
    ['i/o timeout', 'Failed to pull image "x": failed to do request: Head "https://x/v2/a/manifests/b": dial tcp 10.1.2.3:443: i/o timeout', 'timeout', /i\/o timeout/],
    ['DNS', 'failed to do request: Head "https://reg.internal/v2/a/manifests/b": dial tcp: lookup reg.internal on 10.96.0.10:53: no such host', 'dns', /lookup reg\.internal/],
    ['TLS', 'failed to do request: Head "https://reg.internal/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority', 'tls', /x509|tls/],
    ['rate limit', 'toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading', 'rate-limited', /toomanyrequests/],
    ['back-off only', 'Back-off pulling image "x/vllm:1"', 'unknown', /Back-off/],
  ])('%s', (_n, message, kind, detail) => {
    const c = classifyPullError(message);
    expect(c.kind).toBe(kind);
    expect(c.detail).toMatch(detail);
  });

  it('finds the image in kubelet messages', () => {
    expect(imageInPullMessage(`Failed to pull image "${IMG}": rpc error`)).toBe(IMG);
    expect(imageInPullMessage(`Back-off pulling image "${IMG}"`)).toBe(IMG);
  });
});

describe('effectiveRegistryType (api/dependencies.py since #775)', () => {
  it.each([
    [undefined, '111122223333.dkr.ecr.us-east-1.amazonaws.com', 'ecr'],
    [undefined, 'myregistry.azurecr.io', 'acr'],
    [undefined, 'us-docker.pkg.dev/p/r', 'gar'],
    [undefined, 'registry.example.internal:5000', 'generic'],
    ['onprem', 'registry.example.internal:5000', 'onprem'],
    // An explicit type wins over the prefix, and an unknown one is the Generic repository, not a guess.
    ['harbor', '111122223333.dkr.ecr.us-east-1.amazonaws.com', 'generic'],
    ['', 'myregistry.azurecr.io', 'acr'],
  ])('docker_registry_type %j with prefix %s → %s', async (explicit, prefix, want) => {
    const { effectiveRegistryType } = await import('../../../src/model-engine/images.js');
    expect(effectiveRegistryType(explicit, prefix)).toBe(want);
  });
});
