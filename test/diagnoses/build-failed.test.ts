import cause from '../../diagnoses/build-failed.js';
import type { EndpointFacts } from '../../src/model-engine/endpoint-facts.js';
import { testCause } from '../support/cause-tester.js';

/** The builder's log edited (a different failure of the same task; simulated). */
const builderLog = (edit: (text: string) => string) => (f: EndpointFacts): EndpointFacts => ({ ...f, builder: { ...f.builder!, log: { ...f.builder!.log!, text: edit(f.builder!.log!.text) } } });

/**
 * The builder container was OOMKilled while it built the endpoint: the task's lines are in its previous log, its
 * current log never mentions the endpoint (simulated from endpoint-build-incomplete).
 */
const killedMidTask = (f: EndpointFacts): EndpointFacts => {
  const b = f.builder!;
  const lines = b.log!.text.split('\n');
  const pod = b.pods[0]!;
  const cs = pod.status!.containerStatuses![0]!;
  return {
    ...f,
    builder: {
      ...b,
      previousLog: { ...b.log!, text: lines.slice(0, 2).join('\n') },
      log: { ...b.log!, text: '[2026-11-21 20:52:10,004: INFO/MainProcess] celery@model-engine-endpoint-builder-xn47hdhlqg-dcdvs ready.\n' },
      pods: [{ ...pod, status: { ...pod.status, containerStatuses: [{ ...cs, restartCount: 1, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-11-21T20:51:40Z' } } }] } }],
    },
  };
};

testCause(cause, {
  matches: [
    {
      name: 'no objects: the task raised an ApiException (422)',
      snapshot: 'endpoint-build-failed',
      endpoint: 'end_ct5oeqfn2ojg00a4qmf0',
      level: 'endpoint',
      summary: ['ApiException: (422)', 'must be less than or equal to ephemeral-storage limit of 1000Gi', 'no Kubernetes objects exist'],
      commands: ['kubectl -n model-engine logs deploy/model-engine-endpoint-builder --tail=500'],
      evidence: ['Building endpoint end_ct5oeqfn2ojg00a4qmf0'],
    },
    {
      name: 'the Deployment exists, then the VirtualService template was missing (FileNotFoundError)',
      snapshot: 'endpoint-build-incomplete',
      endpoint: 'end_ct5qlrsn2ojg00a4qmp0',
      level: 'endpoint',
      summary: ["last build of llama-3-1-70b (end_ct5qlrsn2ojg00a4qmp0) failed", 'FileNotFoundError', 'virtual-service.yaml', 'after it had created Deployment launch-endpoint-id-end-ct5qlrsn2ojg00a4qmp0'],
      commands: ["get configmap model-engine-service-template-config -o json | jq -r '.data | keys[]'"],
      values: ['virtualservice:', 'destinationrule:'],
      evidence: ['objects that exist: Deployment launch-endpoint-id-end-ct5qlrsn2ojg00a4qmp0'],
    },
    {
      name: 'chart/image skew: KeyError on a template variable (log edited; simulated)',
      snapshot: 'endpoint-build-failed',
      endpoint: 'end_ct5oeqfn2ojg00a4qmf0',
      edit: builderLog((t) => t.replace(/kubernetes_asyncio\.client\.exceptions\.ApiException: \(422\)/g, "KeyError: 'FORWARDER_MAX_CONCURRENCY'")),
      summary: ["KeyError: 'FORWARDER_MAX_CONCURRENCY'"],
      commands: ["get deploy model-engine-endpoint-builder -o jsonpath='{.spec.template.spec.containers[0].image}'"],
    },
    {
      name: 'the builder was OOMKilled mid-task: UPDATE_IN_PROGRESS for ever (previous log and restart added; simulated)',
      snapshot: 'endpoint-build-incomplete',
      endpoint: 'end_ct5qlrsn2ojg00a4qmp0',
      edit: killedMidTask,
      summary: ['never finished', 'killed mid-task (OOMKilled (exit 137) at 2026-11-21T20:51:40Z)', 'UPDATE_IN_PROGRESS for ever'],
      commands: ['kubectl -n model-engine describe pod model-engine-endpoint-builder-xn47hdhlqg-dcdvs'],
      evidence: ['model-engine-endpoint-builder (previous)'],
    },
  ],
  misses: [
    { name: 'the builder is scaled to 0: the build never ran', snapshot: 'endpoint-build-pending', endpoint: 'end_ct5ndpen2ojg00a4qme0' },
    { name: 'a serving endpoint', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct' },
    { name: 'a failing endpoint whose build succeeded', snapshot: 'endpoint-crash-loop', endpoint: 'end_ct5j9lan2ojg00a4qma0' },
  ],
});
