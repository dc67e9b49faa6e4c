import { defineCheck, fail, pass, skip, warn, type Deployment, type Pod } from '../../src/engine/index.js';
import { countEvidence, countInLogs, lineTime, readLogs, REDIS_AUTH_RE, span } from './lib/logs.js';
import { CACHER, cacheRedisPlan, podsOf } from './lib/model-engine-redis.js';
import { runningConfig } from './lib/running-config.js';

const DOCS = 'docs/checks/redis/azure-token-refresh.md';

/**
 * Entra ID access tokens live 60–90 minutes by default (a random lifetime in that range); we assume the shortest,
 * 60 minutes: a cacher whose container started longer ago than that may be holding an expired token.
 */
export const TOKEN_LIFETIME_MIN = 60;
/** Restart the cacher more often than the shortest token lifetime. */
export const RESTART_SCHEDULE = '*/45 * * * *';

/** Minutes since the cacher container started (running.startedAt), or undefined when it is not running. */
export function cacherAgeMinutes(pod: Pod, now: Date): number | undefined {
  const cs = (pod.status?.containerStatuses ?? []).find((c) => c.name !== 'istio-proxy' && c.state?.running?.startedAt);
  const started = cs?.state?.running?.startedAt;
  return started ? Math.floor((now.getTime() - Date.parse(started)) / 60_000) : undefined;
}

/** A CronJob (with its RBAC) that restarts the cacher before its token can expire. */
export function restartCronJob(namespace: string): string {
  return `apiVersion: v1
kind: ServiceAccount
metadata: {name: model-engine-cacher-restarter, namespace: ${namespace}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: model-engine-cacher-restarter, namespace: ${namespace}}
rules:
- apiGroups: [apps]
  resources: [deployments]
  resourceNames: [${CACHER}]
  verbs: [get, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: model-engine-cacher-restarter, namespace: ${namespace}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: model-engine-cacher-restarter}
subjects: [{kind: ServiceAccount, name: model-engine-cacher-restarter, namespace: ${namespace}}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: model-engine-cacher-restart, namespace: ${namespace}}
spec:
  schedule: "${RESTART_SCHEDULE}"   # more often than the ~60-90 min Entra token lifetime
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        spec:
          serviceAccountName: model-engine-cacher-restarter
          restartPolicy: Never
          containers:
          - name: kubectl
            image: bitnami/kubectl:1.30
            command: [kubectl, -n, ${namespace}, rollout, restart, deployment/${CACHER}]
`;
}

export default defineCheck({
  meta: {
    id: 'redis/azure-token-refresh',
    title: 'Cacher Entra token still valid (Azure)',
    description: `On Azure the cacher computes its Redis URL (with an Entra token) once at start and never refreshes it: a cacher running longer than the token lifetime (assumed ${TOKEN_LIFETIME_MIN}–90 min) with Redis auth errors has an expired token.`,
    clouds: ['azure'],
    severity: 'high',
    needs: ['kube'],
    scopes: ['triage', 'endpoint'],
    messages: {
      notEntra: 'The cache Redis does not use an Entra token here ({{why}}), so the cacher has no token to expire',
      young: 'The cacher pod {{pod}} started {{age}} min ago, within the token lifetime (≥ {{lifetime}} min); its token expires after that and is never refreshed',
      expired:
        'The cacher pod {{pod}} has run for {{age}} min, longer than the Entra token lifetime (≥ {{lifetime}} min), and logs {{count}} Redis auth error(s) since {{first}}: its token expired and the cacher never refreshes it',
      oldButClean: 'The cacher pod {{pod}} has run for {{age}} min, beyond the token lifetime, and logs no Redis auth errors (this image may refresh its token, or the token is longer-lived)',
      oldNoLogs: 'The cacher pod {{pod}} has run for {{age}} min, beyond the Entra token lifetime (≥ {{lifetime}} min); its logs are not available to confirm auth errors',
      noCacher: 'No running cacher pod in {{namespace}}',
      noConfig: 'Neither the service ConfigMap nor helm values are available',
    },
  },
  async run(ctx) {
    const kube = ctx.kube!;
    const ns = ctx.namespaces.controlPlane;
    const cfg = await runningConfig(ctx);
    if (!cfg) return skip('noConfig');
    const plan = cacheRedisPlan('azure', cfg.launch, cfg.env.values);
    if (plan.kind !== 'azure') return skip('notEntra', { data: { why: plan.kind === 'url' ? `it comes from ${plan.key}` : plan.kind } });

    const [deployments, pods] = await Promise.all([kube.list<Deployment>('deployments.apps', { namespace: ns }), kube.list<Pod>('pods', { namespace: ns })]);
    const own = podsOf(
      deployments.find((d) => d.metadata.name === CACHER),
      pods,
      CACHER,
    ).filter((p) => cacherAgeMinutes(p, ctx.now) !== undefined);
    if (own.length === 0) return skip('noCacher', { data: { namespace: ns } });

    const findings = [];
    for (const pod of own) {
      const age = cacherAgeMinutes(pod, ctx.now)!;
      const object = { kind: 'Pod', namespace: ns, name: pod.metadata.name };
      const data = { pod: pod.metadata.name, age, lifetime: TOKEN_LIFETIME_MIN };
      const started = { type: 'field' as const, object, path: 'status.containerStatuses[].state.running.startedAt', value: pod.status?.containerStatuses?.find((c) => c.state?.running)?.state?.running?.startedAt };
      if (age < TOKEN_LIFETIME_MIN) {
        findings.push(pass('young', { object, data, evidence: [started] }));
        continue;
      }
      const { logs } = await readLogs(kube, [pod]);
      // Only errors logged after the token could have expired point at expiry (lines without a time count too).
      const expiry = new Date(ctx.now.getTime() - (age - TOKEN_LIFETIME_MIN) * 60_000).toISOString();
      const late = logs.map((l) => ({ ...l, text: l.text.split('\n').filter((line) => (lineTime(line) ?? expiry) >= expiry).join('\n') }));
      const counts = countInLogs(late, REDIS_AUTH_RE);
      const remediation = {
        summary: `Restart the cacher now, and schedule a restart every 45 min until model-engine refreshes the cacher's token (the gateway already rebuilds its pool on expiry).`,
        commands: [`kubectl -n ${ns} rollout restart deploy/${CACHER}`, `kubectl apply -f - <<'EOF'\n${restartCronJob(ns)}EOF`],
        docs: DOCS,
      };
      if (logs.length === 0) {
        findings.push(warn('oldNoLogs', { object, data, severity: 'medium', evidence: [started], remediation }));
      } else if (counts.length === 0) {
        findings.push(pass('oldButClean', { object, data, evidence: [started] }));
      } else {
        const { first } = span(counts);
        findings.push(
          fail('expired', {
            object,
            data: { ...data, count: counts.reduce((n, c) => n + c.count, 0), first: first ?? '?' },
            evidence: [started, ...countEvidence(counts)],
            remediation,
          }),
        );
      }
    }
    return findings;
  },
});
