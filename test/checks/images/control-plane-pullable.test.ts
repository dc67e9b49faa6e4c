/** images/control-plane-pullable over values fixtures and cluster snapshots, against a real loopback registry. */
import { describe, expect, it } from '@jest/globals';
import controlPlanePullable from '../../../checks/images/control-plane-pullable.js';
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

  it('skips with the reason when neither values nor a cluster name any image', async () => {
    const rs = await runCase(controlPlanePullable, { name: 'x', ports: { registry } });
    expect(rs.map((r) => [r.status, r.messageId])).toEqual([['skip', 'noImages']]);
  });
});
