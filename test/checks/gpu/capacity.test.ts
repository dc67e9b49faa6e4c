import check from '../../../checks/gpu/capacity.js';
import { describe, expect, it } from '@jest/globals';
import type { ListOptions } from '../../../src/engine/index.js';
import { runCheck } from '../../../src/engine/runner.js';
import { resolveContext } from '../../../src/run/context.js';
import { SnapshotKube } from '../../../src/sources/kube/snapshot-kube.js';
import { loadSnapshot } from '../../../src/sources/snapshot/load.js';
import { fixture, runCase, testCheck } from '../../support/check-tester.js';

testCheck(check, {
  valid: [
    { name: 'EKS: nothing waits', snapshot: 'fixtures/clusters/gpu-aws-healthy', namespace: 'model-engine', cloud: 'aws' },
    { name: 'AKS', snapshot: 'fixtures/clusters/gpu-azure-healthy', namespace: 'model-engine', cloud: 'azure' },
    { name: 'GKE', snapshot: 'fixtures/clusters/gpu-gcp-healthy', namespace: 'model-engine', cloud: 'gcp' },
    { name: 'on-prem MIG slices', snapshot: 'fixtures/clusters/gpu-onprem-healthy', namespace: 'model-engine', cloud: 'onprem' },
  ],
  invalid: [
    {
      name: 'EKS: an a100 endpoint with no a100 nodes; an a10 endpoint kept off a free GPU',
      snapshot: 'fixtures/clusters/gpu-aws-broken',
      namespace: 'model-engine',
      cloud: 'aws',
      errors: [
        { messageId: 'noCapacity', status: 'fail' },
        { messageId: 'blocked', status: 'warn' },
      ],
    },
    { name: 'GKE: the T4 pool is not labelled', snapshot: 'fixtures/clusters/gpu-gcp-broken', namespace: 'model-engine', cloud: 'gcp', errors: [{ messageId: 'noCapacity' }] },
  ],
});

describe('gpu/capacity table', () => {
  it('puts the per-type table in the evidence', async () => {
    const results = await runCase(check, { name: 'table', snapshot: 'fixtures/clusters/gpu-aws-healthy', namespace: 'model-engine', cloud: 'aws' });
    const table = results.find((r) => r.messageId === 'table');
    const note = table?.evidence.find((e) => e.type === 'note');
    expect(note?.type === 'note' && note.text.split('\n')).toEqual([
      'TYPE               NODES READY/TOTAL  ALLOCATABLE  REQUESTED  FREE  WAITING',
      'nvidia-ampere-a10  2/2                2            1          1     -',
      'nvidia-tesla-t4    1/1                1            1          0     -',
    ]);
    expect(table?.message).toBe('2 GPU type(s): 3 GPU(s) allocatable, 2 requested, 1 free');
  });

  it('names the endpoints waiting for a type', async () => {
    const results = await runCase(check, { name: 'table', snapshot: 'fixtures/clusters/gpu-aws-broken', namespace: 'model-engine', cloud: 'aws' });
    expect(results.find((r) => r.messageId === 'noCapacity')?.message).toBe('1 pod(s) wait for nvidia-ampere-a100 (llama-2-70b) and no Ready node has that type');
    expect(results.find((r) => r.messageId === 'blocked')?.message).toContain('(codellama-13b) although 1 of 2 are free');
  });

  it('counts MIG slices advertised as nvidia.com/gpu', async () => {
    const results = await runCase(check, { name: 'table', snapshot: 'fixtures/clusters/gpu-onprem-healthy', namespace: 'model-engine', cloud: 'onprem' });
    expect(results.find((r) => r.messageId === 'table')?.message).toBe('2 GPU type(s): 40 GPU(s) allocatable, 1 requested, 39 free');
  });

  it('reads pods with one cluster-wide list of non-terminated pods, never per node, projected to what placement reads', async () => {
    const snapshot = await loadSnapshot(fixture('fixtures/clusters/gpu-aws-broken'));
    const kube = new SnapshotKube(snapshot);
    const calls: [string, ListOptions | undefined][] = [];
    const list = kube.list.bind(kube);
    kube.list = ((resource: string, opts?: ListOptions) => {
      calls.push([resource, opts]);
      return list(resource, opts);
    }) as typeof kube.list;
    const { context } = await resolveContext({ kube, cloud: 'aws', namespace: 'model-engine', now: snapshot.now });
    await runCheck(check, context, { timeoutMs: 10_000 });
    expect(calls).toEqual([
      ['nodes', undefined],
      ['pods', { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed', project: 'placement' }],
    ]);
  });
});
