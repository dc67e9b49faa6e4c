import { defineCheck, fail, pass, str, warn, type CheckContext, type Finding, type KubeObject } from '../../src/engine/index.js';
import { effectiveRegistryType } from '../../src/model-engine/images.js';
import { KANIKO } from '../../src/model-engine/identity.js';
import type { RenderedChart, RenderedObject } from '../../src/engine/ports/chart.js';
import { isFinding, namespaceOf, podLabel, RENDER_MESSAGES, renderedEvidence, renderedOrSkip, renderedPods, type RenderedPod, RENDERED_CHECK_META } from './support/rendered.js';

const DOCS = 'docs/checks/chart/service-accounts.md';

/** The namespace the builder creates endpoint objects in: the rendered launch config's endpoint_namespace. */
export function endpointNamespace(render: RenderedChart, fallback: string): string {
  const cm = render.objects.find((o) => o.object.kind === 'ConfigMap' && o.object.metadata.name.endsWith('-service-config') && !o.object.metadata.name.endsWith('-template-config'));
  const text = str(cm?.object, 'data', 'launch_service_config') ?? '';
  const m = /^endpoint_namespace:\s*"?([^"\n]+)"?\s*$/m.exec(text);
  return m?.[1]?.trim() || fallback;
}

/** The service account a pod template runs as, and the namespace it runs in. */
export function podServiceAccount(p: RenderedPod, render: RenderedChart, endpointNs: string): { name: string; namespace: string } {
  const name = p.spec.serviceAccountName ?? p.spec.serviceAccount ?? 'default';
  const namespace = p.endpointTemplate ? endpointNs : (namespaceOf(p.owner, render) ?? render.release.namespace);
  return { name, namespace };
}

async function existsInCluster(ctx: CheckContext, namespace: string, name: string): Promise<boolean | undefined> {
  if (!ctx.kube) return undefined;
  try {
    return (await ctx.kube.get<KubeObject>('serviceaccounts', name, namespace)) !== undefined;
  } catch {
    return undefined;
  }
}

export default defineCheck({
  meta: {
    id: 'chart/service-accounts',
    title: 'Service accounts the rendered pods run as',
    description:
      'Every service account a rendered pod (or endpoint template) runs as is rendered in its namespace or already exists, the image builder\'s is where kaniko runs, and no annotation is written twice.',
    ...RENDERED_CHECK_META,
    severity: 'critical',
    messages: {
      ...RENDER_MESSAGES,
      ok: '{{count}} service accounts rendered ({{list}}); every pod template runs as one of them{{existing}}',
      missing:
        '{{where}} runs as service account {{name}} in namespace {{namespace}}, which the chart does not render{{why}}: its pods are rejected (error looking up service account {{namespace}}/{{name}})',
      kanikoNamespace:
        'Image builds run kaniko Jobs in namespace default as service account kaniko, but the chart renders kaniko only in {{namespaces}}: every image build fails (serviceaccount "kaniko" not found)',
      duplicateAnnotation:
        'ServiceAccount {{namespace}}/{{name}} gets annotation {{key}} twice ({{template}}): the API server keeps the last one, so the first value is silently dropped',
    },
  },
  async run(ctx) {
    const render = await renderedOrSkip(ctx);
    if (isFinding(render)) return render;
    const endpointNs = endpointNamespace(render, ctx.namespaces.endpoint);
    const sas = render.objects.filter((o) => o.object.kind === 'ServiceAccount');
    const rendered = new Set(sas.map((o) => `${namespaceOf(o, render)}/${o.object.metadata.name}`));
    const findings: Finding[] = [];
    const existing: string[] = [];

    const byAccount = new Map<string, RenderedPod[]>();
    for (const p of renderedPods(render)) {
      const sa = podServiceAccount(p, render, endpointNs);
      const key = `${sa.namespace}/${sa.name}`;
      // Every namespace has a "default" service account (the token controller creates it).
      if (rendered.has(key) || sa.name === 'default') continue;
      byAccount.set(key, [...(byAccount.get(key) ?? []), p]);
    }
    for (const [key, pods] of byAccount) {
      const [namespace, name] = key.split('/') as [string, string];
      const inCluster = await existsInCluster(ctx, namespace, name);
      if (inCluster) {
        existing.push(key);
        continue;
      }
      const first = pods[0]!;
      const inference = first.endpointTemplate !== undefined;
      const why = inference
        ? ' (it renders the endpoint service account only with serviceTemplate.createServiceAccount true AND non-empty serviceTemplate.serviceAccountAnnotations)'
        : '';
      findings.push(
        (inCluster === false || !inference ? fail : warn)('missing', {
          severity: inference ? 'high' : 'critical',
          object: { kind: 'ServiceAccount', namespace, name },
          data: { where: pods.length > 1 ? `${podLabel(first)} and ${pods.length - 1} more` : podLabel(first), name, namespace, why },
          evidence: [
            ...renderedEvidence(first.owner, render, `${first.specPath}.serviceAccountName`, name),
            ...(inference && ctx.values ? [ctx.values.evidence('serviceTemplate.createServiceAccount'), ctx.values.evidence('serviceTemplate.serviceAccountAnnotations')] : []),
            ...(inCluster === undefined ? [{ type: 'note' as const, text: ctx.kube ? 'could not read service accounts in the cluster' : 'no cluster given: it may exist already' }] : []),
          ],
          remediation: {
            summary: inference
              ? `Let the chart create it (serviceTemplate.createServiceAccount: true with the cloud's identity annotation in serviceTemplate.serviceAccountAnnotations), or create ${namespace}/${name} before the first endpoint.`
              : `Create service account ${name} in ${namespace}, or let the chart render it.`,
            commands: [`kubectl -n ${namespace} get serviceaccount ${name}`, `kubectl -n ${namespace} create serviceaccount ${name}`],
            ...(inference ? { values: 'serviceTemplate:\n  createServiceAccount: true\n  serviceAccountName: model-engine\n  serviceAccountAnnotations:\n    <identity annotation>: <role / client id / GSA>\n' } : {}),
            docs: DOCS,
          },
        }),
      );
    }

    // Kaniko builds (ECR only) run in namespace default (facts §1.5, remote_build.py NAMESPACE = "default").
    const prefix = ctx.values?.get('config.values.infra.docker_repo_prefix');
    const registryType = effectiveRegistryType(ctx.values?.get('config.values.infra.docker_registry_type'), typeof prefix === 'string' ? prefix : undefined);
    const kaniko = sas.filter((o) => o.object.metadata.name === KANIKO.name);
    if (registryType === 'ecr' && kaniko.length > 0 && !kaniko.some((o) => namespaceOf(o, render) === KANIKO.namespace)) {
      const inCluster = await existsInCluster(ctx, KANIKO.namespace, KANIKO.name);
      if (!inCluster) {
        findings.push(
          warn('kanikoNamespace', {
            severity: 'high',
            object: { kind: 'ServiceAccount', namespace: KANIKO.namespace, name: KANIKO.name },
            data: { namespaces: kaniko.map((o) => namespaceOf(o, render)).join(', ') },
            evidence: [...renderedEvidence(kaniko[0]!, render, 'metadata.namespace', namespaceOf(kaniko[0]!, render)), ...(ctx.values ? [ctx.values.evidence('serviceAccount.namespaces')] : [])],
            remediation: {
              summary: 'Add default to serviceAccount.namespaces so the chart renders kaniko (with its role annotation) where the builds run.',
              values: `serviceAccount:\n  namespaces:\n    - default\n`,
              docs: DOCS,
            },
          }),
        );
      }
    }

    for (const o of sas) {
      for (const path of o.duplicateKeys ?? []) {
        const m = /^metadata\.annotations\.(.+)$/.exec(path);
        if (!m) continue;
        findings.push(
          fail('duplicateAnnotation', {
            severity: 'high',
            object: { kind: 'ServiceAccount', namespace: namespaceOf(o, render) ?? '', name: o.object.metadata.name },
            data: { namespace: namespaceOf(o, render), name: o.object.metadata.name, key: m[1], template: o.template },
            evidence: [...renderedEvidence(o, render, path, o.object.metadata.annotations?.[m[1]!]), ...annotationValuesEvidence(ctx, m[1]!)],
            remediation: {
              summary: `Remove ${m[1]} from the values annotations: the chart already adds it (from azure.client_id / gcp.iam_service_account).`,
              docs: DOCS,
            },
          }),
        );
      }
    }
    if (findings.some((f) => f.status === 'fail')) return findings;
    return [
      ...findings,
      pass('ok', {
        data: {
          count: sas.length,
          list: sas.map((o) => describeSa(o, render)).join('; '),
          existing: existing.length > 0 ? ` or exists in the cluster (${existing.join(', ')})` : '',
        },
        evidence: sas.flatMap((o) => renderedEvidence(o, render)).slice(0, 20),
      }),
    ];
  },
});

function describeSa(o: RenderedObject, render: RenderedChart): string {
  const keys = Object.keys(o.object.metadata.annotations ?? {}).filter((k) => !k.startsWith('helm.sh/'));
  return `${namespaceOf(o, render)}/${o.object.metadata.name}${keys.length > 0 ? ` [${keys.join(', ')}]` : ''}${o.hooks.length > 0 ? ' (hook)' : ''}`;
}

function annotationValuesEvidence(ctx: CheckContext, key: string) {
  if (!ctx.values) return [];
  return ['serviceAccount.annotations', 'serviceTemplate.serviceAccountAnnotations']
    .map((m) => [...m.split('.'), key])
    .filter((p) => ctx.values!.get(p) !== undefined)
    .map((p) => ctx.values!.evidence(p));
}

