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
  ],
  misses: [
    { name: 'a known cause', snapshot: 'endpoint-crash-loop', endpoint: 'end_ct5j9lan2ojg00a4qma0' },
    { name: 'a serving endpoint', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct' },
  ],
});
