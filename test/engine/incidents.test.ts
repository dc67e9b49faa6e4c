// Incidents: findings grouped by root cause. The pure rules on small tables, then the demo's three root causes
// as the real checks report them.
import { describe, expect, it } from '@jest/globals';
import { groupIncidents, incidentsOf, objectKeys, subjectsOf, viewLevel } from '../../src/model-engine/incidents.js';
import type { CheckResult, Evidence, ObjectRef, Severity } from '../../src/engine/types.js';
import { triageReport } from '../reporters/fixture-report.js';

const CACHER: ObjectRef = { kind: 'Deployment', namespace: 'model-engine', name: 'model-engine-cacher' };
const CACHER_POD: ObjectRef = { kind: 'Pod', namespace: 'model-engine', name: 'model-engine-cacher-ntxpc95s7g-78q5b' };
const NODE: ObjectRef = { kind: 'Node', name: 'ip-10-0-1-2.ec2.internal' };

function result(id: string, messageId: string, opts: { status?: CheckResult['status']; severity?: Severity; object?: ObjectRef; evidence?: Evidence[]; root?: string[] } = {}): CheckResult {
  const base = {
    id,
    area: id.split('/')[0]!,
    title: id,
    severity: opts.severity ?? 'high',
    messageId,
    message: `${id} ${messageId}`,
    evidence: opts.evidence ?? [],
    docs: `docs/checks/${id}.md`,
    ...(opts.object ? { object: opts.object } : {}),
    ...(opts.root ? { root: opts.root } : {}),
  };
  const status = opts.status ?? 'fail';
  if (status === 'fail' || status === 'warn') return { ...base, status, remediation: { summary: 'fix it' } };
  if (status === 'error') return { ...base, status, error: 'boom' };
  return { ...base, status };
}

describe('objectKeys', () => {
  it.each([
    [CACHER, ['Deployment/model-engine/model-engine-cacher', 'workload:model-engine/model-engine-cacher']],
    [CACHER_POD, ['Pod/model-engine/model-engine-cacher-ntxpc95s7g-78q5b', 'workload:model-engine/model-engine-cacher']],
    [{ kind: 'Pod', namespace: 'model-engine', name: 'celery-autoscaler-sqs-0' }, ['Pod/model-engine/celery-autoscaler-sqs-0', 'workload:model-engine/celery-autoscaler-sqs']],
    [{ kind: 'ReplicaSet', namespace: 'model-engine', name: 'model-engine-cacher-ntxpc95s7g' }, ['ReplicaSet/model-engine/model-engine-cacher-ntxpc95s7g', 'workload:model-engine/model-engine-cacher']],
    [
      { kind: 'Pod', namespace: 'llm-engine', name: 'launch-endpoint-id-end-ct4pe5pn2ojg00a4qkh0-zdcvnnzjdf-g9c9j' },
      ['Pod/llm-engine/launch-endpoint-id-end-ct4pe5pn2ojg00a4qkh0-zdcvnnzjdf-g9c9j', 'workload:llm-engine/launch-endpoint-id-end-ct4pe5pn2ojg00a4qkh0', 'endpoint:end_ct4pe5pn2ojg00a4qkh0'],
    ],
    [{ kind: 'Image', name: 'gcr.io/kaniko-project/executor:v1.9.1' }, ['Image//gcr.io/kaniko-project/executor:v1.9.1', 'image:gcr.io/kaniko-project/executor:v1.9.1']],
    [NODE, ['Node//ip-10-0-1-2.ec2.internal']],
  ])('%j → %j', (ref, keys) => {
    expect(objectKeys(ref as ObjectRef)).toEqual(keys);
  });
});

describe('subjectsOf', () => {
  it('is about its object (strong) and cites its evidence objects (weak)', () => {
    const r = result('control-plane/deployments-available', 'unavailable', { object: CACHER, evidence: [{ type: 'field', object: CACHER_POD, path: 'status' }, { type: 'log', namespace: 'x', pod: 'p-0', container: 'c', line: 'l' }] });
    const s = subjectsOf(r);
    expect(s.strong).toEqual(objectKeys(CACHER));
    expect(s.weak).toEqual(['Pod/model-engine/model-engine-cacher-ntxpc95s7g-78q5b', 'Pod/x/p-0', 'workload:x/p']);
  });

  it('with a declared root, is about its object and the root, and cites nothing', () => {
    const r = result('images/framework-pullable', 'unreachable', { status: 'warn', object: { kind: 'Image', name: 'gcr.io/a:1' }, root: ['registry:gcr.io'], evidence: [{ type: 'object', object: CACHER_POD }] });
    expect(subjectsOf(r)).toEqual({ strong: ['Image//gcr.io/a:1', 'image:gcr.io/a:1', 'registry:gcr.io'], weak: [] });
  });
});

describe('groupIncidents', () => {
  it('groups findings about the same workload, however they name it, and leads with the cause, not the symptom', () => {
    const results = [
      result('control-plane/deployments-available', 'unavailable', { object: CACHER }),
      result('redis/log-errors', 'authErrors', { object: CACHER, evidence: [{ type: 'log', namespace: 'model-engine', pod: CACHER_POD.name, container: 'c', line: 'AuthenticationError' }] }),
      result('control-plane/restarts-and-errors', 'crashLooping', { severity: 'medium', object: CACHER_POD }),
    ];
    const [one, ...rest] = groupIncidents(results);
    expect(rest).toEqual([]);
    expect(one).toMatchObject({ rank: 1, status: 'fail', severity: 'high', lead: 1, members: [1, 0, 2], endpoints: [] });
    expect(one!.keys).toContain('workload:model-engine/model-engine-cacher');
  });

  it('does not group two findings that merely cite the same object in their evidence', () => {
    const cites = (id: string) => result(id, 'x', { object: { kind: 'HelmValues', name: id }, evidence: [{ type: 'object', object: NODE }] });
    expect(groupIncidents([cites('gpu/taints'), cites('values/scheduling')])).toHaveLength(2);
    // … but one about the node groups with one that cites it.
    expect(groupIncidents([cites('values/scheduling'), result('gpu/taints', 'y', { object: NODE })])).toHaveLength(1);
  });

  it('joins through a finding that cites several subjects (one GPU type, two endpoints)', () => {
    const ep = (id: string): ObjectRef => ({ kind: 'Deployment', namespace: 'llm-engine', name: `launch-endpoint-id-end-${id}` });
    const pod = (id: string): ObjectRef => ({ kind: 'Pod', namespace: 'llm-engine', name: `launch-endpoint-id-end-${id}-zdcvnnzjdf-g9c9j` });
    const a = 'ct4pe5pn2ojg00a4qkh0';
    const b = 'ct4pe5pn2ojg00a4qkh1';
    const results = [
      result('endpoints/serving', 'noMatchingNodes', { object: ep(a) }),
      result('endpoints/serving', 'noMatchingNodes', { object: ep(b) }),
      result('gpu/capacity', 'noCapacity', { evidence: [{ type: 'object', object: pod(a) }, { type: 'object', object: pod(b) }] }),
    ];
    const incidents = groupIncidents(results);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.endpoints).toEqual([`end_${a}`, `end_${b}`]);
    expect(incidents[0]!.lead).toBe(0); // the endpoint diagnosis names the cause with its exact fix
  });

  it('gives one incident per registry that could not be reached, however many images and pods', () => {
    const unreachable = (ref: string, host: string) =>
      result('images/framework-pullable', 'unreachable', { status: 'warn', severity: 'medium', object: { kind: 'Image', name: ref }, root: [`registry:${host}`], evidence: [{ type: 'object', object: CACHER_POD }] });
    const results = [
      result('redis/log-errors', 'authErrors', { object: CACHER }),
      unreachable('ecr.example/a:1', 'ecr.example'),
      unreachable('ecr.example/b:1', 'ecr.example'),
      unreachable('gcr.io/c:1', 'gcr.io'),
    ];
    const incidents = groupIncidents(results);
    expect(incidents.map((i) => i.members)).toEqual([[0], [1, 2], [3]]);
    expect(incidents[1]!.keys).toEqual(['registry:ecr.example']);
  });

  it('ranks by status, then severity, then how much each explains; passes and skips are never members', () => {
    const results = [
      result('a/one', 'x', { severity: 'medium', object: { kind: 'X', name: '1' } }),
      result('b/two', 'x', { severity: 'critical', status: 'warn', object: { kind: 'X', name: '2' } }),
      result('c/three', 'x', { severity: 'high', object: { kind: 'X', name: '3' } }),
      result('c/four', 'x', { severity: 'medium', object: { kind: 'X', name: '4' } }),
      result('c/five', 'x', { severity: 'medium', object: { kind: 'X', name: '4' } }),
      result('d/six', 'x', { status: 'error', object: { kind: 'X', name: '6' } }),
      result('e/pass', 'x', { status: 'pass', object: { kind: 'X', name: '1' } }),
      result('e/skip', 'x', { status: 'skip', object: { kind: 'X', name: '1' } }),
    ];
    const incidents = groupIncidents(results);
    expect(incidents.map((i) => [i.rank, i.status, i.severity, i.members])).toEqual([
      [1, 'fail', 'high', [2]],
      [2, 'fail', 'medium', [3, 4]],
      [3, 'fail', 'medium', [0]],
      [4, 'error', 'high', [5]],
      [5, 'warn', 'critical', [1]],
    ]);
  });

  it.each([
    ['control-plane/deployments-available', 'unavailable', 0],
    ['images/cluster-pull-errors', 'notFound', 0],
    ['endpoints/serving', 'crashLoop', 0],
    ['endpoints/serving', 'imagePull', 2],
    ['redis/log-errors', 'authErrors', 1],
  ])('%s (%s) is a view of level %i', (id, messageId, level) => {
    expect(viewLevel({ id, messageId })).toBe(level);
  });

  it('groups the demo into its three root causes and two warnings, each led by the most direct view', async () => {
    const demo = await triageReport();
    const incidents = groupIncidents(demo.results);
    const view = (i: number) => `${demo.results[i]!.id}:${demo.results[i]!.messageId}`;
    expect(incidents.map((i) => i.members.map(view))).toEqual([
      ['endpoints/serving:noMatchingNodes', 'gpu/accelerator-labels:noNodes', 'gpu/capacity:noCapacity'],
      ['endpoints/serving:imagePull', 'images/cluster-pull-errors:notFound'],
      ['redis/log-errors:authErrors', 'control-plane/deployments-available:unavailable', 'control-plane/restarts-and-errors:crashLooping'],
      ['values/scheduling:emptyMapKeepsDefault'],
      ['values/image-tag:cacherRepositoryUnused'],
    ]);
    expect(incidents.map((i) => i.endpoints)).toEqual([['end_ct4pe5pn2ojg00a4qkh0'], ['end_ct4p8uhn2ojg00a4qkgg'], [], [], []]);
    // The CLI put the same grouping in the report; a report without it is grouped on demand.
    expect(demo.incidents).toEqual(incidents);
    expect(incidentsOf({ results: demo.results })).toEqual(incidents);
    expect(incidentsOf({ results: demo.results, incidents: [{ lead: 999 }] })).toEqual(incidents);
  }, 30_000);
});
