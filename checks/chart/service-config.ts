import { defineCheck, fail, pass, strMap, warn, type CheckContext, type Evidence, type Finding } from '../../src/engine/index.js';
import type { RenderedChart, RenderedObject } from '../../src/engine/ports/chart.js';
import {
  parseConfigYaml,
  RENAMED_FIELDS,
  REQUIRED_FIELDS,
  SERVICE_CONFIG_KEYS,
  serviceConfigProblems,
  valuesPathOf,
  type ConfigSection,
  type ServiceConfigProblem,
} from '../../src/model-engine/model-engine-config.js';
import { isFinding, namespaceOf, refOf, RENDER_MESSAGES, renderedEvidence, renderedOrSkip, RENDERED_CHECK_META } from './support/rendered.js';

const DOCS = 'docs/checks/chart/service-config.md';

/** Fields model-engine reads as booleans (`if config.x:`), where a quoted "false" is true (facts §1.2, §2). */
export const BOOLEAN_FIELDS: Readonly<Record<ConfigSection, readonly string[]>> = {
  launch: ['istio_enabled', 'dd_trace_enabled', 'sensitive_log_mode'],
  infra: ['celery_broker_type_redis', 'celery_enable_sha256', 'debug_mode', 'db_engine_echo', 'db_engine_echo_pool'],
};

/** The rendered service ConfigMaps (release namespace first, then the endpoint namespace). */
export function serviceConfigMaps(render: RenderedChart): RenderedObject[] {
  return render.objects
    .filter((o) => o.object.kind === 'ConfigMap' && /-service-config$/.test(o.object.metadata.name))
    .sort((a, b) => Number(namespaceOf(b, render) === render.release.namespace) - Number(namespaceOf(a, render) === render.release.namespace));
}

/** Boolean fields rendered as strings: Python reads any non-empty string as true. */
export function quotedBooleans(data: Readonly<Record<string, string>>): { section: ConfigSection; field: string; value: string }[] {
  const out: { section: ConfigSection; field: string; value: string }[] = [];
  for (const section of ['launch', 'infra'] as const) {
    const text = data[SERVICE_CONFIG_KEYS[section]];
    if (text === undefined) continue;
    const parsed = parseConfigYaml(text);
    if (!parsed.ok) continue;
    for (const field of BOOLEAN_FIELDS[section]) {
      const v = parsed.value[field];
      if (typeof v === 'string') out.push({ section, field, value: v });
    }
  }
  return out;
}

const valuesEvidence = (ctx: CheckContext, section: ConfigSection, fields: readonly string[]): Evidence[] =>
  ctx.values ? fields.map((f) => valuesPathOf(section, f)).filter((p) => !p.startsWith('the ')).map((p) => ctx.values!.evidence(p)) : [];

function problemFinding(p: ServiceConfigProblem, cm: RenderedObject, render: RenderedChart, ctx: CheckContext, namespaces: string): Finding {
  const object = refOf(cm, render);
  const data = { name: cm.object.metadata.name, namespaces, key: p.key };
  switch (p.kind) {
    case 'missingKey':
      return fail('missingKey', {
        object,
        data,
        evidence: renderedEvidence(cm, render, `data.${p.key}`),
        remediation: { summary: `Set config.values.${p.section} (the chart writes ${p.key} from it).`, docs: DOCS },
      });
    case 'unparseable':
      return fail('unparseable', {
        object,
        data: { ...data, error: p.error },
        evidence: renderedEvidence(cm, render, `data.${p.key}`, p.error),
        remediation: { summary: `Fix the values under config.values.${p.section} that break the YAML (a multi-line string or a stray quote).`, docs: DOCS },
      });
    case 'renamedKey':
      return fail('renamedKey', {
        object,
        data: { ...data, field: p.field, oldKey: p.oldKey },
        evidence: [...renderedEvidence(cm, render, `data.${p.key}.${p.oldKey}`, p.value), ...valuesEvidence(ctx, p.section, [p.oldKey])],
        remediation: {
          summary: `Rename config.values.${p.section}.${p.oldKey} to ${p.field} (same value): model-engine drops the old key.`,
          values: `config:\n  values:\n    ${p.section}:\n      ${p.oldKey}: null   # renamed in #551\n      ${p.field}: ${typeof p.value === 'string' ? JSON.stringify(p.value) : '<value>'}\n`,
          docs: DOCS,
        },
      });
    case 'missingFields':
      return fail('missingFields', {
        object,
        data: { ...data, count: p.fields.length, fields: p.fields.join(', '), klass: p.section === 'launch' ? 'HostedModelInferenceServiceConfig' : 'InfraConfig' },
        evidence: [...renderedEvidence(cm, render, `data.${p.key}`, `missing: ${p.fields.join(', ')}`), ...valuesEvidence(ctx, p.section, p.fields).slice(0, 8)],
        remediation: {
          summary: `Set the missing fields under config.values.${p.section}; model-engine has no default for them.`,
          values: `config:\n  values:\n    ${p.section}:\n${p.fields.map((f) => `      ${f}: <value>`).join('\n')}\n`,
          docs: DOCS,
        },
      });
  }
}

export default defineCheck({
  meta: {
    id: 'chart/service-config',
    title: 'The rendered service config, as model-engine reads it',
    description:
      'The model-engine-service-config ConfigMap helm renders parses as model-engine parses it, has every required launch/infra field under its current name, and no boolean rendered as a string.',
    ...RENDERED_CHECK_META,
    severity: 'critical',
    messages: {
      ...RENDER_MESSAGES,
      ok: 'The rendered {{name}} ({{namespaces}}) has every field model-engine requires ({{launch}} launch, {{infra}} infra)',
      notRenderedConfig: 'The chart rendered no service ConfigMap: every control-plane pod mounts it and stays in ContainerCreating',
      missingKey: 'The rendered {{name}} ({{namespaces}}) has no {{key}}: the pods mount an empty config and crash at start',
      unparseable: 'The rendered {{name}} ({{namespaces}}): {{key}} is not YAML model-engine can load ({{error}})',
      renamedKey:
        'The rendered {{name}} ({{namespaces}}) has {{oldKey}} but not {{field}}: model-engine drops the old key (renamed in #551) and crashes at start with TypeError for the missing field',
      missingFields: 'The rendered {{name}} ({{namespaces}}) lacks {{count}} field(s) {{klass}} requires ({{fields}}): every control-plane pod crashes at start with TypeError',
      quotedBoolean:
        'The rendered {{name}} has {{section}}.{{field}} as the string "{{value}}": the chart quotes every non-boolean, and Python reads any non-empty string as true',
      staleKey: 'The rendered {{name}} has both {{oldKey}} and {{field}}; model-engine ignores {{oldKey}}',
      emptyFields:
        'The rendered {{name}} has {{section}} field(s) {{fields}} empty (a values null renders the key with no value): model-engine gets None and fails where it uses them',
    },
  },
  async run(ctx) {
    const render = await renderedOrSkip(ctx);
    if (isFinding(render)) return render;
    const cms = serviceConfigMaps(render);
    if (cms.length === 0) {
      return fail('notRenderedConfig', {
        evidence: [{ type: 'note', text: render.command }],
        remediation: { summary: 'Set config.values (launch and infra); the chart renders the ConfigMap from it.', docs: DOCS },
      });
    }
    const cm = cms[0]!;
    const namespaces = cms.map((c) => namespaceOf(c, render)).join(' and ');
    const data = strMap(cm.object, 'data');
    const findings: Finding[] = serviceConfigProblems(data).map((p) => problemFinding(p, cm, render, ctx, namespaces));
    for (const q of quotedBooleans(data)) {
      const meant = !/^(false|no|off|0)$/i.test(q.value.trim());
      findings.push(
        (meant ? warn : fail)('quotedBoolean', {
          severity: meant ? 'low' : 'high',
          object: refOf(cm, render),
          data: { name: cm.object.metadata.name, section: q.section, field: q.field, value: q.value },
          evidence: [...renderedEvidence(cm, render, `data.${SERVICE_CONFIG_KEYS[q.section]}.${q.field}`, q.value), ...valuesEvidence(ctx, q.section, [q.field])],
          remediation: {
            summary: `Write ${q.field} as a bare YAML boolean (${meant}) in the values.`,
            values: `config:\n  values:\n    ${q.section}:\n      ${q.field}: ${meant}\n`,
            docs: DOCS,
          },
        }),
      );
    }
    for (const section of ['launch', 'infra'] as const) {
      const parsed = data[SERVICE_CONFIG_KEYS[section]] !== undefined ? parseConfigYaml(data[SERVICE_CONFIG_KEYS[section]]!) : undefined;
      if (!parsed?.ok) continue;
      // A values null renders `key:` (helm keeps a nil without a chart default): present, but None to Python.
      const empty = REQUIRED_FIELDS[section].map((f) => f.name).filter((f) => f in parsed.value && parsed.value[f] === null);
      if (empty.length > 0) {
        findings.push(
          warn('emptyFields', {
            severity: 'high',
            object: refOf(cm, render),
            data: { name: cm.object.metadata.name, section, fields: empty.join(', ') },
            evidence: [...renderedEvidence(cm, render, `data.${SERVICE_CONFIG_KEYS[section]}`, `empty: ${empty.join(', ')}`), ...valuesEvidence(ctx, section, empty)],
            remediation: {
              summary: `Give ${empty.join(', ')} a value under config.values.${section} (a null there does not remove the key: it renders empty).`,
              values: `config:\n  values:\n    ${section}:\n${empty.map((f) => `      ${f}: <value>`).join('\n')}\n`,
              docs: DOCS,
            },
          }),
        );
      }
      for (const [field, oldKey] of Object.entries(RENAMED_FIELDS)) {
        if (field in parsed.value && oldKey in parsed.value) {
          findings.push(
            warn('staleKey', {
              severity: 'low',
              object: refOf(cm, render),
              data: { name: cm.object.metadata.name, field, oldKey },
              evidence: [...renderedEvidence(cm, render, `data.${SERVICE_CONFIG_KEYS[section]}.${oldKey}`), ...valuesEvidence(ctx, section, [oldKey])],
              remediation: { summary: `Delete config.values.${section}.${oldKey}.`, docs: DOCS },
            }),
          );
        }
      }
    }
    if (findings.length > 0) return findings;
    return pass('ok', {
      object: refOf(cm, render),
      data: { name: cm.object.metadata.name, namespaces, launch: REQUIRED_FIELDS.launch.length, infra: REQUIRED_FIELDS.infra.length },
      evidence: renderedEvidence(cm, render),
    });
  },
});
