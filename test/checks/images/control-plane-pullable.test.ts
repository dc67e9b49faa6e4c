/** images/control-plane-pullable over values fixtures and cluster snapshots, against a real loopback registry. */
import { describe, expect, it } from '@jest/globals';
import controlPlanePullable from '../../../checks/images/control-plane-pullable.js';
import { ecrPartition, findingForProbe, type ImageInputs } from '../../../checks/images/support/pullable.js';
import type { CheckContext, Severity } from '../../../src/engine/index.js';
import type { RegistryPort } from '../../../src/engine/ports/registry.js';
import type { ImageEntry } from '../../../src/model-engine/images.js';
import { runCase, testCheck, type InvalidCase } from '../../support/check-tester.js';
import { ARM_ONLY_SHA, ECR, SHA, VALUES, registryError, useImageRegistry } from './registry-fixture.js';

const MANIFESTS = /^\/v2\/model-engine\/manifests\//;
const JSON_TYPE = { 'content-type': 'application/json' };
/** ECR's answer to a valid login whose role lacks ecr:BatchGetImage on the repository (HTTP 403 DENIED). */
const ECR_DENIED =
  'User: arn:aws:sts::111122223333:assumed-role/ml-oncall/jdoe is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:111122223333:repository/model-engine because no resource-based policy allows the ecr:BatchGetImage action';
const { registry, unauthenticated, probed, proxied, untrustedFor } = useImageRegistry({
  proxies: {
    denied: [{ path: MANIFESTS, withCredentials: true, reply: { status: 403, headers: JSON_TYPE, body: registryError('DENIED', ECR_DENIED) } }],
    // ECR's pull-rate quota (BatchGetImage per second) answers 429 TOOMANYREQUESTS "Rate exceeded".
    throttled: [{ path: MANIFESTS, reply: { status: 429, headers: { ...JSON_TYPE, 'retry-after': '30' }, body: registryError('TOOMANYREQUESTS', 'Rate exceeded') } }],
    // A regional outage: 503 from the registry front end.
    failing: [{ path: MANIFESTS, reply: { status: 503, headers: JSON_TYPE, body: registryError('UNAVAILABLE', 'service unavailable') } }],
  },
});
const IMAGE = { kind: 'Image', name: `${ECR}/model-engine:${SHA}` };
/** The release image from the values, through a registry port that gets this answer: one finding about it. */
const answered = (name: string, port: RegistryPort, messageId: string, status: 'fail' | 'warn', severity: Severity): InvalidCase => ({
  name,
  values: VALUES,
  ports: { registry: port },
  errors: [{ messageId, status, severity, object: IMAGE }],
});

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
    answered("a login the registry accepts but whose role may not pull the repository (ECR 403 DENIED)", proxied.denied!, 'denied', 'fail', 'critical'),
    answered('ECR throttling manifest requests (429 TOOMANYREQUESTS, Retry-After 30)', proxied.throttled!, 'rateLimited', 'warn', 'high'),
    answered('the registry failing (503): a warning to rerun, not a missing image', proxied.failing!, 'registryError', 'warn', 'medium'),
    answered("the ECR host's certificate not trusted here (a TLS-intercepting proxy): a warning, the nodes may differ", untrustedFor(ECR), 'tlsError', 'warn', 'medium'),
    {
      name: 'a release tag pushed from an arm64 laptop (linux/arm64 only) for amd64 nodes',
      values: VALUES,
      set: [`tag=${ARM_ONLY_SHA}`],
      ports: { registry },
      errors: [{ messageId: 'platformMissing', status: 'fail', severity: 'critical', object: { kind: 'Image', name: `${ECR}/model-engine:${ARM_ONLY_SHA}` } }],
    },
  ],
});

describe('images/control-plane-pullable: what each registry answer says', () => {
  const one = async (port: typeof registry, set: string[] = []) => {
    const rs = await runCase(controlPlanePullable, { name: 'x', values: VALUES, set, ports: { registry: port } });
    expect(rs).toHaveLength(1);
    const r = rs[0]!;
    if (r.status !== 'fail' && r.status !== 'warn') throw new Error(`expected a finding, got ${r.status} ${r.messageId}`);
    return r;
  };
  it('denied: quotes ECR, and the fix is the node role / repository policy', async () => {
    const r = await one(proxied.denied!);
    expect(r.message).toContain(`denied access to ${ECR}/model-engine:${SHA}`);
    // A HEAD answer has no body, so ECR's reason is not in it: the status and which credential got it are.
    expect(r.evidence).toContainEqual(expect.objectContaining({ type: 'probe', detail: expect.stringMatching(/^denied \(HTTP 403\): 403 Forbidden with docker config /) }));
    expect(r.message).toMatch(/checked with anonymous \(rejected: .*401.*\); docker config .* \(forbidden: 403 Forbidden/);
    expect(r.remediation.commands?.[0]).toBe('aws iam attach-role-policy --role-name <node-role> --policy-arn arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly');
  });
  it('rate limited: Retry-After in the fix, mirroring as the way out', async () => {
    const r = await one(proxied.throttled!);
    expect(r.message).toMatch(/is rate-limiting pulls of .*: 111122223333\.dkr\.ecr\.us-east-1\.amazonaws\.com is rate-limiting HEAD requests \(429\) with docker config .* \(retry after 30 s\); the nodes pull through the same limits$/);
    expect(r.remediation.summary).toContain('Retry-After 30');
  });
  it('registry error: HTTP 503 named, curl to look', async () => {
    const r = await one(proxied.failing!);
    expect(r.message).toContain('answered HTTP 503');
    expect(r.remediation.commands ?? []).toEqual([`curl -sI https://${ECR}/v2/`]);
  });
  it('TLS: names the certificate error and the CA to trust', async () => {
    const r = await one(untrustedFor(ECR));
    expect(r.message).toMatch(/The TLS certificate of 111122223333\.dkr\.ecr\.us-east-1\.amazonaws\.com is not trusted here .*certificate/);
    expect(r.remediation.summary).toContain(`/etc/docker/certs.d/${ECR}/ca.crt`);
  });
  it('platform missing: names the missing and present platforms and copying with --all', async () => {
    const r = await one(registry, [`tag=${ARM_ONLY_SHA}`]);
    expect(r.message).toMatch(new RegExp(`^${ECR.replace(/\./g, '\\.')}/model-engine:${ARM_ONLY_SHA} has no linux/amd64 variant, which the nodes need \\(gateway, .*\\); it has linux/arm64$`));
    expect(r.remediation.summary).toMatch(/skopeo copy --all/);
  });
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
