import cause from '../../diagnoses/image-pull.js';
import { testCause, withPodEvent } from '../support/cause-tester.js';

const POD = 'launch-endpoint-id-end-ct5qgshn2ojg00a4qmh0-t4v6w8x2y5-m3ncz';
const IMAGE = '111122223333.dkr.ecr.us-east-1.amazonaws.com/launch/inference:whisper-large-v3-8c1d2e4';
const pulling = (agoMs: number) => withPodEvent({ pod: POD, container: 'main', reason: 'Pulling', message: `Pulling image "${IMAGE}"`, agoMs });

testCause(cause, {
  matches: [
    {
      name: "403 from Scale's private ECR",
      snapshot: 'endpoint-image-pull',
      endpoint: 'end_ct5a0c9n2ojg00a4qm10',
      level: 'pod',
      summary: ['cannot pull 307185671274.dkr.ecr.us-west-2.amazonaws.com/vllm:0.6.3.post1', '403 Forbidden'],
      commands: ['crane copy 307185671274.dkr.ecr.us-west-2.amazonaws.com/vllm:0.6.3.post1 <your-registry>/vllm:0.6.3.post1'],
      evidence: ['unexpected status from HEAD request'],
    },
    {
      name: 'the mirror lacks the tag (demo)',
      snapshot: 'demo-aws',
      endpoint: 'mixtral-8x7b',
      summary: ['cannot pull 111122223333.dkr.ecr.us-east-1.amazonaws.com/vllm:0.6.3'],
      commands: ['aws ecr describe-images --registry-id 111122223333 --region us-east-1 --repository-name vllm --image-ids imageTag=0.6.3'],
    },
    {
      name: 'a pull still running after 40 minutes (Pulling event added; simulated)',
      snapshot: 'endpoint-unknown',
      endpoint: 'end_ct5qgshn2ojg00a4qmh0',
      edit: pulling(40 * 60_000),
      summary: [`has been pulling ${IMAGE} for 40m`, 'stalled'],
      commands: ['kubectl describe node ip-10-42-44-7.ec2.internal'],
    },
  ],
  misses: [
    { name: 'a crash loop', snapshot: 'endpoint-crash-loop', endpoint: 'end_ct5j9lan2ojg00a4qma0' },
    { name: 'a pull that started 6 minutes ago is STARTING (Pulling event added; simulated)', snapshot: 'endpoint-unknown', endpoint: 'end_ct5qgshn2ojg00a4qmh0', edit: pulling(6 * 60_000) },
  ],
});
