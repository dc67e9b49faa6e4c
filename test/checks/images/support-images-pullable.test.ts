/** images/support-images-pullable over values fixtures and cluster snapshots, against a real loopback registry. */
import { describe, expect, it } from '@jest/globals';
import supportImagesPullable from '../../../checks/images/support-images-pullable.js';
import { ForbiddenError } from '../../../src/engine/errors.js';
import { runCheck } from '../../../src/engine/runner.js';
import { resolveContext } from '../../../src/run/context.js';
import { SnapshotKube } from '../../../src/sources/kube/snapshot-kube.js';
import { loadSnapshot } from '../../../src/sources/snapshot/load.js';
import { fixture, testCheck } from '../../support/check-tester.js';
import { VALUES, useImageRegistry } from './registry-fixture.js';

const { registry } = useImageRegistry();

testCheck(supportImagesPullable, {
  valid: [{ name: 'utility images and kaniko (ECR builds) present', values: VALUES, ports: { registry } }],
  invalid: [
    {
      name: 'a utility image tag that does not exist (a warning: only chart jobs use curl)',
      values: VALUES,
      set: ['utilityImages.curl.tag=7.99.0'],
      ports: { registry },
      errors: [{ messageId: 'missingTag', status: 'warn', object: { name: 'curlimages/curl:7.99.0' } }],
    },
  ],
});


describe('images/support-images-pullable without the values', () => {
  it('says the release could not be read (naming the read), not that the values name no image', async () => {
    const kube = new SnapshotKube(await loadSnapshot(fixture('fixtures/clusters/healthy-aws')));
    const { context } = await resolveContext({ kube, namespace: 'model-engine', valuesMissing: new ForbiddenError('list', 'secrets', 'model-engine'), ports: { registry } });
    const [r, ...rest] = await runCheck(supportImagesPullable, context, { timeoutMs: 20_000 });
    expect(rest).toEqual([]);
    expect(r).toMatchObject({ status: 'skip', messageId: 'noImages' });
    expect(r!.message).toMatch(/^No utility and add-on images to check: the helm values could not be read \(forbidden: cannot list secrets in namespace model-engine.*; pass -f values\.yaml\) and the cluster names none$/);
  });
});
