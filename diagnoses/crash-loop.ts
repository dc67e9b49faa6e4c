import type { ContainerStatus, Evidence, Pod, Verdict } from '../src/engine/index.js';
import { defineEndpointCause, podEvents, stuckContainer, type EndpointView, type PodView } from '../src/model-engine/endpoint-view.js';
import { formatAge, ms } from '../src/model-engine/format.js';
import { lastLines, matchLogSignature, type LogMatch } from '../src/model-engine/log-signatures.js';
import { apiUpdate } from './lib/commands.js';
import { eventEvidence, field, forFirstPod, logEvidence, verdict } from './lib/verdict.js';

/** Paths of model weights named in a container's command (`s3://…`, `gs://…`, `az://…`, blob URLs). */
function weightsPaths(pod: Pod, container: string): string[] {
  const c = pod.spec.containers.find((x) => x.name === container);
  const text = [...(c?.command ?? []), ...(c?.args ?? [])].join(' ');
  return [...new Set(text.match(/\b(?:s3|gs|az):\/\/[^\s'";*]+|https:\/\/[a-z0-9]+\.blob\.core\.windows\.net\/[^\s'";*]+/g) ?? [])];
}

/** Commands and a values snippet that check what a known log signature points at. */
function signatureFix(pod: Pod, cs: ContainerStatus, match: LogMatch, ns: string): { commands: string[]; values?: string } {
  const sig = match.signature;
  const commands: string[] = [];
  let values: string | undefined;
  if (sig.id === 'weights-access-denied' || sig.id === 'weights-missing') {
    for (const p of weightsPaths(pod, cs.name).slice(0, 2)) {
      if (p.startsWith('s3://')) commands.push(`aws s3 ls ${p.replace(/\/?\*?$/, '/')}`);
      else if (p.startsWith('gs://')) commands.push(`gcloud storage ls ${p}`);
      else commands.push(`az storage blob list --account-name <account> --container-name <container> --prefix <path>   # ${p}`);
    }
    if (sig.id === 'weights-access-denied') commands.push(`kubectl -n ${ns} get serviceaccount ${pod.spec.serviceAccountName ?? 'default'} -o jsonpath='{.metadata.annotations}'`);
  }
  if (sig.id === 'missing-config-field') {
    const fieldName = /: '([^']+)'/.exec(match.match)?.[1];
    const section = /InfraConfig/.test(match.match) ? 'infra' : /HostedModelInferenceServiceConfig/.test(match.match) ? 'launch' : undefined;
    if (fieldName) values = ['config:', '  values:', `    ${section ?? 'launch'}:${section ? '' : '   # or infra: — the class in the message says which'}`, `      ${fieldName}: <value>`, ''].join('\n');
  }
  return { commands, ...(values ? { values } : {}) };
}

function crashVerdict(v: EndpointView, p: PodView, cs: ContainerStatus): Verdict {
  const ns = v.subject.namespace;
  const pod = p.pod;
  const last = cs.lastState?.terminated ?? cs.state?.terminated;
  const log = v.facts.logs.find((l) => l.pod === pod.metadata.name && l.container === cs.name);
  const match = log ? matchLogSignature(log.text) : undefined;
  const tail = log ? lastLines(log.text, 5) : [];
  const since = ms(cs.lastState?.terminated?.finishedAt);
  const evidence: Evidence[] = [
    field(pod, 'Pod', `status.containerStatuses[${cs.name}].restartCount`, cs.restartCount ?? 0),
    ...(last ? [field(pod, 'Pod', `status.containerStatuses[${cs.name}].lastState.terminated`, `${last.reason ?? '?'} (exit ${last.exitCode ?? '?'})${last.finishedAt ? ` at ${last.finishedAt}` : ''}`)] : []),
    ...(match && log ? [logEvidence(ns, log, match.line, match.lineNumber)] : []),
    ...(log ? tail.filter((t) => t.lineNumber !== match?.lineNumber).map((t) => logEvidence(ns, log, t.line, t.lineNumber)) : []),
    ...podEvents(v.facts, pod, cs.name)
      .filter((e) => e.reason === 'BackOff' || (e.reason === 'Killing' && /liveness/i.test(e.message ?? '')))
      .slice(0, 1)
      .map(eventEvidence),
  ];
  const logsCmd = `kubectl -n ${ns} logs ${pod.metadata.name} -c ${cs.name} --previous --tail=200`;
  const next = [logsCmd, `kubectl -n ${ns} describe pod ${pod.metadata.name}`];
  const restarts = `${cs.restartCount ?? 0} restart${cs.restartCount === 1 ? '' : 's'}`;
  const head = `Container ${cs.name} of pod ${pod.metadata.name} keeps crashing (${restarts}${Number.isFinite(since) ? `, last ${formatAge(v.now - since)} ago` : ''})`;
  if (last?.reason === 'OOMKilled') {
    const limit = pod.spec.containers.find((c) => c.name === cs.name)?.resources?.limits?.memory;
    return verdict(
      'CRASH_LOOP',
      'pod',
      `${head}: it is OOMKilled — it uses more memory than its limit${limit ? ` (${limit})` : ''}.`,
      evidence,
      { summary: `Give the endpoint more memory (the memory field of the endpoint), or lower what the model loads into host memory.`, commands: [apiUpdate(v.subject, { memory: '<more>' })] },
      next,
    );
  }
  if (match) {
    const sig = match.signature;
    const { commands, values } = signatureFix(pod, cs, match, ns);
    return verdict('CRASH_LOOP', 'pod', `${head}: ${sig.title} — ${sig.meaning}.`, evidence, { summary: `${sig.fix[0]!.toUpperCase()}${sig.fix.slice(1)}.`, commands: [...commands, logsCmd], ...(values ? { values } : {}) }, next);
  }
  return verdict(
    'CRASH_LOOP',
    'pod',
    `${head}${last ? `: it exits with ${last.reason ?? 'an error'} (exit code ${last.exitCode ?? '?'})` : ''}${log ? '; its last log lines are in the evidence' : '; its previous log could not be read'}.`,
    evidence,
    { summary: `Read the previous container's log and fix what it reports.`, commands: [logsCmd] },
    next,
  );
}

export default defineEndpointCause({
  meta: {
    code: 'CRASH_LOOP',
    title: 'A container keeps exiting',
    rank: 110,
    docs: 'docs/endpoint.md#crash-loop',
    reads: ['pods', 'logs', 'events'],
  },
  match(v) {
    return forFirstPod(
      v,
      (p) => p.state.kind === 'crash',
      (p) => crashVerdict(v, p, stuckContainer(p)!),
    );
  },
});
