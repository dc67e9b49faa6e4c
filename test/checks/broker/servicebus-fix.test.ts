import { describe, expect, it } from '@jest/globals';
import check, { sdkRecentEnough } from '../../../checks/broker/servicebus-fix.js';
import type { ExecPort } from '../../../src/engine/ports/exec.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { derivedSnapshot } from '../../support/derived-snapshot.js';

// Commits after 9deb59f1 (2026-02-24) contain it; f436d25e (#750, 2026-02-12) does not.
const commits = { isAncestor: async (_a: string, ref: string) => ({ answer: ref.startsWith('a8236961') ? ('yes' as const) : ('no' as const), via: 'test fixture' }) };
const exec = (version: string | undefined): ExecPort => ({
  redisProbe: async () => {
    throw new Error('not used');
  },
  pythonPackageVersion: async () => version,
});

/** azure-healthy installed with tag: latest (the chart writes it into the version label, GIT_TAG and the image). */
const LATEST = derivedSnapshot('fixtures/clusters/azure-healthy', { 'model-engine/deployments.apps.yaml': (t) => t.replaceAll('a82369619a365b79a45e49ef6af1045653102615', 'latest') });
/** What the exec source says when RBAC has no pods/exec create (src/sources/kube/exec.ts). */
const execForbidden: ExecPort = {
  redisProbe: async () => {
    throw new Error('not used');
  },
  pythonPackageVersion: async () => {
    throw new Error('forbidden: cannot create pods/exec in namespace model-engine');
  },
};

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
      name: 'images tagged latest: no commit to look up',
      snapshot: LATEST,
      ports: { commits },
      errors: [
        { messageId: 'noTag', status: 'warn', severity: 'medium', object: { name: 'model-engine' } },
        { messageId: 'noTag', status: 'warn', severity: 'medium', object: { name: 'model-engine-endpoint-builder' } },
      ],
    },
    {
      name: '--exec without RBAC for pods/exec: the SDK version is unknown (skip naming the permission)',
      snapshot: 'fixtures/clusters/azure-healthy',
      ports: { commits, exec: execForbidden },
      options: { exec: true },
      errors: [{ messageId: 'sdkUnknown', status: 'skip', object: { kind: 'Pod', namespace: 'model-engine' } }],
    },
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

  it('noTag says how to verify by hand; sdkUnknown names the missing permission', async () => {
    const rs = await runCase(check, { name: 'x', snapshot: LATEST, ports: { commits } });
    expect(rs[0]!.message).toBe('model-engine has no version label, GIT_TAG or image tag that names a commit');
    expect(rs[0]!.remediation?.commands?.[0]).toContain('import azure.servicebus as s; print(s.__version__)');
    const [sdk] = (await runCase(check, { name: 'y', snapshot: 'fixtures/clusters/azure-healthy', ports: { commits, exec: execForbidden }, options: { exec: true } })).filter((r) => r.messageId === 'sdkUnknown');
    expect(sdk!.message).toMatch(/^Could not read the azure-servicebus version in pod model-engine\/model-engine-\S+: forbidden: cannot create pods\/exec in namespace model-engine$/);
  });

  it('asks the commits port once per tag', async () => {
    let calls = 0;
    await runCase(check, { name: 'detail', snapshot: 'fixtures/clusters/azure-healthy', ports: { commits: { isAncestor: async () => (calls++, { answer: 'yes' as const, via: 't' }) } } });
    expect(calls).toBe(1);
  });
});
