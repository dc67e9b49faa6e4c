import cause from '../../diagnoses/starting.js';
import { shiftNow, testCause, withPodEvent } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: 'an LLM loading its weights for 6 minutes',
      snapshot: 'endpoint-starting',
      endpoint: 'end_ct5lbncn2ojg00a4qmc0',
      level: 'pod',
      summary: ['started 6m ago', 'Loading safetensors checkpoint shards:  43%'],
      commands: ['model-engine-doctor endpoint end_ct5lbncn2ojg00a4qmc0 --watch'],
    },
    {
      name: 'the readiness-failing pod 40 minutes earlier (simulated)',
      snapshot: 'endpoint-readiness-failing',
      endpoint: 'end_ct5kambn2ojg00a4qmb0',
      edit: shiftNow(-40 * 60_000),
      summary: ['started 17m ago', 'normal for up to'],
    },
    {
      name: 'a 20 GB image pulling for 6 minutes (Pulling event added; simulated)',
      snapshot: 'endpoint-unknown',
      endpoint: 'end_ct5qgshn2ojg00a4qmh0',
      edit: withPodEvent({ pod: 'launch-endpoint-id-end-ct5qgshn2ojg00a4qmh0-t4v6w8x2y5-m3ncz', container: 'main', reason: 'Pulling', message: 'Pulling image "111122223333.dkr.ecr.us-east-1.amazonaws.com/launch/inference:whisper-large-v3-8c1d2e4"', agoMs: 6 * 60_000 }),
      summary: ['has been pulling 111122223333.dkr.ecr.us-east-1.amazonaws.com/launch/inference:whisper-large-v3-8c1d2e4 for 6m', 'normal for large images up to 15m'],
    },
  ],
  misses: [
    { name: 'a crash loop', snapshot: 'endpoint-crash-loop', endpoint: 'end_ct5j9lan2ojg00a4qma0' },
    { name: 'a serving endpoint', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct' },
  ],
});
