/**
 * `triage`: every check of the triage scope, plus the `endpoints` table (one row per endpoint with its diagnosed
 * cause). The table comes from the same memoised collection the `endpoints/serving` check reads, so it costs no
 * extra API calls when that check ran.
 */
import { triageEndpoints } from '../../diagnoses/index.js';
import type { CheckCommand } from './run.js';

export const TRIAGE_COMMAND: CheckCommand = {
  name: 'triage',
  scope: 'triage',
  needCluster: true,
  extensions: async (ctx) => {
    if (!ctx.kube) return {};
    try {
      const t = await triageEndpoints(ctx);
      return { endpoints: t.endpoints.map((e) => e.row) };
    } catch {
      // The table is a convenience: the endpoints/serving check reports the same failure with its reason.
      return {};
    }
  },
};
