import { describe, expect, it } from '@jest/globals';
import check, { sdkRecentEnough } from '../../../checks/broker/servicebus-fix.js';
import type { ExecPort } from '../../../src/engine/ports/exec.js';
import { runCase, testCheck } from '../../support/check-tester.js';

// Commits after 9deb59f1 (2026-02-24) contain it; f436d25e (#750, 2026-02-12) does not.
const commits = { isAncestor: async (_a: string, ref: string) => ({ answer: ref.startsWith('a8236961') ? ('yes' as const) : ('no' as const), via: 'test fixture' }) };
const exec = (version: string | undefined): ExecPort => ({
  redisProbe: async () => {
    throw new Error('not used');
  },
  pythonPackageVersion: async () => version,
});

testCheck(check, {
  valid: [
    { name: 'HEAD image', snapshot: 'fixtures/clusters/azure-healthy', ports: { commits } },
    { name: 'HEAD image and azure-servicebus 7.14.3 in the pod', snapshot: 'fixtures/clusters/azure-healthy', ports: { commits, exec: exec('7.14.3') }, options: { exec: true } },
  ],
  invalid: [
    {
      name: 'pre-fix image, keepalive 600 via extraEnvVars',
      snapshot: 'fixtures/clusters/azure-cacher-token',
      ports: { commits },
      errors: [
        { messageId: 'notIncluded', object: { name: 'model-engine' } },
        { messageId: 'notIncluded', object: { name: 'model-engine-endpoint-builder' } },
        { messageId: 'keepAlive', object: { name: 'model-engine' } },
        { messageId: 'keepAlive', object: { name: 'model-engine-endpoint-builder' } },
        { messageId: 'keepAlive', object: { name: 'model-engine-cacher' } },
      ],
    },
    { name: 'azure-servicebus 7.11.4 in the pod', snapshot: 'fixtures/clusters/azure-healthy', ports: { commits, exec: exec('7.11.4') }, options: { exec: true }, errors: [{ messageId: 'sdkOld', object: { kind: 'Pod' } }] },
    {
      name: 'no commits lookup: unverified',
      snapshot: 'fixtures/clusters/azure-healthy',
      ports: { commits: { isAncestor: async () => ({ answer: 'unknown' as const, via: 'none', detail: 'no clone and GitHub unreachable' }) } },
      errors: [
        { messageId: 'unverified', status: 'warn', severity: 'medium', object: { name: 'model-engine' } },
        { messageId: 'unverified', status: 'warn', severity: 'medium', object: { name: 'model-engine-endpoint-builder' } },
      ],
    },
  ],
});

describe('broker/servicebus-fix', () => {
  it.each([
    ['7.14.3', true],
    ['7.14.4', true],
    ['7.11.4', false],
    ['7.14.0b1', false],
    ['not a version', undefined],
  ])('sdkRecentEnough(%s) = %s', (v, want) => expect(sdkRecentEnough(v)).toBe(want));

  it('asks the commits port once per tag', async () => {
    let calls = 0;
    await runCase(check, { name: 'detail', snapshot: 'fixtures/clusters/azure-healthy', ports: { commits: { isAncestor: async () => (calls++, { answer: 'yes' as const, via: 't' }) } } });
    expect(calls).toBe(1);
  });
});
