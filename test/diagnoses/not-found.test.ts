import cause from '../../diagnoses/not-found.js';
import { testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: 'nothing labelled with the id, and the builder never mentioned it',
      snapshot: 'endpoint-not-found',
      endpoint: 'end_ct5pfrgn2ojg00a4qmg0',
      level: 'endpoint',
      summary: ['No endpoint end_ct5pfrgn2ojg00a4qmg0 in namespace llm-engine'],
      commands: ['kubectl -n llm-engine get deploy -l managed-by=model-engine -L endpoint_id,endpoint_name'],
    },
    {
      name: 'no objects, but the builder log says the build failed: BUILD_FAILED outranks it',
      snapshot: 'endpoint-build-failed',
      endpoint: 'end_ct5oeqfn2ojg00a4qmf0',
      root: false,
      summary: ['No endpoint end_ct5oeqfn2ojg00a4qmf0 in namespace llm-engine'],
    },
  ],
  misses: [
    { name: 'it exists', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct' },
    { name: 'it exists and fails', snapshot: 'endpoint-crash-loop', endpoint: 'end_ct5j9lan2ojg00a4qma0' },
  ],
});
