import { it } from '@jest/globals';
import check from '../../../checks/values/azure.js';
import { runCase } from '../../support/check-tester.js';
it('dump', async () => {
  for (const extra of [['azure-bad-ids'], ['azure-manual-annotation'], ['azure-no-keyvault']]) {
    const rs = await runCase(check, { name: '', values: ['fixtures/values/azure-good.yaml', ...extra.map((e) => `fixtures/values/${e}.yaml`)] });
    process.stdout.write(JSON.stringify(rs.map((r) => ({ s: r.status, id: r.messageId, m: r.message, ev: r.evidence, rem: r.remediation })), null, 1) + '\n');
  }
});
