import type { Verdict } from '../src/engine/index.js';
import { defineEndpointCause, eventLast, type EndpointView, type PodView } from '../src/model-engine/endpoint-view.js';
import { formatAge, ms, oneLine } from '../src/model-engine/format.js';
import { watchCommand } from './lib/commands.js';
import { isLlm, isStarting, PULL_GRACE_MS, readinessGraceMs, recentScaleUp, runningForMs } from './lib/grace.js';
import { readinessContext } from './lib/readiness.js';
import { schedulerEvidence, schedulerNext } from './lib/unscheduled.js';
import { eventEvidence, forFirstPod, verdict, waitingField } from './lib/verdict.js';

/** What a pod inside its grace is waiting for, and since when. */
function startingVerdict(v: EndpointView, p: PodView): Verdict {
  const st = p.state;
  const ns = v.subject.namespace;
  const watch = watchCommand(v.subject);
  switch (st.kind) {
    case 'unscheduled': {
      const evidence = schedulerEvidence(p);
      const next = schedulerNext(v, p);
      if (recentScaleUp(v, p) && st.scaleUp) {
        return verdict(
          'STARTING',
          'pod',
          `Pod ${p.name} is waiting for a node the cluster autoscaler is adding (${oneLine(st.scaleUp.message)}, ${formatAge(v.now - (ms(eventLast(st.scaleUp)) || v.now))} ago).`,
          [eventEvidence(st.scaleUp), ...evidence],
          { summary: 'Nothing to fix yet: a GPU node takes 5–10 minutes to join and pull the image.', commands: [watch] },
          next,
        );
      }
      return verdict('STARTING', 'pod', `Pod ${p.name} was created ${formatAge(p.ageMs)} ago and the scheduler has not placed it yet.`, evidence, { summary: 'Nothing to fix yet.' }, next);
    }
    case 'pulling':
      return verdict(
        'STARTING',
        'pod',
        `Container ${st.container.name} of pod ${p.name} has been pulling ${st.image} for ${formatAge(st.sinceMs)} (normal for large images up to ${formatAge(PULL_GRACE_MS)}).`,
        [eventEvidence(st.event)],
        { summary: 'Nothing to fix yet. To make the next cold start faster, cache the image on the nodes (imageCache.devices).', commands: [watch] },
        [`kubectl -n ${ns} describe pod ${p.name}`],
      );
    case 'not-ready': {
      const { tail, evidence, next } = readinessContext(v, p, st.container);
      const grace = readinessGraceMs(v);
      const progress = tail.at(-1)?.line;
      return verdict(
        'STARTING',
        'pod',
        `Container ${st.container.name} of pod ${p.name} started ${formatAge(runningForMs(v, p))} ago and is not ready yet (normal for up to ${formatAge(grace)}${isLlm(v) ? ' while an LLM loads its weights' : ''})${progress ? `; last log line: ${progress}` : ''}.`,
        evidence,
        { summary: 'Nothing to fix yet; watch it become ready.', commands: [watch] },
        next,
      );
    }
    case 'sidecar':
      return verdict(
        'STARTING',
        'pod',
        `The istio-proxy sidecar of pod ${p.name} is starting (${formatAge(p.ageMs)}); the app containers start once it is ready.`,
        [],
        { summary: 'Nothing to fix yet.', commands: [watch] },
        [`kubectl -n ${ns} describe pod ${p.name}`],
      );
    default: {
      const cs = 'container' in st ? st.container : undefined;
      return verdict(
        'STARTING',
        'pod',
        `Pod ${p.name} was created ${formatAge(p.ageMs)} ago; container ${cs?.name} is ${cs?.state?.waiting?.reason ?? 'waiting'}.`,
        cs ? [waitingField(p.pod, cs)] : [],
        { summary: 'Nothing to fix yet.' },
        [`kubectl -n ${ns} describe pod ${p.name}`],
      );
    }
  }
}

export default defineEndpointCause({
  meta: {
    code: 'STARTING',
    title: 'On its way: scheduling, pulling or loading within the normal time',
    rank: 190,
    benign: true,
    docs: 'docs/endpoint.md#starting',
    reads: ['deployments', 'pods', 'events', 'logs'],
  },
  match(v) {
    const pod = forFirstPod(v, (p) => isStarting(v, p), (p) => startingVerdict(v, p));
    if (pod) return pod;
    // Every pod ready, but the workload has not counted them yet.
    if (v.situation === 'not-serving' && v.pods.length > 0 && v.pods.every((p) => p.state.kind === 'ready')) {
      return verdict('STARTING', 'endpoint', `Every pod is ready; the ${v.subject.workloadKind} has not counted them as available yet (minReadySeconds or a status lag).`, [], { summary: 'Nothing to fix yet.' });
    }
    return undefined;
  },
});
