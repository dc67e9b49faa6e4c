import {
  ForbiddenError,
  defineCheck,
  fail,
  pass,
  skip,
  warn,
  type CheckContext,
  type ConfigMap,
  type Evidence,
  type Finding,
  type Severity,
} from '../../src/engine/index.js';
// model-engine's required fields and renames, shared with values/service-config (which checks the values they are
// rendered from; this check reads the rendered ConfigMap, as the service will).
import {
  parseConfigYaml,
  SERVICE_CONFIG_KEYS,
  serviceConfigProblems,
  valuesPathOf,
  type ConfigSection,
  type ServiceConfigProblem,
} from '../../src/model-engine/model-engine-config.js';

const DOCS = 'docs/checks/control-plane/config-maps.md';
export const SERVICE_CONFIG = 'model-engine-service-config';

/** Where a ConfigMap must live: the helm release namespace or `config.values.launch.endpoint_namespace`. */
type Where = 'controlPlane' | 'endpoint';

/** The ConfigMaps model-engine reads by name (facts §1.2, §1.3, §6.6), what reads them, and how bad a gap is. */
export const EXPECTED_CONFIG_MAPS: readonly { name: string; where: Where; role: string; severity: Severity; missing: 'fail' | 'warn' }[] = [
  {
    name: SERVICE_CONFIG,
    where: 'controlPlane',
    role: 'the launch and infra config the gateway, builder and cacher mount; without it their pods stay in ContainerCreating',
    severity: 'critical',
    missing: 'fail',
  },
  {
    name: SERVICE_CONFIG,
    where: 'endpoint',
    role: 'the infra config every endpoint pod mounts; without it endpoint pods stay in ContainerCreating (FailedMount)',
    severity: 'critical',
    missing: 'fail',
  },
  {
    name: 'model-engine-service-template-config',
    where: 'controlPlane',
    role: 'the Kubernetes templates the builder renders for every endpoint; the control-plane pods mount it',
    severity: 'critical',
    missing: 'fail',
  },
  {
    name: 'model-engine-inference-framework-latest-config',
    where: 'controlPlane',
    role: 'the default image tag per LLM framework; LLM endpoints created without a tag fail without it',
    severity: 'high',
    missing: 'fail',
  },
  {
    name: 'model-engine-recommended-hardware-config',
    where: 'controlPlane',
    role: 'the hardware the gateway picks when an LLM endpoint request names none (rendered only when recommendedHardware is set)',
    severity: 'medium',
    missing: 'warn',
  },
];

export type Section = ConfigSection;
// The parsing itself is shared with chart/service-config (the rendered ConfigMap, before install).
export { parseConfigYaml, serviceConfigProblems, type ServiceConfigProblem };
const KEY: Record<Section, string> = { launch: SERVICE_CONFIG_KEYS.launch, infra: SERVICE_CONFIG_KEYS.infra };

/** A values snippet that sets the given fields under config.values.<section>. */
export function fieldsSnippet(section: Section, fields: readonly string[], value: (f: string) => string = () => '<value>'): string {
  const nested = fields.filter((f) => valuesPathOf(section, f).startsWith('config.values.'));
  const top = fields.filter((f) => !valuesPathOf(section, f).startsWith('config.') && !valuesPathOf(section, f).startsWith('the '));
  const lines: string[] = top.map((f) => `${valuesPathOf(section, f)}: ${value(f)}`);
  if (nested.length > 0) lines.push('config:', '  values:', `    ${section}:`, ...nested.map((f) => `      ${f}: ${value(f)}`));
  return lines.join('\n');
}

const upgrade = (ns: string) => [`helm -n ${ns} get values model-engine > values.yaml`, `helm -n ${ns} upgrade model-engine <chart> -f values.yaml   # re-renders the ConfigMap (pre-upgrade hook)`];

function problemFinding(p: ServiceConfigProblem, ns: string, cpNs: string, ctx: CheckContext, keys: readonly string[]): Finding {
  const object = { kind: 'ConfigMap', namespace: ns, name: SERVICE_CONFIG };
  const field = (path: string, value: unknown): Evidence => ({ type: 'field', object, path, value });
  const who = ns === cpNs ? 'the gateway, builder and cacher crash at start' : 'endpoint forwarders fail to load the infra config';
  switch (p.kind) {
    case 'missingKey':
      return fail('missingKey', {
        object,
        data: { namespace: ns, name: SERVICE_CONFIG, key: p.key, who },
        evidence: [field(`data.${p.key}`, undefined), { type: 'note', text: `keys present: ${keys.length > 0 ? keys.join(', ') : 'none'}` }],
        remediation: {
          summary: `Re-render the ConfigMap with helm; the chart always writes both ${KEY.launch} and ${KEY.infra} when config.values is set.`,
          commands: upgrade(cpNs),
          docs: DOCS,
        },
      });
    case 'unparseable':
      return fail('unparseable', {
        object,
        data: { namespace: ns, name: SERVICE_CONFIG, key: p.key, error: p.error, who },
        evidence: [field(`data.${p.key}`, p.error)],
        remediation: {
          summary: `Fix the YAML in ${p.key} (usually a hand edit) by re-rendering it from your values with helm.`,
          commands: [`kubectl -n ${ns} get configmap ${SERVICE_CONFIG} -o jsonpath='{.data.${p.key}}'`, ...upgrade(cpNs)],
          docs: DOCS,
        },
      });
    case 'renamedKey': {
      const oldPath = `config.values.${p.section}.${p.oldKey}`;
      const values = ctx.values?.isUserSet(oldPath) ? [ctx.values.evidence(oldPath)] : [];
      return fail('renamedKey', {
        object,
        data: { namespace: ns, name: SERVICE_CONFIG, key: p.key, field: p.field, oldKey: p.oldKey, who },
        evidence: [field(`data.${p.key}.${p.oldKey}`, p.value), field(`data.${p.key}.${p.field}`, undefined), ...values],
        remediation: {
          summary: `Rename config.values.${p.section}.${p.oldKey} to ${p.field} in your values and upgrade; model-engine drops the old key and then misses a required field.`,
          values: fieldsSnippet(p.section, [p.field], () => (typeof p.value === 'string' ? p.value : '<scheme>://<bucket>/llm-ft-job-repository')),
          commands: upgrade(cpNs),
          docs: DOCS,
        },
      });
    }
    case 'missingFields':
      return fail('missingFields', {
        object,
        data: { namespace: ns, name: SERVICE_CONFIG, key: p.key, fields: p.fields, count: p.fields.length, who },
        evidence: [
          field(`data.${p.key}`, `missing: ${p.fields.join(', ')}`),
          ...p.fields.map((f): Evidence => ({ type: 'note', text: `${p.section}.${f} comes from ${valuesPathOf(p.section, f)}` })).slice(0, 5),
        ],
        remediation: {
          summary: `Set the missing ${p.section} fields in your values and upgrade; model-engine has no default for them.`,
          values: fieldsSnippet(p.section, p.fields),
          commands: upgrade(cpNs),
          docs: DOCS,
        },
      });
  }
}

function missingFinding(e: (typeof EXPECTED_CONFIG_MAPS)[number], ns: string, cpNs: string): Finding {
  const object = { kind: 'ConfigMap', namespace: ns, name: e.name };
  const data = { namespace: ns, name: e.name, role: e.role };
  const evidence: Evidence[] = [{ type: 'note', text: `no ConfigMap ${e.name} in namespace ${ns}` }];
  let summary = `Upgrade the helm release so it renders ${e.name} in namespace ${ns}.`;
  let commands = upgrade(cpNs);
  if (e.name === 'model-engine-inference-framework-latest-config') {
    // A pre-install-only hook: `helm upgrade` never renders it again.
    summary = `Recreate ${e.name} by hand: the chart renders it only at install (pre-install hook), so helm upgrade will not.`;
    commands = [
      `kubectl -n ${ns} create configmap ${e.name} --from-literal=vllm=latest --from-literal=text_generation_inference=latest --from-literal=deepspeed=latest --from-literal=lightllm=latest --from-literal=tensorrt_llm=latest --from-literal=vllm_batch=0.17.1-batch --from-literal=vllm_batch_v2=0.17.1-batch`,
      `kubectl -n ${ns} label configmap ${e.name} product=common team=infra`,
    ];
  } else if (e.name === 'model-engine-recommended-hardware-config') {
    summary = 'Set recommendedHardware (byGpuMemoryGb, byModelName) in your values and upgrade, or always pass hardware when creating LLM endpoints.';
  } else if (e.where === 'endpoint') {
    summary = `Upgrade the release: the chart renders ${e.name} into config.values.launch.endpoint_namespace (${ns}) as a pre-upgrade hook; the namespace must exist first.`;
    commands = [`kubectl get namespace ${ns}`, ...upgrade(cpNs)];
  }
  const remediation = {
    summary,
    commands,
    ...(e.name === 'model-engine-recommended-hardware-config'
      ? { values: 'recommendedHardware:\n  byGpuMemoryGb:\n    - gpu_memory_le: 24\n      cpus: 6\n      gpus: 1\n      memory: 24Gi\n      storage: 80Gi\n      gpu_type: nvidia-ampere-a10\n  byModelName: []' }
      : {}),
    docs: DOCS,
  };
  return e.missing === 'warn'
    ? warn('missing', { object, data, severity: e.severity, evidence, remediation })
    : fail('missing', { object, data, severity: e.severity, evidence, remediation });
}

export default defineCheck({
  meta: {
    id: 'control-plane/config-maps',
    title: 'model-engine ConfigMaps present and valid',
    description:
      'The ConfigMaps model-engine reads exist in the namespaces it reads them from, and the service config parses with every required launch/infra field.',
    clouds: 'all',
    severity: 'critical',
    needs: ['kube'],
    scopes: ['triage', 'endpoint'],
    messages: {
      present: 'ConfigMap {{namespace}}/{{name}} exists',
      valid: 'ConfigMap {{namespace}}/{{name}} has a launch and infra config with every required field',
      missing: 'ConfigMap {{name}} does not exist in namespace {{namespace}}: it holds {{role}}',
      missingKey: 'ConfigMap {{namespace}}/{{name}} has no key {{key}}: {{who}}',
      unparseable: 'ConfigMap {{namespace}}/{{name}} key {{key}} is not valid YAML ({{error}}): {{who}}',
      renamedKey:
        'ConfigMap {{namespace}}/{{name}} sets {{oldKey}} but not {{field}} in {{key}}: model-engine renamed the field and drops the old key, so {{who}} with TypeError (missing {{field}})',
      missingFields: 'ConfigMap {{namespace}}/{{name}} lacks {{count}} required field(s) in {{key}} ({{fields}}): {{who}} with TypeError',
      outOfSync:
        'ConfigMap {{name}} differs between namespaces {{controlPlane}} and {{endpoint}}: the chart renders both copies from the same values, so one was edited by hand or belongs to another release',
      forbidden: 'cannot list ConfigMaps in namespace {{namespace}} (RBAC): {{names}} not checked',
    },
  },
  async run(ctx) {
    const kube = ctx.kube!;
    const { controlPlane, endpoint } = ctx.namespaces;
    const nsOf = (w: Where) => (w === 'controlPlane' ? controlPlane : endpoint);
    const namespaces = [...new Set([controlPlane, endpoint])];
    // One list per namespace; a namespace we may not read skips its ConfigMaps, not the whole check.
    const listed = new Map<string, ConfigMap[] | ForbiddenError>();
    await Promise.all(
      namespaces.map(async (ns) => {
        try {
          listed.set(ns, await kube.list<ConfigMap>('configmaps', { namespace: ns }));
        } catch (e) {
          if (e instanceof ForbiddenError) listed.set(ns, e);
          else throw e;
        }
      }),
    );

    const out: Finding[] = [];
    const seen = new Set<string>();
    const serviceData = new Map<string, Readonly<Record<string, string>>>();
    for (const e of EXPECTED_CONFIG_MAPS) {
      const ns = nsOf(e.where);
      if (seen.has(`${ns}/${e.name}`)) continue;
      seen.add(`${ns}/${e.name}`);
      const cms = listed.get(ns)!;
      if (cms instanceof ForbiddenError) continue;
      const cm = cms.find((c) => c.metadata.name === e.name);
      const object = { kind: 'ConfigMap', namespace: ns, name: e.name };
      if (!cm) {
        out.push(missingFinding(e, ns, controlPlane));
        continue;
      }
      if (e.name !== SERVICE_CONFIG) {
        out.push(pass('present', { object, data: { namespace: ns, name: e.name } }));
        continue;
      }
      const problems = serviceConfigProblems(cm.data);
      if (problems.length === 0) {
        serviceData.set(ns, cm.data ?? {});
        out.push(pass('valid', { object, data: { namespace: ns, name: e.name } }));
      } else {
        out.push(...problems.map((p) => problemFinding(p, ns, controlPlane, ctx, Object.keys(cm.data ?? {}).sort())));
      }
    }

    for (const [ns, result] of listed) {
      if (!(result instanceof ForbiddenError)) continue;
      const names = [...new Set(EXPECTED_CONFIG_MAPS.filter((e) => nsOf(e.where) === ns).map((e) => e.name))];
      out.push(
        skip('forbidden', {
          object: { kind: 'Namespace', name: ns },
          data: { namespace: ns, names },
          evidence: [{ type: 'note', text: result.message }],
        }),
      );
    }

    const a = serviceData.get(controlPlane);
    const b = serviceData.get(endpoint);
    if (controlPlane !== endpoint && a && b && (a.launch_service_config !== b.launch_service_config || a.infra_service_config !== b.infra_service_config)) {
      const differing = (['launch_service_config', 'infra_service_config'] as const).filter((k) => a[k] !== b[k]);
      out.push(
        warn('outOfSync', {
          severity: 'medium',
          object: { kind: 'ConfigMap', namespace: endpoint, name: SERVICE_CONFIG },
          data: { name: SERVICE_CONFIG, controlPlane, endpoint },
          evidence: differing.map((k): Evidence => ({ type: 'note', text: `data.${k} differs from ${controlPlane}/${SERVICE_CONFIG}` })),
          remediation: {
            summary: 'Re-render both copies from your values with helm upgrade; do not edit them by hand.',
            commands: [
              `diff <(kubectl -n ${controlPlane} get configmap ${SERVICE_CONFIG} -o yaml) <(kubectl -n ${endpoint} get configmap ${SERVICE_CONFIG} -o yaml)`,
              ...upgrade(controlPlane),
            ],
            docs: DOCS,
          },
        }),
      );
    }
    return out;
  },
});
