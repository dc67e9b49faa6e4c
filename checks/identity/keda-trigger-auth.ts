import { conformAs, defineCheck, fail, pass, refOf, skip, warn, type Finding, type KubeObject, type ObjectRef, type Pod } from '../../src/engine/index.js';
import { chartFullname, podFederation, type ServiceAccount } from '../../src/model-engine/identity.js';

/** The chart's TriggerAuthentication on Azure (facts §1.6). */
export const TRIGGER_AUTH_NAME = 'azure-workload-identity';
export const AZURE_WORKLOAD_PROVIDER = 'azure-workload';

export interface TriggerAuthentication extends KubeObject {
  spec?: { podIdentity?: { provider?: string; identityId?: string; identityTenantId?: string } };
}

export type TriggerAuthVerdict =
  | { state: 'ok'; identityId: string }
  | { state: 'missing' }
  | { state: 'wrong-provider'; provider: string }
  | { state: 'no-identity' }
  | { state: 'wrong-identity'; identityId: string; expected: string };

/** Judge the TriggerAuthentication against the identity model-engine's service account uses. */
export function judgeTriggerAuth(ta: TriggerAuthentication | undefined, expected: string | undefined): TriggerAuthVerdict {
  if (!ta) return { state: 'missing' };
  const pi = ta.spec?.podIdentity;
  const provider = pi?.provider ?? '(none)';
  if (provider !== AZURE_WORKLOAD_PROVIDER) return { state: 'wrong-provider', provider };
  const id = pi?.identityId?.trim();
  if (!id) return { state: 'no-identity' };
  if (expected && id.toLowerCase() !== expected.trim().toLowerCase()) return { state: 'wrong-identity', identityId: id, expected };
  return { state: 'ok', identityId: id };
}

export default defineCheck({
  meta: {
    id: 'identity/keda-trigger-auth',
    title: 'KEDA authenticates to Service Bus with workload identity',
    description:
      'On Azure the TriggerAuthentication azure-workload-identity in the endpoint namespace uses provider azure-workload with model-engine\'s client id, and the KEDA operator itself runs with workload identity.',
    clouds: ['azure'],
    severity: 'high',
    needs: ['kube'],
    messages: {
      ok: 'TriggerAuthentication {{namespace}}/{{name}} uses provider azure-workload with identity {{identityId}}',
      noKeda: 'KEDA is not installed (no keda.sh/v1alpha1 API in the cluster)',
      missing:
        'TriggerAuthentication {{namespace}}/{{name}} does not exist: KEDA cannot read Service Bus queue lengths, so endpoints that scale from zero never scale up',
      wrongProvider: 'TriggerAuthentication {{namespace}}/{{name}} uses podIdentity provider {{provider}}, not azure-workload',
      noIdentity: 'TriggerAuthentication {{namespace}}/{{name}} has no podIdentity.identityId, so KEDA uses its own identity instead of model-engine\'s',
      wrongIdentity: 'TriggerAuthentication {{namespace}}/{{name}} uses identity {{identityId}}, but model-engine uses {{expected}} ({{source}})',
      operatorOk: 'KEDA operator pod {{namespace}}/{{name}} runs with Azure workload identity',
      operatorNotFederated:
        'KEDA operator pod {{namespace}}/{{name}} has no Azure workload identity token, so the azure-workload provider cannot get tokens for Service Bus',
    },
  },
  async run(ctx) {
    const kube = ctx.kube!;
    if (!(await kube.hasResource('keda.sh/v1alpha1'))) return skip('noKeda');
    const ns = ctx.namespaces.endpoint;
    const object: ObjectRef = { kind: 'TriggerAuthentication', namespace: ns, name: TRIGGER_AUTH_NAME };
    const data = { namespace: ns, name: TRIGGER_AUTH_NAME };
    const [ta, sa, operators] = await Promise.all([
      kube.get<KubeObject>('triggerauthentications.keda.sh', TRIGGER_AUTH_NAME, ns).then((o) => o && conformAs<TriggerAuthentication>('TriggerAuthentication', o)),
      kube.get<ServiceAccount>('serviceaccounts', chartFullname(ctx.values), ctx.namespaces.controlPlane),
      kube.list<Pod>('pods', { labelSelector: 'app=keda-operator' }),
    ]);
    const fromValues = ctx.values?.get('azure.client_id');
    const fromSa = sa?.metadata.annotations?.[ctx.matrix?.serviceAccountAnnotation ?? 'azure.workload.identity/client-id'];
    const expected = typeof fromValues === 'string' && fromValues ? fromValues : fromSa;
    const source = typeof fromValues === 'string' && fromValues ? 'values azure.client_id' : `service account ${ctx.namespaces.controlPlane}/${chartFullname(ctx.values)}`;
    const snippet = `apiVersion: keda.sh/v1alpha1\nkind: TriggerAuthentication\nmetadata:\n  name: ${TRIGGER_AUTH_NAME}\n  namespace: ${ns}\nspec:\n  podIdentity:\n    provider: ${AZURE_WORKLOAD_PROVIDER}\n    identityId: ${expected ?? '<azure.client_id>'}`;
    const fix = {
      summary: 'The chart renders this TriggerAuthentication when the azure: values block is set: set azure.client_id and upgrade (or apply the object shown).',
      values: `azure:\n  client_id: ${expected ?? '<managed identity client id>'}`,
      commands: [`kubectl -n ${ns} get triggerauthentication ${TRIGGER_AUTH_NAME} -o yaml`, `cat <<'EOF' | kubectl apply -f -\n${snippet}\nEOF`],
    };
    const out: Finding[] = [];
    const v = judgeTriggerAuth(ta, expected);
    const evidence = ta ? [{ type: 'field' as const, object, path: 'spec.podIdentity', value: ta.spec?.podIdentity ?? null }] : [];
    switch (v.state) {
      case 'ok':
        out.push(pass('ok', { data: { ...data, identityId: v.identityId }, object }));
        break;
      case 'missing':
        out.push(fail('missing', { data, object, remediation: fix }));
        break;
      case 'wrong-provider':
        // `azure` (AAD pod identity) was removed from KEDA in 2.15; only azure-workload is supported now.
        out.push(fail('wrongProvider', { data: { ...data, provider: v.provider }, object, evidence, remediation: fix }));
        break;
      case 'no-identity':
        out.push(warn('noIdentity', { data, object, severity: 'medium', evidence, remediation: fix }));
        break;
      case 'wrong-identity':
        out.push(fail('wrongIdentity', { data: { ...data, identityId: v.identityId, expected: v.expected, source }, object, evidence, remediation: fix }));
        break;
    }
    if (ctx.matrix) {
      for (const p of operators.filter((x) => x.status?.phase === 'Running')) {
        const pdata = { namespace: p.metadata.namespace ?? '', name: p.metadata.name };
        const fed = podFederation(p, ctx.matrix).state === 'federated';
        if (fed) out.push(pass('operatorOk', { data: pdata, object: refOf(p, 'Pod') }));
        else
          out.push(
            fail('operatorNotFederated', {
              data: pdata,
              object: refOf(p, 'Pod'),
              evidence: [{ type: 'field', object: refOf(p, 'Pod'), path: 'metadata.labels["azure.workload.identity/use"]', value: p.metadata.labels?.['azure.workload.identity/use'] ?? null }],
              remediation: {
                summary:
                  'Run KEDA with workload identity: helm upgrade keda kedacore/keda --set podIdentity.azureWorkload.enabled=true --set podIdentity.azureWorkload.clientId=<client id> (the AKS KEDA add-on does this itself), and give the managed identity a federated credential for the keda-operator service account.',
                commands: [`kubectl -n ${pdata.namespace} get pod ${pdata.name} -o yaml`],
              },
            }),
          );
      }
    }
    return out;
  },
});
