import { describe, expect, it } from '@jest/globals';
import check from '../../../checks/identity/credential-secrets.js';
import { runCheck } from '../../../src/engine/runner.js';
import { resolveContext } from '../../../src/run/context.js';
import { SnapshotKube } from '../../../src/sources/kube/snapshot-kube.js';
import { loadSnapshot } from '../../../src/sources/snapshot/load.js';
import { fixture, runCase, testCheck } from '../../support/check-tester.js';
import { derivedSnapshot, editItems } from '../../support/derived-snapshot.js';

const ONPREM = 'fixtures/clusters/identity-onprem-healthy';
/**
 * identity-onprem-healthy with an extraEnvVars entry on the gateway that reads a Hugging Face token from a Secret
 * marked optional (secretKeyRef.optional: true), which nobody created: the pod starts, without the variable.
 */
const OPTIONAL_ABSENT = derivedSnapshot(ONPREM, {
  'pods-model-engine.yaml': editItems((pods) =>
    pods.map((p) => {
      if (p.metadata.labels?.app === 'model-engine') p.spec.containers[0].env.push({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf-token', key: 'token', optional: true } } });
      return p;
    }),
  ),
});
/** identity-onprem-healthy during a maintenance window: every control-plane Deployment scaled to 0, no pod left. */
const SCALED_DOWN = derivedSnapshot(ONPREM, { 'pods-model-engine.yaml': editItems(() => []) });

testCheck(check, {
  valid: [{ name: 'database, Redis and MinIO credentials all in Secrets', snapshot: 'fixtures/clusters/identity-onprem-healthy', namespace: 'model-engine', cloud: 'onprem' }],
  invalid: [
    {
      name: 'MinIO Secret missing, DB Secret without database_url, literal credentials on the cacher',
      snapshot: 'fixtures/clusters/identity-onprem-broken',
      namespace: 'model-engine',
      cloud: 'onprem',
      errors: [
        { messageId: 'missing', object: { kind: 'Secret', namespace: 'model-engine', name: 'minio-credentials' } },
        { messageId: 'missingKeys', object: { kind: 'Secret', name: 'llm-engine-postgres-credentials' } },
        { messageId: 'storageLiteral', status: 'warn' },
      ],
    },
    {
      name: 'RBAC: cannot read Secrets',
      snapshot: 'fixtures/clusters/identity-onprem-healthy',
      namespace: 'model-engine',
      cloud: 'onprem',
      denials: [{ verb: 'get', resource: 'secrets', namespace: 'model-engine' }],
      errors: [{ messageId: 'forbidden', status: 'skip' }],
    },
    {
      name: 'an optional Secret (secretKeyRef.optional) that does not exist',
      snapshot: OPTIONAL_ABSENT,
      namespace: 'model-engine',
      cloud: 'onprem',
      errors: [{ messageId: 'missingOptional', status: 'warn', severity: 'low', object: { kind: 'Secret', namespace: 'model-engine', name: 'hf-token' } }],
    },
    { name: 'control plane scaled to zero: no pod to read references from', snapshot: SCALED_DOWN, namespace: 'model-engine', cloud: 'onprem', errors: [{ messageId: 'noPods', status: 'skip' }] },
    { name: 'only on-prem', snapshot: 'fixtures/clusters/identity-aws-healthy', namespace: 'model-engine', errors: [{ messageId: 'notApplicable', status: 'skip' }] },
  ],
});

describe('identity/credential-secrets output', () => {
  it('an absent optional Secret is a low warning naming the pod that reads it, with the create command', async () => {
    const r = (await runCase(check, { name: 'x', snapshot: OPTIONAL_ABSENT, namespace: 'model-engine', cloud: 'onprem' })).find((x) => x.messageId === 'missingOptional')!;
    expect(r.message).toMatch(/^optional Secret model-engine\/hf-token does not exist \(.*model-engine.* start without it\)$/);
    expect(r.remediation?.commands).toEqual(['kubectl -n model-engine create secret generic hf-token --from-literal=token=<value>']);
  });

  it('names Secrets and keys, never their values', async () => {
    const snapshot = await loadSnapshot(fixture('fixtures/clusters/identity-onprem-healthy'));
    // Give the (redacted) fixture Secrets real-looking values, as a live cluster returns them.
    for (const o of snapshot.objects) {
      if (o.kind !== 'Secret') continue;
      const data = o.data as Record<string, string>;
      for (const k of Object.keys(data)) data[k] = Buffer.from(`s3cr3t-${k}-value`).toString('base64');
    }
    const { context } = await resolveContext({ kube: new SnapshotKube(snapshot), cloud: 'onprem', namespace: 'model-engine', now: snapshot.now });
    const results = await runCheck(check, context, { timeoutMs: 10_000 });
    const text = JSON.stringify(results);
    expect(results.filter((r) => r.status === 'pass').map((r) => r.messageId)).toEqual(['ok', 'ok', 'ok', 'storageOk']);
    expect(text).toContain('AWS_SECRET_ACCESS_KEY');
    expect(text).not.toMatch(/s3cr3t|czNjcjN0/);
  });
});
