/** images/control-plane-pullable over values fixtures and cluster snapshots, against a real loopback registry. */
import { describe, expect, it } from '@jest/globals';
import controlPlanePullable from '../../../checks/images/control-plane-pullable.js';
import { ecrPartition, findingForProbe, type ImageInputs } from '../../../checks/images/support/pullable.js';
import type { CheckContext } from '../../../src/engine/index.js';
import type { ImageEntry } from '../../../src/model-engine/images.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { ECR, SHA, VALUES, useImageRegistry } from './registry-fixture.js';

const { registry, unauthenticated, probed } = useImageRegistry();

testCheck(controlPlanePullable, {
  valid: [
    { name: 'values: the control-plane image at the release tag', values: VALUES, ports: { registry } },
    { name: 'live cluster: the images the control-plane and endpoint pods run', snapshot: 'fixtures/clusters/healthy-aws', ports: { registry } },
  ],
  invalid: [
    {
      name: 'a tag that was never pushed (nearest tags listed)',
      values: VALUES,
      set: ['tag=a8236961'],
      ports: { registry },
      errors: [{ messageId: 'missingTag', status: 'fail', object: { kind: 'Image', name: `${ECR}/model-engine:a8236961` } }],
    },
    {
      name: 'a gateway repository that does not exist in the mirror',
      values: VALUES,
      set: [`image.gatewayRepository=${ECR}/model-engine-gateway`],
      ports: { registry },
      errors: [{ messageId: 'missingRepository', object: { name: `${ECR}/model-engine-gateway:${SHA}` } }],
    },
    {
      name: 'no credential the registry accepts',
      values: VALUES,
      ports: { registry: unauthenticated },
      errors: [{ messageId: 'unauthorized', object: { name: `${ECR}/model-engine:${SHA}` } }],
    },
  ],
});

describe('images/control-plane-pullable in detail', () => {
  it('probes each distinct image once per run, even when gateway, builder and forwarder share it', async () => {
    probed.length = 0;
    await runCase(controlPlanePullable, { name: 'x', values: VALUES, ports: { registry } });
    expect(probed).toEqual([`${ECR}/model-engine:${SHA}`]);
  });

  it("says an image found with this machine's credentials proves nothing about the nodes' pull path, and points at --canary", async () => {
    const rs = await runCase(controlPlanePullable, { name: 'x', values: VALUES, ports: { registry } });
    const exists = rs.find((r) => r.messageId === 'exists');
    expect(exists?.message).toContain("with this machine's credentials (docker config");
    expect(exists?.message).toContain("not the nodes' (node IAM role, kubelet identity, node service account): --canary pulls it from a node");
  });

  it('tells rate limits apart from refused credentials, and mirrors as the fix', () => {
    const f = findingForProbe(
      { values: undefined } as unknown as CheckContext,
      { ref: 'docker.io/library/busybox:latest', group: 'support', roles: ['balloon'], valuesPaths: [], primary: true } as unknown as ImageEntry,
      {
        ref: 'docker.io/library/busybox:latest',
        registry: 'docker.io',
        repository: 'library/busybox',
        reference: 'latest',
        status: 'rate-limited',
        detail: 'registry-1.docker.io is rate-limiting HEAD requests (429) with anonymous (limit 100 per 21600 s, 0 left)',
        checkedWith: [{ label: 'anonymous', outcome: 'rate-limited' }],
        rateLimit: { limit: '100;w=21600', remaining: '0;w=21600' },
      },
      { notes: [], serviceAccounts: { controlPlane: { namespace: 'model-engine', name: 'model-engine' }, endpoint: { namespace: 'llm-engine', name: 'model-engine' } } } as unknown as ImageInputs,
    );
    expect([f.status, f.messageId]).toEqual(['warn', 'rateLimited']);
    expect(f.remediation?.summary).toContain('Docker Hub limits pulls per IP');
    expect(ecrPartition('111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn')).toBe('aws-cn');
    expect(ecrPartition('111122223333.dkr.ecr.us-gov-west-1.amazonaws.com')).toBe('aws-us-gov');
  });

  it('skips with the reason when neither values nor a cluster name any image', async () => {
    const rs = await runCase(controlPlanePullable, { name: 'x', ports: { registry } });
    expect(rs.map((r) => [r.status, r.messageId])).toEqual([['skip', 'noImages']]);
  });
});
