import cause from '../../diagnoses/config-error.js';
import { testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: 'the AWS profile ConfigMap default-config is not in the endpoint namespace (FailedMount)',
      snapshot: 'endpoint-config-error',
      endpoint: 'end_ct5h7j8n2ojg00a4qm80',
      level: 'pod',
      summary: ['ConfigMap llm-engine/default-config does not exist'],
      commands: ['kubectl -n model-engine get configmap default-config -o json', 'kubectl -n llm-engine apply -f -'],
      values: ['namespaces: [model-engine, llm-engine]'],
      evidence: ['MountVolume.SetUp failed for volume \\"config-volume\\"'],
    },
  ],
  misses: [
    { name: 'a PVC that does not bind is VOLUME', snapshot: 'endpoint-volume', endpoint: 'end_ct5i8k9n2ojg00a4qm90' },
    { name: 'a healthy endpoint', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct' },
  ],
});
