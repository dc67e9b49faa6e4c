import type { Evidence, Verdict } from '../src/engine/index.js';
import { defineEndpointCause, podEvents, type EndpointView, type PodView } from '../src/model-engine/endpoint-view.js';
import { oneLine } from '../src/model-engine/format.js';
import { missingConfigRef } from '../src/model-engine/k8s-messages.js';
import { apiUpdate } from './lib/commands.js';
import { eventEvidence, field, forFirstPod, verdict } from './lib/verdict.js';

/** What is missing (a ConfigMap, a Secret, a key) and where it should come from. */
function configVerdict(v: EndpointView, p: PodView, message: string, evidence: Evidence[]): Verdict {
  const s = v.subject;
  const ns = s.namespace;
  const missing = missingConfigRef(message);
  const next = [`kubectl -n ${ns} describe pod ${p.name}`];
  if (!missing) {
    return verdict('CONFIG_ERROR', 'pod', `Pod ${p.name} cannot start its containers: ${oneLine(message)}`, evidence, { summary: 'Create what the message names, or fix the reference.', commands: next }, next);
  }
  const own = missing.name.startsWith(s.k8sName);
  const commands: string[] = [`kubectl -n ${ns} get ${missing.kind === 'Secret' ? 'secret' : 'configmap'} ${missing.name}`];
  let values: string | undefined;
  let summary: string;
  if (missing.kind === 'key') {
    summary = `Add key ${missing.key} to ${missing.name} in ${ns} (helm upgrade re-renders the chart's ConfigMaps).`;
  } else if (own) {
    summary = `The endpoint's own ${missing.kind} ${missing.name} is gone; update the endpoint so the builder re-applies all its objects.`;
    commands.push(apiUpdate(s, {}));
  } else if (missing.kind === 'ConfigMap' && missing.name === 'model-engine-service-config') {
    summary = `The chart renders ${missing.name} in the endpoint namespace too (a pre-install/pre-upgrade hook); re-run helm upgrade so it exists in ${ns}.`;
    commands.push(`kubectl -n ${s.cpNamespace} get configmap ${missing.name}`, `helm -n ${s.cpNamespace} upgrade model-engine <chart> --reuse-values`);
  } else if (missing.kind === 'ConfigMap') {
    // The AWS profile ConfigMap (`aws.configMap.name`, default `default-config`) is only created in
    // `aws.configMap.namespaces`, which values_sample.yaml does not set (facts §1.3).
    summary = `Create ConfigMap ${missing.name} in ${ns}. If it is the AWS profile ConfigMap (aws.configMap.name), the chart creates it only in aws.configMap.namespaces: add ${ns} there, or copy it now.`;
    commands.push(
      `kubectl -n ${s.cpNamespace} get configmap ${missing.name} -o json | jq 'del(.metadata.namespace,.metadata.uid,.metadata.resourceVersion,.metadata.creationTimestamp,.metadata.managedFields,.metadata.annotations)' | kubectl -n ${ns} apply -f -`,
    );
    values = ['aws:', '  configMap:', `    name: ${missing.name}`, '    create: true', `    namespaces: [${[...new Set([s.cpNamespace, ns])].join(', ')}]`, ''].join('\n');
  } else {
    summary = `Create Secret ${missing.name} in ${ns} (endpoint pods read it from their own namespace).`;
    commands.push(`kubectl -n ${s.cpNamespace} get secret ${missing.name}`);
  }
  return verdict(
    'CONFIG_ERROR',
    'pod',
    `Pod ${p.name} cannot start: ${missing.kind === 'key' ? `key ${missing.key} is missing from ${missing.name}` : `${missing.kind} ${ns}/${missing.name} does not exist`}.`,
    evidence,
    { summary, commands, ...(values ? { values } : {}) },
    next,
  );
}

export default defineEndpointCause({
  meta: {
    code: 'CONFIG_ERROR',
    title: 'A ConfigMap, Secret or key a container needs does not exist',
    rank: 50,
    docs: 'docs/endpoint.md#config-error',
    reads: ['pods', 'events'],
  },
  match(v) {
    return forFirstPod(
      v,
      (p) => p.state.kind === 'config' || (p.state.kind === 'mount-failed' && !!p.state.missing),
      (p) => {
        if (p.state.kind === 'mount-failed') {
          const cs = p.state.container;
          const ev = [field(p.pod, 'Pod', `status.containerStatuses[${cs.name}].state.waiting`, cs.state?.waiting?.reason ?? 'ContainerCreating'), ...p.state.events.slice(0, 2).map(eventEvidence)];
          return configVerdict(v, p, p.state.events[0]!.message ?? '', ev);
        }
        const cs = p.state.kind === 'config' ? p.state.container : undefined;
        const message = cs?.state?.waiting?.message ?? '';
        const failed = cs ? podEvents(v.facts, p.pod, cs.name).filter((e) => e.reason === 'Failed') : [];
        return configVerdict(v, p, message, [field(p.pod, 'Pod', `status.containerStatuses[${cs?.name}].state.waiting`, `${cs?.state?.waiting?.reason}: ${oneLine(message)}`), ...failed.slice(0, 1).map(eventEvidence)]);
      },
    );
  },
});
