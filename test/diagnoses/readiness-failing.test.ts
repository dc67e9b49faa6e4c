import cause from '../../diagnoses/readiness-failing.js';
import { shiftNow, testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: 'the server listens on 8000, the probe checks 5005',
      snapshot: 'endpoint-readiness-failing',
      endpoint: 'end_ct5kambn2ojg00a4qmb0',
      level: 'pod',
      summary: ['has been running 57m', 'GET :5005/health fails', 'listens on port 8000, not 5005'],
      evidence: ['Uvicorn running on http://0.0.0.0:8000'],
    },
  ],
  misses: [
    { name: 'the same pod 40 minutes earlier, still inside its start grace (simulated)', snapshot: 'endpoint-readiness-failing', endpoint: 'end_ct5kambn2ojg00a4qmb0', edit: shiftNow(-40 * 60_000) },
    { name: 'an LLM loading its weights', snapshot: 'endpoint-starting', endpoint: 'end_ct5lbncn2ojg00a4qmc0' },
  ],
});
