import cause from '../../diagnoses/unknown.js';
import { testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: 'ContainerCreating for hours and its events expired',
      snapshot: 'endpoint-unknown',
      endpoint: 'end_ct5qgshn2ojg00a4qmh0',
      level: 'pod',
      summary: ['ContainerCreating for 3h 07m', 'no events about the pod remain'],
      commands: ['kubectl describe node ip-10-42-44-7.ec2.internal'],
    },
    {
      name: 'a Deployment at 0 replicas that nothing scales (ScaledObject removed; simulated)',
      snapshot: 'endpoint-scaled-to-zero',
      endpoint: 'end_ct5mcodn2ojg00a4qmd0',
      edit: (f) => ({ ...f, scaledObjects: [] }),
      level: 'endpoint',
      summary: ['has 0 replicas and nothing scales it', 'scaled it down by hand'],
      commands: ['--replicas=1'],
    },
    {
      name: 'a Deployment that wants a pod and has none, its ReplicaSet silent (pods and events removed; simulated)',
      snapshot: 'endpoint-crash-loop',
      endpoint: 'end_ct5j9lan2ojg00a4qma0',
      edit: (f) => ({ ...f, pods: [], events: [] }),
      summary: ['wants 1 replica(s) but has no pods', 'records no failure'],
    },
    {
      name: "the endpoint's pods denied (RBAC): it cannot see, naming the read, instead of guessing from nothing",
      snapshot: 'endpoint-image-pull',
      endpoint: 'end_ct5a0c9n2ojg00a4qm10',
      deny: [{ verb: 'list', resource: 'pods', namespace: 'llm-engine' }],
      level: 'endpoint',
      summary: ['cannot see the objects', 'cannot tell a failing endpoint from a missing one', 'cannot list pods in namespace llm-engine'],
      commands: ['kubectl auth can-i list pods -n llm-engine'],
      evidence: ['not readable: forbidden: cannot list pods in namespace llm-engine'],
    },
    {
      name: 'no object seen and the Deployments denied: not NOT_FOUND, not BUILD_PENDING',
      snapshot: 'endpoint-build-pending',
      endpoint: 'end_ct5ndpen2ojg00a4qme0',
      deny: [{ verb: 'list', resource: 'deployments.apps' }],
      summary: ['cannot list deployments.apps in namespace llm-engine'],
    },
  ],
  misses: [
    { name: 'a known cause',  snapshot: 'endpoint-crash-loop', endpoint: 'end_ct5j9lan2ojg00a4qma0' },
    { name: 'a serving endpoint', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct' },
  ],
});
