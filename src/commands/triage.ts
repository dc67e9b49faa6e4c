/**
 * `triage`: every check of the triage scope, plus the `endpoints` table (one row per endpoint with its diagnosed
 * cause). The table comes from the same memoised collection the `endpoints/serving` check reads, so it costs no
 * extra API calls when that check ran.
 */
import { triageEndpoints } from '../../diagnoses/index.js';
import { ApiError, DeadlineError, ifForbidden } from '../engine/errors.js';
import type { CheckCommand } from './run.js';

export const TRIAGE_COMMAND: CheckCommand = {
  name: 'triage',
  scope: 'triage',
  needCluster: true,
  extensions: async (ctx) => {
    if (!ctx.kube) return {};
    const kube = ctx.kube;
    try {
      // RBAC, the API or the deadline keeping the endpoints from being read leaves the table out; the
      // endpoints/serving check reports the same failure as a skip or an error, naming it. Anything else is a bug.
      const t = await ifForbidden(() => triageEndpoints({ ...ctx, kube }), () => undefined);
      // An empty table is a finding ("no endpoints"); when the endpoints could not be read, there is no table.
      return t && (t.endpoints.length > 0 || !t.unread) ? { endpoints: t.endpoints.map((e) => e.row) } : {};
    } catch (e) {
      if (e instanceof ApiError || e instanceof DeadlineError) return {};
      throw e;
    }
  },
};
