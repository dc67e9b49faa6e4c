import { defineEndpointCause } from '../src/model-engine/endpoint-view.js';
import { creationEvidence, creationFailed, creationNext } from './lib/creation.js';
import { note, verdict } from './lib/verdict.js';

/** The manifest of the PriorityClass model-engine names, with the values the chart gives its own. */
export function priorityClassManifest(name: string): string {
  const high = /high-priority$/.test(name);
  const low = /low-priority$/.test(name);
  return [
    'kubectl apply -f - <<EOF',
    'apiVersion: scheduling.k8s.io/v1',
    'kind: PriorityClass',
    'metadata:',
    `  name: ${name}`,
    `value: ${high ? 100000 : low ? 0 : 1}`,
    ...(high || low ? [] : ['preemptionPolicy: Never']),
    'globalDefault: false',
    `description: model-engine endpoints (${high ? 'high' : low ? 'low' : 'default'} priority)`,
    'EOF',
  ].join('\n');
}

export default defineEndpointCause({
  meta: {
    code: 'MISSING_PRIORITY_CLASS',
    title: 'The PriorityClass endpoint pods name does not exist',
    rank: 10,
    docs: 'docs/endpoint.md#missing-priority-class',
    reads: ['replicaSets', 'events'],
  },
  match(v) {
    const c = creationFailed(v, 'priority-class');
    if (!c) return undefined;
    const pc = c.failure.name!;
    return verdict(
      'MISSING_PRIORITY_CLASS',
      'replica-set',
      `ReplicaSet ${c.replicaSet.metadata.name} cannot create pods: PriorityClass ${pc} does not exist. model-engine hard-codes ${pc} in every endpoint pod, while the chart names its PriorityClasses after the release (fullnameOverride or serviceIdentifier change the name, and serviceIdentifier skips them).`,
      [...creationEvidence(c), note(`endpoint pods use priorityClassName ${pc} (k8s_resource_types.py); the chart creates {fullname}-default-priority / -high-priority / -low-priority`)],
      { summary: `Create PriorityClass ${pc} (or install the chart without fullnameOverride/serviceIdentifier so it creates it); the ReplicaSet retries on its own.`, commands: ['kubectl get priorityclass', priorityClassManifest(pc)] },
      creationNext(v, c),
    );
  },
});
