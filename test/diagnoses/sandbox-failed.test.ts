import cause from '../../diagnoses/sandbox-failed.js';
import type { EndpointFacts } from '../../src/model-engine/endpoint-facts.js';
import { testCause } from '../support/cause-tester.js';

/** The sandbox event's message replaced by another runtime's (simulated). */
const sandbox = (message: string) => (f: EndpointFacts): EndpointFacts => ({ ...f, events: f.events.map((e) => (e.reason === 'FailedCreatePodSandBox' ? { ...e, message } : e)) });

testCause(cause, {
  matches: [
    {
      name: 'the VPC CNI has no IP address left',
      snapshot: 'endpoint-sandbox-failed',
      endpoint: 'end_ct5vlumn2ojg00a4qmm0',
      level: 'pod',
      summary: ['ContainerCreating for 3h 07m on ip-10-42-44-7.ec2.internal', 'no IP address left', 'failed to assign an IP address to container'],
      commands: ['kubectl describe node ip-10-42-44-7.ec2.internal', 'aws-node'],
      evidence: ['FailedCreatePodSandBox'],
    },
    {
      name: 'the nvidia runtime handler is not configured (message replaced; simulated)',
      snapshot: 'endpoint-sandbox-failed',
      endpoint: 'end_ct5vlumn2ojg00a4qmm0',
      edit: sandbox('Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "nvidia" is configured'),
      summary: ["RuntimeClass handler is not configured", 'no runtime for "nvidia" is configured'],
      commands: ['kubectl get runtimeclass'],
    },
    {
      name: 'the pause image cannot be pulled on an air-gapped node (message replaced; simulated)',
      snapshot: 'endpoint-sandbox-failed',
      endpoint: 'end_ct5vlumn2ojg00a4qmm0',
      edit: sandbox('Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox image "registry.k8s.io/pause:3.10": failed to pull image "registry.k8s.io/pause:3.10": dial tcp 34.96.108.209:443: i/o timeout'),
      summary: ['cannot pull the pause (sandbox) image'],
      commands: ['crane copy registry.k8s.io/pause:3.10'],
    },
  ],
  misses: [
    { name: 'ContainerCreating with no events left', snapshot: 'endpoint-unknown', endpoint: 'end_ct5qgshn2ojg00a4qmh0' },
    { name: 'a healthy endpoint', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct' },
  ],
});
