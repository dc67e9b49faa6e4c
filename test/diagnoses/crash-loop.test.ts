import cause from '../../diagnoses/crash-loop.js';
import { testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: 'S3 AccessDenied on the weights',
      snapshot: 'endpoint-crash-loop',
      endpoint: 'end_ct5j9lan2ojg00a4qma0',
      level: 'pod',
      summary: ['7 restarts', 'model weights: access denied'],
      commands: ['aws s3 ls s3://acme-ml-finetunes/llama-3-8b-ft-v2/', 'kubectl -n llm-engine logs launch-endpoint-id-end-ct5j9lan2ojg00a4qma0-n6m8p2q4r7-b8xzn -c main --previous --tail=200'],
      evidence: ['AccessDenied: Access Denied status code: 403', 'main (previous)'],
    },
    {
      name: 'the previous log could not be read (logs dropped; simulated)',
      snapshot: 'endpoint-crash-loop',
      endpoint: 'end_ct5j9lan2ojg00a4qma0',
      edit: (f) => ({ ...f, logs: [] }),
      summary: ['its previous log could not be read'],
    },
  ],
  misses: [
    { name: 'a server that runs but is not ready', snapshot: 'endpoint-readiness-failing', endpoint: 'end_ct5kambn2ojg00a4qmb0' },
    { name: 'a healthy endpoint', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct' },
  ],
});
