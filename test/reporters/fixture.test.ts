// The reporter fixtures must be what users get, or the reporter tests prove nothing: real check ids and declared
// messageIds, sorted and counted as the runner does, incidents as the CLI computes them.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { allChecks } from '../../checks/index.js';
import { groupIncidents } from '../../src/model-engine/incidents.js';
import { compareResults, countByStatus } from '../../src/engine/runner.js';
import { STATUSES, type Evidence, type Report } from '../../src/engine/types.js';
import { deniedReport, endpointReport, hostileReport, offNetworkReport, triageReport } from './fixture-report.js';

/** Message ids the runner itself produces (skips it decides on, a check that threw or timed out). */
const ENGINE_IDS = new Set(['cloudUnknown', 'notApplicable', 'needsCluster', 'needsValues', 'needsCloudApi', 'needsProbe', 'forbidden', 'timeout', 'crashed']);

let reports: [string, Report][];
beforeAll(async () => {
  reports = [
    ['demo', await triageReport()],
    ['off network', await offNetworkReport()],
    ['denied', await deniedReport()],
    ['hostile', await hostileReport()],
    ['endpoint', await endpointReport('llama-3-70b')],
  ];
}, 60_000);

describe('reporter fixtures', () => {
  it('use only registered check ids and the messageIds those checks declare', () => {
    const meta = new Map(allChecks.map((c) => [c.meta.id, c.meta]));
    for (const [name, report] of reports) {
      for (const r of report.results) {
        expect({ name, id: r.id, known: meta.has(r.id) }).toEqual({ name, id: r.id, known: true });
        const declared = r.messageId in meta.get(r.id)!.messages || ENGINE_IDS.has(r.messageId);
        expect({ name, id: r.id, messageId: r.messageId, declared }).toEqual({ name, id: r.id, messageId: r.messageId, declared: true });
      }
    }
  });

  it('are sorted and counted the way the runner does, with the incidents the CLI computes', () => {
    for (const [, report] of reports) {
      expect([...report.results].sort(compareResults)).toEqual(report.results);
      expect(report.counts).toEqual(countByStatus(report.results));
      expect(report.incidents).toEqual(groupIncidents(report.results));
    }
  });

  it('cover every status, every evidence type, an RBAC denial and registries out of reach', () => {
    const all = reports.flatMap(([, r]) => r.results);
    expect(new Set(all.map((r) => r.status))).toEqual(new Set(STATUSES));
    const types: Evidence['type'][] = ['field', 'values', 'event', 'log', 'probe', 'object', 'note'];
    expect(new Set(all.flatMap((r) => r.evidence.map((e) => e.type)))).toEqual(new Set(types));
    expect(all.some((r) => r.messageId === 'forbidden' && /cannot list nodes/.test(r.message))).toBe(true);
    expect(all.filter((r) => r.messageId === 'unreachable').length).toBeGreaterThan(10);
  });

  it('give every fail and warn a remediation (the contract the reporters rely on)', () => {
    for (const [, report] of reports) {
      for (const r of report.results) if (r.status === 'fail' || r.status === 'warn') expect(r.remediation.summary.length).toBeGreaterThan(0);
    }
  });
});
