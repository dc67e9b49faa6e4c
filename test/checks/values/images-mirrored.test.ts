import { describe, expect, it } from '@jest/globals';
import check, { mirrorStep } from '../../../checks/values/images-mirrored.js';
import {
  effectiveRegistryType,
  inferRegistryType,
  isRepoName,
  registryHost,
  repositoryPath,
  resolveRepository,
  scaleRegistryOf,
  splitImage,
} from '../../../checks/values/support/registry.js';
import { runCase, testCheck } from '../../support/check-tester.js';

const V = (f: string) => `fixtures/values/${f}.yaml`;
const key = (name: string) => ({ kind: 'HelmValues', name });

testCheck(check, {
  valid: [
    { name: 'aws-good', values: [V('aws-good')] },
    { name: 'azure-good', values: [V('azure-good')] },
    { name: 'gcp-good', values: [V('gcp-good')] },
    { name: 'onprem-good (utility images mirrored too)', values: [V('onprem-good')] },
  ],
  invalid: [
    {
      name: 'values_sample.yaml',
      values: [V('values_sample')],
      errors: [
        { messageId: 'scaleRegistry', object: key('image.gatewayRepository') },
        { messageId: 'scaleRegistry', object: key('image.builderRepository') },
        { messageId: 'scaleRegistry', object: key('image.forwarderRepository') },
        { messageId: 'scalePrefix', object: key('config.values.infra.docker_repo_prefix') },
        { messageId: 'scaleRegistry', object: key('triton.image.repository') },
      ],
    },
    {
      name: 'control plane from the public gallery',
      values: [V('aws-good'), V('images-mirrored-scale-gateway')],
      errors: [
        { messageId: 'scaleRegistry', object: key('image.gatewayRepository') },
        { messageId: 'scaleRegistry', object: key('image.builderRepository') },
      ],
    },
    { name: "prefix at Scale's private ECR", values: [V('aws-good'), V('images-mirrored-scale-prefix')], errors: [{ messageId: 'scalePrefix', object: key('config.values.infra.docker_repo_prefix') }] },
    { name: "vLLM full path in Scale's build account", values: [V('azure-good'), V('images-mirrored-full-path-vllm')], errors: [{ messageId: 'scaleRegistry', object: key('config.values.launch.vllm_repository') }] },
    { name: 'triton from the sample', values: [V('gcp-good'), V('images-mirrored-triton')], errors: [{ messageId: 'scaleRegistry', object: key('triton.image.repository') }] },
    {
      name: 'no image block',
      values: [V('onprem-good'), V('images-mirrored-no-image')],
      errors: [
        { messageId: 'repositoryMissing', object: key('image.gatewayRepository') },
        { messageId: 'repositoryMissing', object: key('image.builderRepository') },
        { messageId: 'repositoryMissing', object: key('image.forwarderRepository') },
      ],
    },
  ],
});

describe('the mirror plan', () => {
  it("copies model-engine at the exact tag into the user's registry and points the key there", async () => {
    const rs = await runCase(check, { name: 'x', values: [V('aws-good'), V('images-mirrored-scale-gateway')] });
    const gw = rs.find((r) => r.object?.name === 'image.gatewayRepository');
    expect(gw?.status).toBe('fail');
    if (gw?.status !== 'fail') return;
    const src = 'public.ecr.aws/b2z8n5q1/model-engine:a82369619a365b79a45e49ef6af1045653102615';
    const dst = '482093716652.dkr.ecr.us-east-1.amazonaws.com/model-engine:a82369619a365b79a45e49ef6af1045653102615';
    expect(gw.remediation.commands).toEqual([`crane copy ${src} ${dst}`, `skopeo copy --all docker://${src} docker://${dst}`]);
    expect(gw.remediation.values).toBe('image:\n  gatewayRepository: 482093716652.dkr.ecr.us-east-1.amazonaws.com/model-engine\n');
    // images-mirrored-scale-gateway.yaml line 3 (after its comment), the overlay that set it.
    expect(gw.evidence[0]).toMatchObject({ path: 'image.gatewayRepository', source: { line: 3, column: 3 } });
    expect(gw.evidence[0]?.type === 'values' && gw.evidence[0].source?.file).toMatch(/images-mirrored-scale-gateway\.yaml$/);
  });

  it('uses a $REGISTRY variable when the prefix is not the user’s, and lists every framework image behind the prefix', async () => {
    const rs = await runCase(check, { name: 'x', values: [V('values_sample')] });
    const p = rs.find((r) => r.messageId === 'scalePrefix');
    if (p?.status !== 'fail') throw new Error('expected a scalePrefix failure');
    expect(p.remediation.commands?.[0]).toBe('export REGISTRY=<account-id>.dkr.ecr.<region>.amazonaws.com   # your registry');
    expect(p.remediation.commands).toContain('crane copy public.ecr.aws/b2z8n5q1/vllm:latest $REGISTRY/vllm:latest');
    expect(p.remediation.commands).toContain(
      'crane copy public.ecr.aws/b2z8n5q1/llm-engine/batch-infer-vllm:0.17.1-batch $REGISTRY/llm-engine/batch-infer-vllm:0.17.1-batch',
    );
    expect(p.evidence.map((e) => (e.type === 'values' ? e.path : e.type))).toEqual([
      'config.values.infra.docker_repo_prefix',
      'config.values.launch.vllm_repository',
      'config.values.launch.tgi_repository',
      'config.values.launch.lightllm_repository',
      'config.values.launch.tensorrt_llm_repository',
      'config.values.launch.batch_inference_vllm_repository',
      'note',
    ]);
    expect(p.remediation.values).toBe('config:\n  values:\n    infra:\n      docker_repo_prefix: "<account-id>.dkr.ecr.<region>.amazonaws.com"\n');
  });

  it('turns a full-path framework repository back into a bare name', async () => {
    const rs = await runCase(check, { name: 'x', values: [V('azure-good'), V('images-mirrored-full-path-vllm')] });
    const r = rs.find((x) => x.messageId === 'scaleRegistry');
    if (r?.status !== 'fail') throw new Error('expected a failure');
    expect(r.remediation.commands).toContain('crane copy public.ecr.aws/b2z8n5q1/vllm:latest acmellmengine.azurecr.io/vllm:latest');
    expect(r.remediation.values).toContain('vllm_repository: vllm  # a bare name');
  });
});

describe('registry helpers', () => {
  it.each<[string, string | undefined]>([
    ['public.ecr.aws/b2z8n5q1/model-engine', "Scale's public ECR gallery public.ecr.aws/b2z8n5q1"],
    ['public.ecr.aws/b2z8n5q1/llm-engine/batch-infer-vllm', "Scale's public ECR gallery public.ecr.aws/b2z8n5q1"],
    ['307185671274.dkr.ecr.us-west-2.amazonaws.com/vllm', "Scale's private ECR account 307185671274"],
    ['692474966980.dkr.ecr.us-west-2.amazonaws.com/k8s-startup-watcher', "Scale's private ECR account 692474966980"],
    ['000000000000.dkr.ecr.us-east-1.amazonaws.com', 'the 000000000000 placeholder account of the samples'],
    ['harbor.mgmt.internal.scalegov.com/apps-dev/model-engine', "Scale's internal Harbor (harbor.mgmt.internal.scalegov.com)"],
    ['public.ecr.aws/docker/library/busybox', undefined],
    ['public.ecr.aws/b2z8n5q1x/model-engine', undefined],
    ['482093716652.dkr.ecr.us-east-1.amazonaws.com/model-engine', undefined],
    ['1000000000000.dkr.ecr.us-east-1.amazonaws.com/model-engine', undefined],
    ['curlimages/curl', undefined],
  ])('scaleRegistryOf(%s)', (ref, label) => {
    expect(scaleRegistryOf(ref)).toBe(label);
  });

  it.each<[string, ReturnType<typeof inferRegistryType>]>([
    ['482093716652.dkr.ecr.us-east-1.amazonaws.com', 'ecr'],
    ['482093716652.dkr.ecr.cn-north-1.amazonaws.com.cn', 'ecr'],
    ['acmellmengine.azurecr.io', 'acr'],
    ['us-central1-docker.pkg.dev/p/r', 'gar'],
    ['us-docker.pkg.dev/p', 'gar'],
    ['harbor.acme.internal/llm-engine', 'generic'],
    ['public.ecr.aws/b2z8n5q1', 'generic'],
    ['482093716652.dkr.ecr-fips.us-east-1.amazonaws.com', 'generic'],
  ])('inferRegistryType(%s) = %s', (prefix, type) => {
    expect(inferRegistryType(prefix)).toBe(type);
  });

  it.each<[unknown, string, string]>([
    [undefined, 'harbor.acme.internal', 'generic'],
    ['onprem', 'harbor.acme.internal', 'onprem'],
    ['', 'acmellmengine.azurecr.io', 'acr'],
    ['ecr', 'acmellmengine.azurecr.io', 'ecr'],
    ['quay', '482093716652.dkr.ecr.us-east-1.amazonaws.com', 'generic'],
  ])('effectiveRegistryType(%p, %s) = %s', (explicit, prefix, type) => {
    expect(effectiveRegistryType(explicit, prefix)).toBe(type);
  });

  it.each<[string, string, Parameters<typeof resolveRepository>[2], string]>([
    ['482093716652.dkr.ecr.us-east-1.amazonaws.com', 'vllm', 'ecr', '482093716652.dkr.ecr.us-east-1.amazonaws.com/vllm'],
    ['482093716652.dkr.ecr.us-east-1.amazonaws.com', 'llm-engine/batch-infer-vllm', 'ecr', '482093716652.dkr.ecr.us-east-1.amazonaws.com/llm-engine/batch-infer-vllm'],
    ['acmellmengine.azurecr.io', 'other.azurecr.io/vllm', 'acr', 'other.azurecr.io/vllm'],
    ['harbor.acme.internal/llm-engine', 'registry:5000/vllm', 'generic', 'registry:5000/vllm'],
    ['harbor.acme.internal/llm-engine/', 'vllm', 'onprem', 'harbor.acme.internal/llm-engine/vllm'],
    ['us-docker.pkg.dev/p/r', 'us-docker.pkg.dev/p/r/vllm', 'gar', 'us-docker.pkg.dev/p/r/us-docker.pkg.dev/p/r/vllm'],
    ['us-docker.pkg.dev/p/r', 'Vllm', 'ecr', 'Vllm'],
  ])('resolveRepository(%s, %s, %s)', (prefix, repo, type, expected) => {
    expect(resolveRepository(prefix, repo, type)).toBe(expected);
  });

  it.each<[string, boolean]>([
    ['vllm', true],
    ['llm-engine/batch-infer-vllm', true],
    ['text_generation_inference', true],
    ['', true],
    ['registry.local/vllm', false],
    ['vllm:0.5.0', false],
    ['Vllm', false],
  ])('isRepoName(%p) = %p', (repo, expected) => {
    expect(isRepoName(repo)).toBe(expected);
  });

  it.each<[string, ReturnType<typeof splitImage>, string, string]>([
    ['public.ecr.aws/b2z8n5q1/model-engine:abc', { repository: 'public.ecr.aws/b2z8n5q1/model-engine', tag: 'abc' }, 'public.ecr.aws', 'model-engine'],
    ['harbor.acme.internal:5000/llm/model-engine', { repository: 'harbor.acme.internal:5000/llm/model-engine' }, 'harbor.acme.internal:5000', 'llm/model-engine'],
    ['curlimages/curl:7.72.0', { repository: 'curlimages/curl', tag: '7.72.0' }, 'docker.io', 'curlimages/curl'],
    ['busybox@sha256:0123', { repository: 'busybox', tag: 'sha256:0123' }, 'docker.io', 'busybox'],
    ['localhost/vllm', { repository: 'localhost/vllm' }, 'localhost', 'vllm'],
  ])('splitImage/registryHost/repositoryPath(%s)', (ref, split, host, path) => {
    expect(splitImage(ref)).toEqual(split);
    expect(registryHost(split.repository)).toBe(host);
    expect(repositoryPath(split.repository)).toBe(path);
  });

  it.each<[string, ReturnType<typeof splitImage>]>([
    ['bot:pw12345@registry.internal/model-engine', { repository: 'bot:pw12345@registry.internal/model-engine' }],
    ['https://bot:p@ss12345@registry.internal/model-engine', { repository: 'https://bot:p@ss12345@registry.internal/model-engine' }],
    ['bot:pw12345@registry.internal/model-engine:1.0', { repository: 'bot:pw12345@registry.internal/model-engine', tag: '1.0' }],
    ['registry.internal/model-engine:1.0@sha256:0123', { repository: 'registry.internal/model-engine:1.0', tag: 'sha256:0123' }],
  ])('splitImage(%s): a credential before an @ is not a tag or digest', (ref, split) => expect(splitImage(ref)).toEqual(split));

  it.each<[string, string | undefined, string, ReturnType<typeof mirrorStep>]>([
    [
      '000000000000.dkr.ecr.us-west-2.amazonaws.com/std-ml-srv',
      'x-triton',
      'acmellmengine.azurecr.io',
      { source: 'public.ecr.aws/b2z8n5q1/std-ml-srv:x-triton', target: 'acmellmengine.azurecr.io/std-ml-srv:x-triton', published: false },
    ],
    [
      'public.ecr.aws/b2z8n5q1/model-engine',
      undefined,
      'us-docker.pkg.dev/p/r/',
      { source: 'public.ecr.aws/b2z8n5q1/model-engine:<tag>', target: 'us-docker.pkg.dev/p/r/model-engine:<tag>', published: true },
    ],
  ])('mirrorStep(%s, %p, %s)', (repo, tag, registry, expected) => {
    expect(mirrorStep(repo, tag, registry)).toEqual(expected);
  });
});
