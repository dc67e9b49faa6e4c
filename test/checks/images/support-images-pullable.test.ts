/** images/support-images-pullable over values fixtures and cluster snapshots, against a real loopback registry. */
import supportImagesPullable from '../../../checks/images/support-images-pullable.js';
import { testCheck } from '../../support/check-tester.js';
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

