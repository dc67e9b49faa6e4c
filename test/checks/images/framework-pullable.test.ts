/** images/framework-pullable over values fixtures and cluster snapshots, against a real loopback registry. */
import { describe, expect, it } from '@jest/globals';
import frameworkPullable from '../../../checks/images/framework-pullable.js';
import type { Severity } from '../../../src/engine/index.js';
import type { RegistryPort } from '../../../src/engine/ports/registry.js';
import { runCase, testCheck, type InvalidCase } from '../../support/check-tester.js';
import { ECR, PASS, VALUES, registryError, useImageRegistry } from './registry-fixture.js';

const VLLM = /^\/v2\/vllm\/manifests\/0\.6\.1\.post2$/;
const JSON_TYPE = { 'content-type': 'application/json' };
const { registry, unauthenticated, proxied, untrustedFor } = useImageRegistry({
  proxies: {
    // ECR: the endpoints' login is valid but a repository policy on vllm does not allow it (403 DENIED).
    denied: [{ path: VLLM, withCredentials: true, reply: { status: 403, headers: JSON_TYPE, body: registryError('DENIED', 'not authorized to perform: ecr:BatchGetImage') } }],
    throttled: [{ path: VLLM, reply: { status: 429, headers: { ...JSON_TYPE, 'retry-after': '60' }, body: registryError('TOOMANYREQUESTS', 'Rate exceeded') } }],
    failing: [{ path: VLLM, reply: { status: 500, headers: JSON_TYPE, body: registryError('UNKNOWN', 'internal server error') } }],
  },
});
/** The values' framework images: vLLM (the default) and batch vLLM are primary, the others optional. */
const PRIMARY = ['vllm:0.6.1.post2', 'llm-engine/batch-infer-vllm:0.17.1-batch'].map((r) => `${ECR}/${r}`);
const OPTIONAL = ['text-generation-inference:latest', 'lightllm:latest', 'tensorrt-llm:latest', 'instant-llm:latest'].map((r) => `${ECR}/${r}`);
type Expected = InvalidCase['errors'][number];
/**
 * The values' framework images through a registry port that answers this way for vllm:0.6.1.post2, or with
 * `optional` for every image (an optional framework fails as a medium warning).
 */
const answered = (name: string, port: RegistryPort, messageId: string, status: 'fail' | 'warn', severity: Severity, optional?: Omit<Expected, 'messageId' | 'object'>): InvalidCase => ({
  name,
  values: VALUES,
  ports: { registry: port },
  errors: [
    ...(optional ? PRIMARY : [PRIMARY[0]!]).map((image): Expected => ({ messageId, status, severity, object: { kind: 'Image', name: image } })),
    ...(optional ? OPTIONAL : []).map((image): Expected => ({ messageId, ...optional, object: { kind: 'Image', name: image } })),
  ],
});

testCheck(frameworkPullable, {
  valid: [
    { name: 'values: pinned framework tags, all mirrored', values: VALUES, ports: { registry } },
    { name: 'live cluster: ConfigMap tags and the endpoint containers', snapshot: 'fixtures/clusters/healthy-aws', ports: { registry } },
  ],
  invalid: [
    {
      name: 'a vLLM tag missing from the mirror',
      values: VALUES,
      set: ['inferenceFramework.vllm=0.7.0'],
      ports: { registry },
      errors: [{ messageId: 'missingTag', status: 'fail', object: { name: `${ECR}/vllm:0.7.0` } }],
    },
    {
      name: '--framework-tag naming an arm64-only image on amd64 nodes',
      values: VALUES,
      options: { extra: { frameworkTag: 'vllm=0.6.2' } },
      ports: { registry },
      errors: [{ messageId: 'platformMissing', object: { name: `${ECR}/vllm:0.6.2` } }],
    },
    {
      name: 'live cluster: an endpoint pod running a vLLM tag that was never mirrored',
      snapshot: 'fixtures/clusters/demo-aws',
      ports: { registry },
      errors: [{ messageId: 'missingTag', object: { name: `${ECR}/vllm:0.6.3` } }],
    },
    {
      name: "vllm_repository named as upstream Docker Hub's vllm/vllm-openai, a repository never created in the mirror",
      values: VALUES,
      set: ['config.values.launch.vllm_repository=vllm/vllm-openai'],
      ports: { registry },
      errors: [{ messageId: 'missingRepository', status: 'fail', severity: 'high', object: { kind: 'Image', name: `${ECR}/vllm/vllm-openai:0.6.1.post2` } }],
    },
    answered('no credentials for the mirror at all (no docker login, no pull secret): every framework image', unauthenticated, 'unauthorized', 'fail', 'high', { status: 'warn', severity: 'medium' }),
    answered('a valid login that a repository policy on vllm does not allow (ECR 403 DENIED)', proxied.denied!, 'denied', 'fail', 'high'),
    answered('ECR throttling vllm manifest requests (429 TOOMANYREQUESTS)', proxied.throttled!, 'rateLimited', 'warn', 'high'),
    answered('ECR failing for vllm (500)', proxied.failing!, 'registryError', 'warn', 'medium'),
    answered("the mirror's certificate not trusted here: every framework image, one warning each", untrustedFor(ECR), 'tlsError', 'warn', 'medium', { status: 'warn', severity: 'medium' }),
  ],
});

describe('images/framework-pullable in detail', () => {
  it('says which credential answered, lists nearest tags and gives the copy commands and values for a missing tag', async () => {
    const rs = await runCase(frameworkPullable, { name: 'x', values: VALUES, set: ['inferenceFramework.vllm=0.6.1'], ports: { registry } });
    const miss = rs.find((r) => r.messageId === 'missingTag');
    expect(miss?.message).toContain('nearest existing tags: 0.6.1.post2');
    expect(miss?.severity).toBe('high');
    if (miss?.status !== 'fail') throw new Error('expected a failure');
    expect(miss.remediation.values).toBe('inferenceFramework:\n  vllm: "0.6.1.post2"');
    expect(miss.remediation.commands).toContain(`skopeo copy --all docker://public.ecr.aws/b2z8n5q1/vllm:0.6.1 docker://${ECR}/vllm:0.6.1`);
    const ok = rs.find((r) => r.status === 'pass' && r.object?.name === `${ECR}/llm-engine/batch-infer-vllm:0.17.1-batch`);
    expect(ok?.message).toMatch(/checked with anonymous \(rejected: 401 .*\); docker config .* \(answered\)/);
    expect(JSON.stringify(rs)).not.toContain(PASS);
  });

  it('missing repository: the fix creates the repository and copies the image from its upstream', async () => {
    const rs = await runCase(frameworkPullable, { name: 'x', values: VALUES, set: ['config.values.launch.vllm_repository=vllm/vllm-openai'], ports: { registry } });
    const f = rs.find((r) => r.messageId === 'missingRepository');
    if (f?.status !== 'fail') throw new Error('expected a failure');
    expect(f.message).toBe(`Repository vllm/vllm-openai does not exist in ${ECR}: vLLM endpoints (the default LLM framework) cannot start (the image was not mirrored)`);
    expect(f.remediation.commands?.join('\n')).toMatch(/\|\| aws ecr create-repository --region us-east-1 --repository-name vllm\/vllm-openai/);
  });

  it('unauthorized and denied name the endpoints service account that pulls, and the ECR role fix', async () => {
    for (const port of [unauthenticated, proxied.denied!]) {
      const rs = await runCase(frameworkPullable, { name: 'x', values: VALUES, ports: { registry: port } });
      const f = rs.find((r) => r.object?.name === PRIMARY[0]);
      if (f?.status !== 'fail') throw new Error('expected a failure');
      expect(f.remediation.summary).toMatch(/node IAM role needs ecr:GetAuthorizationToken, ecr:BatchGetImage/);
      expect(f.remediation.commands).toContain("kubectl -n llm-engine patch serviceaccount model-engine -p '{\"imagePullSecrets\":[{\"name\":\"regcred\"}]}'");
    }
  });

});
