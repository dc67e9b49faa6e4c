import { defineCheck, fail, pass, refOf, skip, str, warn, type Evidence, type Finding, type Node, type ObjectRef, type Pod } from '../../src/engine/index.js';
import {
  annotationChangedAt,
  isOlder,
  podFederation,
  readIdentityState,
  roleSeverity,
  rolesText,
  type PodFederation,
  type SubjectState,
} from '../../src/model-engine/identity.js';

export type PodVerdict =
  | { state: 'ok'; how: 'webhook' | 'pod-identity' | 'metadata-server' }
  /** Created before the annotation (changed): it keeps the old identity until restarted. */
  | { state: 'stale'; injected?: string; changedAt: string }
  | { state: 'label-missing'; key: string; value: string }
  | { state: 'not-mutated' }
  | { state: 'partial'; missing: { container: string; env: string[] }[] }
  | { state: 'node-not-federated'; node: string; label: string };

/**
 * Judge one running pod of a federated service account. `annotation` is the SA's current value, `changedAt`
 * when the cluster last saw it change. On GKE pods are federated by their node's metadata server.
 */
export function judgePod(
  pod: Pod,
  fed: PodFederation,
  annotation: string,
  changedAt: string | undefined,
  node?: { name: string; label?: { key: string; value: string }; labels?: Record<string, string> },
): PodVerdict {
  if (node?.label) {
    return node.labels?.[node.label.key] === node.label.value
      ? { state: 'ok', how: 'metadata-server' }
      : { state: 'node-not-federated', node: node.name, label: `${node.label.key}=${node.label.value}` };
  }
  switch (fed.state) {
    case 'pod-identity':
      return { state: 'ok', how: 'pod-identity' };
    case 'federated':
      if (fed.identity && fed.identity.trim().toLowerCase() !== annotation.trim().toLowerCase()) {
        return { state: 'stale', injected: fed.identity, changedAt: changedAt ?? '' };
      }
      return { state: 'ok', how: 'webhook' };
    case 'partial':
      return fed;
    case 'label-missing':
      return fed;
    case 'not-mutated':
      // Created before the annotation existed: the webhook had nothing to inject then.
      if (changedAt && isOlder(pod, changedAt)) return { state: 'stale', changedAt };
      return { state: 'not-mutated' };
  }
}

const MAX_EVIDENCE = 5;

export default defineCheck({
  meta: {
    id: 'identity/pods-federated',
    title: 'Running pods got their workload identity',
    description:
      'Running pods of the model-engine, kaniko and inference service accounts were federated: IRSA/Azure env vars and token volume injected (or EKS Pod Identity), the Azure pod label present, GKE nodes running the metadata server; pods older than the annotation are flagged for a restart.',
    clouds: ['aws', 'azure', 'gcp'],
    severity: 'critical',
    needs: ['kube'],
    messages: {
      ok: '{{count}} running pod(s) of {{roles}} service account {{namespace}}/{{name}} are federated ({{how}})',
      noPods: 'no running pods use {{roles}} service account {{namespace}}/{{name}}',
      notAnnotated: '{{roles}} service account {{namespace}}/{{name}} is not annotated; see identity/service-account-annotations',
      stale:
        '{{count}} pod(s) of {{namespace}}/{{name}} were created before its identity annotation was set or changed ({{changedAt}}) and still run with the old identity: {{pods}}',
      labelMissing: '{{count}} pod(s) of {{namespace}}/{{name}} lack the label {{label}}, so the Azure Workload Identity webhook skipped them: {{pods}}',
      notMutated: '{{count}} pod(s) of {{namespace}}/{{name}} were not mutated by the {{identity}} webhook (no {{volume}} volume, no {{env}}): {{pods}}',
      partial: '{{count}} pod(s) of {{namespace}}/{{name}} have containers without the injected {{env}}: {{pods}}',
      nodeNotFederated:
        '{{count}} pod(s) of {{namespace}}/{{name}} run on nodes without {{label}} (GKE metadata server off), so they get the node\'s identity instead: {{pods}}',
    },
  },
  async run(ctx) {
    const state = await readIdentityState(ctx);
    // The runner runs this check only on aws, azure and gcp (meta.clouds) with a cluster (meta.needs), where the
    // cloud profile always has a workload identity model: no state is a bug, reported as the check's error.
    if (!state) throw new Error(`no workload identity model for cloud ${ctx.cloud ?? 'unknown'}`);
    const { profile, identity, key } = state;
    const nodeLabel = identity.nodeLabel;
    const nodes = nodeLabel ? new Map((await ctx.kube!.list<Node>('nodes')).map((n) => [n.metadata.name, n])) : undefined;
    const out: Finding[] = [];
    for (const s of state.subjects) {
      out.push(...judgeSubject(s));
    }
    return out;

    function judgeSubject(s: SubjectState): Finding[] {
      const object: ObjectRef = { kind: 'ServiceAccount', namespace: s.namespace, name: s.name };
      const data = { roles: rolesText(s.roles), namespace: s.namespace, name: s.name };
      const annotation = s.sa?.metadata.annotations?.[key]?.trim() ?? '';
      const verdicts = s.pods.map((p) => {
        const fed = podFederation(p, profile);
        // Pod Identity needs no annotation: judge those pods even when the SA is unannotated.
        if (!annotation && fed.state !== 'pod-identity' && !nodeLabel) return { pod: p, v: undefined };
        const node = nodeLabel && p.spec.nodeName ? nodes?.get(p.spec.nodeName) : undefined;
        const changed = s.sa ? annotationChangedAt(s.sa, key) : undefined;
        const v = judgePod(
          p,
          fed,
          annotation,
          changed?.at,
          nodeLabel && p.spec.nodeName ? { name: p.spec.nodeName, label: nodeLabel, ...(node?.metadata.labels ? { labels: node.metadata.labels } : {}) } : undefined,
        );
        return { pod: p, v };
      });
      if (s.pods.length === 0) return [skip('noPods', { data, object })];
      if (verdicts.every((x) => x.v === undefined)) return [skip('notAnnotated', { data, object })];
      const groups = new Map<PodVerdict['state'], { pod: Pod; v: PodVerdict }[]>();
      for (const x of verdicts) {
        if (!x.v) continue;
        const g = groups.get(x.v.state) ?? [];
        g.push({ pod: x.pod, v: x.v });
        groups.set(x.v.state, g);
      }
      const findings: Finding[] = [];
      const names = (g: { pod: Pod }[]) => g.slice(0, MAX_EVIDENCE).map((x) => x.pod.metadata.name).join(', ') + (g.length > MAX_EVIDENCE ? ` (+${g.length - MAX_EVIDENCE} more)` : '');
      const severity = roleSeverity(s.roles);
      const restartCmd = (g: { pod: Pod }[]) => {
        const owners = [...new Set(g.map((x) => deploymentOf(x.pod)).filter((d): d is string => !!d))];
        return owners.length > 0
          ? owners.map((d) => `kubectl -n ${s.namespace} rollout restart deployment ${d}`)
          : g.slice(0, MAX_EVIDENCE).map((x) => `kubectl -n ${s.namespace} delete pod ${x.pod.metadata.name}`);
      };
      for (const [st, g] of groups) {
        const pods = names(g);
        const count = g.length;
        const first = g[0]!;
        switch (st) {
          case 'ok': {
            const hows = [...new Set(g.map((x) => (x.v.state === 'ok' ? x.v.how : '')))];
            findings.push(pass('ok', { data: { ...data, count, how: hows.map(howText).join(', ') }, object }));
            break;
          }
          case 'stale': {
            const at = first.v.state === 'stale' ? first.v.changedAt : '';
            findings.push(
              warn('stale', {
                data: { ...data, count, changedAt: at, pods },
                object: refOf(first.pod, 'Pod'),
                severity: severity === 'critical' ? 'high' : 'medium',
                evidence: [
                  ...(s.sa ? [{ type: 'field' as const, object, path: `metadata.annotations["${key}"]`, value: annotation }] : []),
                  ...g.slice(0, MAX_EVIDENCE).map(
                    (x): Evidence => ({
                      type: 'field',
                      object: refOf(x.pod, 'Pod'),
                      path: 'metadata.creationTimestamp',
                      value: `${x.pod.metadata.creationTimestamp ?? '?'}${x.v.state === 'stale' && x.v.injected ? ` (injected identity ${x.v.injected})` : ' (no identity injected)'}`,
                    }),
                  ),
                ],
                remediation: {
                  summary: 'Restart these pods: the identity webhook only acts when a pod is created, so they keep the identity they started with.',
                  commands: restartCmd(g),
                },
              }),
            );
            break;
          }
          case 'label-missing': {
            const label = first.v.state === 'label-missing' ? `${first.v.key}=${first.v.value}` : '';
            findings.push(
              fail('labelMissing', {
                data: { ...data, count, label, pods },
                object: refOf(first.pod, 'Pod'),
                severity,
                evidence: g.slice(0, MAX_EVIDENCE).map((x) => ({ type: 'field', object: refOf(x.pod, 'Pod'), path: 'metadata.labels', value: x.pod.metadata.labels ?? {} })),
                remediation: {
                  summary:
                    'The chart adds azure.workload.identity/use: "true" to pod labels only when the azure: values block is set: set it (client_id, tenant-wide settings), upgrade, and restart these pods.',
                  values: 'azure:\n  client_id: <managed identity client id>\n  identity_name: <managed identity name>',
                  commands: restartCmd(g),
                },
              }),
            );
            break;
          }
          case 'not-mutated':
            findings.push(
              fail('notMutated', {
                data: { ...data, count, pods, identity: profile.workloadIdentity, volume: identity.tokenVolume ?? 'token', env: identity.injectedEnv.join('/') },
                object: refOf(first.pod, 'Pod'),
                severity,
                evidence: g.slice(0, MAX_EVIDENCE).map((x) => ({
                  type: 'field',
                  object: refOf(x.pod, 'Pod'),
                  path: 'spec.volumes',
                  value: (x.pod.spec.volumes ?? []).map((v) => str(v, 'name')).join(', ') || '(none)',
                })),
                remediation: {
                  summary: `The ${profile.workloadIdentity} webhook did not act on these pods although the service account is annotated: check it runs (identity/webhook), then restart the pods.`,
                  commands: ['kubectl get mutatingwebhookconfigurations', ...restartCmd(g)],
                },
              }),
            );
            break;
          case 'partial': {
            const missing = first.v.state === 'partial' ? first.v.missing : [];
            findings.push(
              fail('partial', {
                data: { ...data, count, pods, env: [...new Set(missing.flatMap((m) => m.env))].join(', ') },
                object: refOf(first.pod, 'Pod'),
                severity,
                evidence: missing.map((m) => ({ type: 'field', object: refOf(first.pod, 'Pod'), path: `spec.containers[${m.container}].env`, value: `missing ${m.env.join(', ')}` })),
                remediation: {
                  summary: 'Some containers were left out by the webhook (skip-containers annotation, or containers added after admission): remove the skip or restart the pods.',
                  commands: restartCmd(g),
                },
              }),
            );
            break;
          }
          case 'node-not-federated': {
            const badNodes = [...new Set(g.map((x) => (x.v.state === 'node-not-federated' ? x.v.node : '')))];
            const label = first.v.state === 'node-not-federated' ? first.v.label : '';
            const pools = [...new Set(badNodes.map((n) => (profile.nodePool ? nodes?.get(n)?.metadata.labels?.[profile.nodePool.label] : undefined)).filter(Boolean))];
            findings.push(
              fail('nodeNotFederated', {
                data: { ...data, count, pods, label },
                object: refOf(first.pod, 'Pod'),
                severity,
                evidence: badNodes.slice(0, MAX_EVIDENCE).map((n) => ({ type: 'field', object: { kind: 'Node', name: n }, path: `metadata.labels["${label.split('=')[0]}"]`, value: nodes?.get(n)?.metadata.labels?.[label.split('=')[0]!] ?? null })),
                remediation: {
                  summary: 'Enable the GKE metadata server on these node pools (the cluster needs a workload pool too), then restart the pods.',
                  commands: [
                    ...(pools.length > 0 ? pools : ['<pool>']).map((p) => `gcloud container node-pools update ${p} --cluster ${ctx.cluster?.name ?? '<cluster>'} --workload-metadata=GKE_METADATA`),
                    ...restartCmd(g),
                  ],
                },
              }),
            );
            break;
          }
        }
      }
      return findings;
    }
  },
});

function howText(h: string): string {
  return h === 'pod-identity' ? 'EKS Pod Identity' : h === 'metadata-server' ? 'GKE metadata server' : 'webhook-injected credentials';
}

/** The Deployment a pod belongs to, from its ReplicaSet owner name (`<deploy>-<hash>`). */
export function deploymentOf(pod: Pod): string | undefined {
  const rs = pod.metadata.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name;
  const hash = pod.metadata.labels?.['pod-template-hash'];
  if (!rs) return undefined;
  return hash && rs.endsWith(`-${hash}`) ? rs.slice(0, -hash.length - 1) : rs.replace(/-[a-z0-9]{8,10}$/, '');
}
