import { defineCheck, fail, pass, warn, type Evidence, type Finding, type ObjectRef } from '../../src/engine/index.js';
import {
  annotationVerdict,
  podFederation,
  readIdentityState,
  rolesText,
  valuesSnippet,
  KANIKO,
  roleSeverity,
  type SubjectState,
} from '../../src/model-engine/identity.js';

/** The values paths that render this subject's annotation, in the chart's precedence. */
function valuesPaths(s: SubjectState, values: { controlPlane: readonly (readonly string[])[]; inference: readonly (readonly string[])[]; imageBuilder?: readonly (readonly string[])[] }) {
  const role = s.roles[0]!;
  return role === 'control-plane' ? values.controlPlane : role === 'inference' ? values.inference : (values.imageBuilder ?? []);
}

/**
 * When the chart renders the account twice with different identities (`IdentitySubject.alsoExpected`) and the
 * cluster holds one of them: which it kept, and which values key lost.
 */
export function doubleRender(s: SubjectState, live: string | undefined): Record<string, string> | undefined {
  const a = s.expected;
  const b = s.alsoExpected;
  if (!a || !b || live === undefined) return undefined;
  const same = (x: string) => x.trim().toLowerCase() === live.trim().toLowerCase();
  if (!same(a.value) && !same(b.value)) return undefined;
  return { first: a.value, firstPath: a.path, second: b.value, secondPath: b.path, value: live, lostPath: same(a.value) ? b.path : a.path };
}

export default defineCheck({
  meta: {
    id: 'identity/service-account-annotations',
    title: 'Service accounts carry the workload identity annotation',
    description:
      'The model-engine, kaniko and inference service accounts exist and carry a well-formed workload identity annotation (IRSA role ARN, Azure client id, GCP service account) that matches the values.',
    clouds: ['aws', 'azure', 'gcp'],
    severity: 'critical',
    needs: ['kube'],
    messages: {
      ok: '{{roles}} service account {{namespace}}/{{name}} has {{key}}: {{value}}',
      podIdentity: '{{roles}} service account {{namespace}}/{{name}} has no {{key}}, but its pods get credentials from EKS Pod Identity',
      missingSa: '{{roles}} service account {{namespace}}/{{name}} does not exist',
      missing: '{{roles}} service account {{namespace}}/{{name}} has no {{key}} annotation, so its pods get no {{identity}} credentials',
      malformed: '{{roles}} service account {{namespace}}/{{name}} has {{key}}: "{{value}}", which is not well formed (expected like {{example}})',
      mismatch: '{{roles}} service account {{namespace}}/{{name}} has {{key}}: {{value}}, but the values ({{path}}) say {{expected}}',
      renderedTwiceDiffering:
        '{{roles}} service account {{namespace}}/{{name}} is rendered twice by the chart, with {{key}} {{first}} ({{firstPath}}) and {{second}} ({{secondPath}}); the cluster kept {{value}}, so {{lostPath}} has no effect in {{namespace}}',
      renderedTwice:
        'Both serviceAccount.annotations["{{key}}"] and azure.client_id are set: the chart already adds the annotation from azure.client_id, so it renders the key twice',
    },
  },
  async run(ctx) {
    const state = await readIdentityState(ctx);
    // The runner runs this check only on aws, azure and gcp (meta.clouds) with a cluster (meta.needs), where the
    // cloud profile always has a workload identity model: no state is a bug, reported as the check's error.
    if (!state) throw new Error(`no workload identity model for cloud ${ctx.cloud ?? 'unknown'}`);
    const { identity, key, profile } = state;
    const out: Finding[] = [];
    for (const s of state.subjects) {
      const object: ObjectRef = { kind: 'ServiceAccount', namespace: s.namespace, name: s.name };
      const data = { roles: rolesText(s.roles), namespace: s.namespace, name: s.name, key, identity: profile.workloadIdentity };
      const severity = roleSeverity(s.roles);
      const v = annotationVerdict(s.sa, key, identity.annotationPattern, s.expected);
      const paths = valuesPaths(s, identity.values);
      const example = s.expected?.value ?? identity.annotationExample;
      const snippet = paths[0] ? valuesSnippet(paths[0], example) : undefined;
      const annotate = `kubectl -n ${s.namespace} annotate serviceaccount ${s.name} ${key}=${s.expected?.value ?? `<${identity.annotationExample}>`} --overwrite`;
      // Kaniko runs as one-off build pods: the next build picks the identity up, nothing to restart.
      const restart = s.roles.includes('control-plane')
        ? [`kubectl -n ${s.namespace} rollout restart deployment -l product=model-engine`]
        : s.roles.includes('inference')
          ? [`kubectl -n ${s.namespace} rollout restart deployment -l endpoint_id`]
          : [];
      const saEvidence: Evidence[] = s.sa ? [{ type: 'field', object, path: `metadata.annotations["${key}"]`, value: s.sa.metadata.annotations?.[key] ?? null }] : [];
      const twice = s.sa ? doubleRender(s, s.sa.metadata.annotations?.[key]) : undefined;
      if (twice) {
        out.push(
          warn('renderedTwiceDiffering', {
            severity: 'high',
            object,
            data: { ...data, ...twice },
            evidence: [...saEvidence, ...(ctx.values ? [ctx.values.evidence(s.expected!.path), ctx.values.evidence(s.alsoExpected!.path), ctx.values.evidence('serviceAccount.namespaces')] : [])],
            remediation: {
              summary: `Render it once: take ${s.namespace} out of serviceAccount.namespaces (the endpoints run as serviceTemplate.serviceAccountName, which the chart creates there with its own annotations), or give the endpoints an account of their own name; then upgrade and restart the pods.`,
              values: `serviceTemplate:\n  serviceAccountName: ${s.name}-inference   # or leave ${s.namespace} out of serviceAccount.namespaces`,
              commands: restart,
            },
          }),
        );
        continue;
      }
      switch (v.state) {
        case 'ok':
          out.push(pass('ok', { data: { ...data, value: v.value }, object }));
          break;
        case 'missing-sa': {
          const how =
            s.roles[0] === 'image-builder'
              ? `Kaniko builds run in namespace ${KANIKO.namespace}: add "${KANIKO.namespace}" to serviceAccount.namespaces (with imageBuilderServiceAccount.create: true) and upgrade, or create and annotate the service account there.`
              : s.roles[0] === 'inference'
                ? 'The chart creates the inference service account only when serviceTemplate.createServiceAccount is true and serviceTemplate.serviceAccountAnnotations is non-empty: set both and upgrade.'
                : 'Upgrade the helm release so it creates the service account (it is a pre-install/pre-upgrade hook), or pass -n with the release namespace.';
          out.push(
            fail('missingSa', {
              data,
              object,
              severity,
              evidence: [{ type: 'note', text: `no ServiceAccount ${s.name} in namespace ${s.namespace}` }],
              remediation: {
                summary: how,
                commands: [`kubectl -n ${s.namespace} get serviceaccounts`],
                ...(s.roles[0] === 'inference'
                  ? { values: `serviceTemplate:\n  createServiceAccount: true\n  serviceAccountName: ${s.name}\n  serviceAccountAnnotations:\n    ${JSON.stringify(key)}: ${JSON.stringify(example)}` }
                  : s.roles[0] === 'image-builder'
                    ? { values: `imageBuilderServiceAccount:\n  create: true\nserviceAccount:\n  namespaces: [${KANIKO.namespace}]` }
                    : {}),
              },
            }),
          );
          break;
        }
        case 'missing': {
          // EKS Pod Identity needs no annotation: the association lives in EKS, and the pods show it.
          if (profile.cloud === 'aws' && s.pods.length > 0 && s.pods.every((p) => podFederation(p, profile).state === 'pod-identity')) {
            out.push(pass('podIdentity', { data, object }));
            break;
          }
          const remediation = {
            summary: `Set the ${profile.workloadIdentity} identity in the values and upgrade (an annotation added by hand is lost on the next upgrade), then restart the pods so they pick it up.`,
            ...(snippet ? { values: snippet } : {}),
            commands: [annotate, ...restart],
          };
          // GKE can grant IAM to the Kubernetes service account itself (Workload Identity Federation for GKE,
          // principal://…/subject/ns/<ns>/sa/<sa>) with no annotation: worth a look, not a certain failure.
          out.push(
            profile.cloud === 'gcp'
              ? warn('missing', { data, object, severity: 'medium', evidence: [...saEvidence, { type: 'note', text: 'fine only if IAM is granted to the Kubernetes service account directly (principal://…/subject/ns/<ns>/sa/<sa>)' }], remediation })
              : fail('missing', { data, object, severity, evidence: saEvidence, remediation }),
          );
          break;
        }
        case 'malformed':
          out.push(
            fail('malformed', {
              data: { ...data, value: v.value, example: identity.annotationExample },
              object,
              severity,
              evidence: saEvidence,
              remediation: {
                summary: `Use a valid ${profile.workloadIdentity} identity (like ${identity.annotationExample}) in the values, upgrade, and restart the pods.`,
                ...(paths[0] ? { values: valuesSnippet(paths[0], identity.annotationExample) } : {}),
                commands: restart,
              },
            }),
          );
          break;
        case 'mismatch':
          out.push(
            fail('mismatch', {
              data: { ...data, value: v.value, expected: v.expected, path: v.path },
              object,
              severity,
              evidence: [...saEvidence, ...(ctx.values ? [ctx.values.evidence(v.path)] : [])],
              remediation: {
                summary: 'The cluster does not run what the values say: run helm upgrade with these values (or correct the values), then restart the pods so they pick up the identity.',
                commands: [`helm -n ${ctx.namespaces.controlPlane} get values model-engine`, ...restart],
              },
            }),
          );
          break;
      }
    }
    // Facts §9 #9: on Azure the chart adds the client-id annotation itself; a user copy renders the key twice.
    if (profile.cloud === 'azure' && ctx.values) {
      const userCopy = ctx.values.get(['serviceAccount', 'annotations', key]);
      const fromChart = ctx.values.get(['azure', 'client_id']);
      if (typeof userCopy === 'string' && userCopy !== '' && typeof fromChart === 'string' && fromChart !== '') {
        out.push(
          warn('renderedTwice', {
            data: { key },
            severity: 'low',
            evidence: [ctx.values.evidence(['serviceAccount', 'annotations', key]), ctx.values.evidence(['azure', 'client_id'])],
            remediation: {
              summary: `Remove serviceAccount.annotations["${key}"] from the values; azure.client_id is enough.`,
              values: `azure:\n  client_id: ${JSON.stringify(fromChart)}`,
            },
          }),
        );
      }
    }
    return out;
  },
});
