// Hand-made endpoint diagnoses, shaped as `src/engine/diagnosis.ts` declares them.
import type { Diagnosis } from '../../src/engine/diagnosis.js';

export const NS = 'llm-engine';
export const DEPLOY = 'launch-endpoint-id-end-cq3kd0s2rxy5g2r0lsh0';
export const POD = `${DEPLOY}-7d9f8b6c5-x2x7q`;
export const IMAGE = '111122223333.dkr.ecr.us-west-2.amazonaws.com/llm-engine/vllm:0.6.3-a1b2c3d';

/** What `endpoint end_cq3kd0s2rxy5g2r0lsh0` diagnoses for an endpoint whose image tag was never pushed. */
export const imagePull: Diagnosis = {
  endpoint: { id: 'end_cq3kd0s2rxy5g2r0lsh0', name: 'llama-3-8b-instruct', namespace: NS },
  cause: 'IMAGE_PULL',
  summary: `The endpoint's pods cannot pull ${IMAGE}: the tag does not exist in the repository`,
  evidence: [
    {
      type: 'event',
      object: { kind: 'Pod', namespace: NS, name: POD },
      reason: 'Failed',
      eventType: 'Warning',
      message: `Failed to pull image "${IMAGE}": rpc error: code = NotFound desc = failed to resolve reference "${IMAGE}": not found`,
      count: 14,
      lastSeen: '2026-07-01T10:02:41Z',
    },
  ],
  remediation: {
    summary: 'Push the image tag, or update the endpoint to a tag that exists',
    commands: [`aws ecr describe-images --repository-name llm-engine/vllm --image-ids imageTag=0.6.3-a1b2c3d --region us-west-2`],
  },
  next: [`kubectl -n ${NS} describe pod ${POD}`, `kubectl -n ${NS} get events --field-selector involvedObject.name=${POD}`],
  chain: [
    {
      kind: 'Deployment',
      name: DEPLOY,
      namespace: NS,
      state: 'fail',
      summary: '0/1 available',
      children: [
        {
          kind: 'ReplicaSet',
          name: `${DEPLOY}-7d9f8b6c5`,
          namespace: NS,
          state: 'warn',
          summary: '0/1 ready',
          children: [
            {
              kind: 'Pod',
              name: POD,
              namespace: NS,
              state: 'fail',
              summary: 'Pending for 14m',
              children: [
                {
                  kind: 'Container',
                  name: 'main',
                  state: 'fail',
                  summary: 'waiting: ImagePullBackOff',
                  children: [{ kind: 'Event', name: 'Failed', state: 'fail', summary: `Failed ×14: Failed to pull image "${IMAGE}": not found`, children: [] }],
                },
                { kind: 'Container', name: 'http-forwarder', state: 'ok', summary: 'running', children: [] },
                { kind: 'Node', name: 'ip-10-0-12-34.us-west-2.compute.internal', state: 'info', summary: 'g5.2xlarge, 1 nvidia.com/gpu allocatable', children: [] },
              ],
            },
          ],
        },
      ],
    },
  ],
};

export const healthy: Diagnosis = {
  endpoint: { id: 'end_cq3kd0s2rxy5g2r0lsh0', name: 'llama-3-8b-instruct', namespace: NS },
  cause: 'HEALTHY',
  summary: '1/1 workers ready; the endpoint is serving',
  evidence: [],
  remediation: { summary: 'Nothing to do' },
  next: [],
  chain: [{ kind: 'Deployment', name: DEPLOY, namespace: NS, state: 'ok', summary: '1/1 available', children: [] }],
};
