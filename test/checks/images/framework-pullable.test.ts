/** images/framework-pullable over values fixtures and cluster snapshots, against a real loopback registry. */
import { describe, expect, it } from '@jest/globals';
import frameworkPullable from '../../../checks/images/framework-pullable.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { ECR, PASS, VALUES, useImageRegistry } from './registry-fixture.js';

const { registry } = useImageRegistry();

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

});
