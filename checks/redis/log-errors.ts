import { defineCheck, fail, pass, skip, type Deployment, type Finding, type Pod } from '../../src/engine/index.js';
import { countEvidence, countInLogs, readLogs, REDIS_AUTH_RE, span } from './lib/logs.js';
import { CONTROL_PLANE, podsOf } from './lib/model-engine-redis.js';

const DOCS = 'docs/checks/redis/log-errors.md';

export default defineCheck({
  meta: {
    id: 'redis/log-errors',
    title: 'No Redis authentication errors in control-plane logs',
    description: 'Counts Redis authentication failures (AuthenticationError, WRONGPASS, invalid username-password pair, NOAUTH) in the gateway, builder and cacher logs.',
    clouds: 'all',
    severity: 'high',
    needs: ['kube', 'logs'],
    scopes: ['triage', 'endpoint'],
    messages: {
      clean: 'No Redis authentication errors in the last {{lines}} log lines of the {{role}} ({{pods}} pod(s))',
      authErrors: '{{count}} Redis authentication error(s) in the {{role}} logs ({{pods}}), {{first}} … {{last}}',
      noPods: 'No {{role}} pods in {{namespace}}',
      noLogs: 'No logs available for the {{role}} pods{{why}}',
    },
  },
  async run(ctx) {
    const kube = ctx.kube!;
    const ns = ctx.namespaces.controlPlane;
    const [deployments, pods] = await Promise.all([kube.list<Deployment>('deployments.apps', { namespace: ns }), kube.list<Pod>('pods', { namespace: ns })]);
    const findings: Finding[] = [];
    for (const { name, role } of CONTROL_PLANE) {
      const d = deployments.find((x) => x.metadata.name === name);
      const own = podsOf(d, pods, name);
      const object = { kind: 'Deployment', namespace: ns, name };
      if (own.length === 0) {
        findings.push(skip('noPods', { object, data: { role, namespace: ns } }));
        continue;
      }
      const { logs, denied } = await readLogs(kube, own);
      if (logs.length === 0) {
        findings.push(skip('noLogs', { object, data: { role, why: denied ? ` (${denied})` : '' } }));
        continue;
      }
      const counts = countInLogs(logs, REDIS_AUTH_RE);
      if (counts.length === 0) {
        findings.push(pass('clean', { object, data: { role, pods: own.length, lines: 2000 } }));
        continue;
      }
      const total = counts.reduce((n, c) => n + c.count, 0);
      const { first, last } = span(counts);
      findings.push(
        fail('authErrors', {
          object,
          evidence: countEvidence(counts),
          data: { role, count: total, pods: [...new Set(counts.map((c) => c.pod))].join(', '), first: first ?? '?', last: last ?? '?' },
          remediation: {
            summary:
              ctx.cloud === 'azure'
                ? `The ${role} is being refused by Redis: on Azure this is usually an expired Entra token (see redis/azure-token-refresh) or a missing Redis data-access policy for azure.object_id.`
                : `The ${role}'s Redis credentials are wrong or were rotated: update the cache URL / its secret (or redis.auth for the broker), then restart the control plane. redis/connectivity shows which step fails.`,
            commands: [
              `kubectl -n ${ns} logs deploy/${name} --tail=200 | grep -E 'AuthenticationError|WRONGPASS|NOAUTH|invalid username-password'`,
              `kubectl -n ${ns} rollout restart deploy/${name}`,
            ],
            docs: DOCS,
          },
        }),
      );
    }
    return findings;
  },
});
