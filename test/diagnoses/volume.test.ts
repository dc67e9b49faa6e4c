import cause from '../../diagnoses/volume.js';
import { testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: 'the model cache PVC asks for ReadWriteMany on a block-storage class',
      snapshot: 'endpoint-volume',
      endpoint: 'end_ct5i8k9n2ojg00a4qm90',
      level: 'pod',
      summary: ['launch-endpoint-id-end-ct5i8k9n2ojg00a4qm90-model-cache is Pending', 'MULTI_NODE_MULTI_WRITER not supported'],
      commands: ['kubectl -n llm-engine describe pvc launch-endpoint-id-end-ct5i8k9n2ojg00a4qm90-model-cache', 'kubectl get storageclass'],
      values: ['modelCache:', 'accessMode: ReadWriteMany'],
    },
  ],
  misses: [
    { name: 'a ConfigMap volume that does not exist is CONFIG_ERROR, not VOLUME', snapshot: 'endpoint-config-error', endpoint: 'end_ct5h7j8n2ojg00a4qm80' },
    { name: 'no GPU node has room', snapshot: 'endpoint-insufficient-gpu', endpoint: 'llama-3-8b-finetune' },
  ],
});
