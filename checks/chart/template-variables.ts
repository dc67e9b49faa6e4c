import {
  defineCheck,
  fail,
  ifForbidden,
  pass,
  skip,
  strMap,
  warn,
  type CheckContext,
  type ConfigMap,
  type Deployment,
  type Evidence,
  type Finding,
  type ObjectRef,
  type Pod,
  type Check,
} from '../../src/engine/index.js';
import type { AncestryAnswer, CommitsPort } from '../../src/engine/ports/commits.js';
import { isChartPort } from '../../src/engine/ports/chart.js';
import { refFromTag } from '../values/support/tag-ref.js';
import { namespaceOf, renderedEvidence, TEMPLATE_CONFIG_MAP } from './support/rendered.js';
import { BASELINE_VARIABLES, CHART_0_2_7_VARIABLES, INTRODUCED_VARIABLES, KNOWN_TAGS, templateVariables, type VariableIntroduction } from './support/template-variables.js';

const DOCS = 'docs/checks/chart/template-variables.md';
const BUILDER = 'model-engine-endpoint-builder';

interface Source {
  variables: string[];
  /** Where the variables were read: the rendered chart, the installed ConfigMap, or the doctor's model. */
  from: 'chart' | 'cluster' | 'model';
  evidence: Evidence[];
  object?: ObjectRef;
}

/** The variables the endpoint templates use: rendered chart > installed ConfigMap > the model of chart 0.2.7. */
async function variablesSource(ctx: CheckContext<never, 'chart'>): Promise<Source | Finding> {
  const port = ctx.ports.chart;
  if (isChartPort(port)) {
    const r = await port.render(ctx.signal);
    if (r.ok) {
      const cm = r.objects.find((o) => o.object.kind === 'ConfigMap' && o.object.metadata.name.endsWith('-service-template-config'));
      if (!cm) return skip('noTemplates', { data: { where: `the rendered chart ${r.chart.name} ${r.chart.version}` } });
      const data = strMap(cm.object, 'data');
      const ns = namespaceOf(cm, r);
      return {
        variables: templateVariables(Object.values(data).join('\n')),
        from: 'chart',
        evidence: renderedEvidence(cm, r, 'data', `${Object.keys(data).length} templates`),
        object: { kind: 'ConfigMap', name: cm.object.metadata.name, ...(ns ? { namespace: ns } : {}) },
      };
    }
  }
  if (ctx.kube) {
    const ns = ctx.namespaces.controlPlane;
    const cm = await ifForbidden(() => ctx.kube!.get<ConfigMap>('configmaps', TEMPLATE_CONFIG_MAP, ns), () => undefined);
    if (cm?.data) {
      const object = { kind: 'ConfigMap', namespace: ns, name: TEMPLATE_CONFIG_MAP };
      return { variables: templateVariables(Object.values(cm.data).join('\n')), from: 'cluster', evidence: [{ type: 'object', object, detail: 'the installed endpoint templates' }], object };
    }
  }
  return {
    variables: [...CHART_0_2_7_VARIABLES],
    from: 'model',
    evidence: [{ type: 'note', text: 'no chart rendered and no installed ConfigMap read: assuming chart 0.2.7 (pass --chart PATH to read your chart)' }],
  };
}

/** The image tag: values `tag`, else the gateway's image tag (live). */
async function imageTag(ctx: CheckContext): Promise<{ tag: string; evidence: Evidence } | undefined> {
  const v = ctx.values?.get('tag');
  if (v !== undefined && v !== null && v !== '') return { tag: String(v), evidence: ctx.values!.evidence('tag') };
  if (!ctx.kube) return undefined;
  const ns = ctx.namespaces.controlPlane;
  const gw = await ifForbidden(() => ctx.kube!.get<Deployment>('deployments.apps', 'model-engine', ns), () => undefined);
  const image = gw?.spec.template.spec.containers.find((c) => c.name === 'model-engine')?.image ?? gw?.spec.template.spec.containers[0]?.image;
  const tag = image?.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : undefined;
  if (!gw || !tag || tag.includes('/')) return undefined;
  return { tag, evidence: { type: 'field', object: { kind: 'Deployment', namespace: ns, name: 'model-engine' }, path: 'spec.template.spec.containers[0].image', value: image } };
}

function isCommitsPort(x: unknown): x is CommitsPort {
  return typeof x === 'object' && x !== null && typeof (x as CommitsPort).isAncestor === 'function';
}

/** The builder log lines that show the skew already happened (KeyError for the variable). */
async function builderEvidence(ctx: CheckContext, names: readonly string[]): Promise<Evidence[]> {
  if (!ctx.kube) return [];
  const ns = ctx.namespaces.controlPlane;
  const pods = await ifForbidden(() => ctx.kube!.list<Pod>('pods', { namespace: ns, labelSelector: `app=${BUILDER}` }), () => [] as Pod[]);
  const out: Evidence[] = [];
  for (const pod of pods.slice(0, 2)) {
    const log = await ifForbidden(() => ctx.kube!.logs(ns, pod.metadata.name, BUILDER, { tailLines: 2000 }), () => undefined);
    const lines = (log ?? '').split('\n');
    lines.forEach((line, i) => {
      if (out.length < 3 && names.some((n) => line.includes(`KeyError: '${n}'`) || line.includes(`\${${n}}`))) {
        out.push({ type: 'log', namespace: ns, pod: pod.metadata.name, container: BUILDER, line: line.trim(), lineNumber: i + 1 });
      }
    });
  }
  return out;
}

/**
 * The check, for a table of variable introductions (tests substitute commits of a repository they create) and of
 * known tags.
 */
export function makeTemplateVariablesCheck(
  introducedVariables: readonly VariableIntroduction[] = INTRODUCED_VARIABLES,
  knownTags: typeof KNOWN_TAGS = KNOWN_TAGS,
): Check {
  return defineCheck({
    meta: {
      id: 'chart/template-variables',
      title: 'The image supplies every variable of the endpoint templates',
      description:
        'Every ${VARIABLE} of the endpoint templates (rendered chart, installed ConfigMap, or chart 0.2.7) is supplied by the model-engine image tag: newer variables need an image at or after the commit that introduced them.',
      clouds: 'all',
      cloudAgnostic: true,
      severity: 'critical',
      needs: [],
      uses: ['chart', 'commits'],
      scopes: ['preflight', 'triage'],
      timeoutMs: 60_000,
      messages: {
        supplied: 'Image tag {{tag}} supplies every variable the endpoint templates use ({{count}}, read from {{from}}); decided by {{via}}',
        notSupplied:
          'Image tag {{tag}} cannot fill {{vars}} that the endpoint templates ({{from}}) use: the builder {{older}}, so every endpoint build ends UPDATE_FAILED',
        unverified: 'Cannot tell whether image tag {{tag}} supplies {{vars}} used by the endpoint templates ({{from}}): {{detail}}',
        unknownVariables: 'The endpoint templates ({{from}}) use {{vars}}, which the doctor does not know: it cannot tell whether image tag {{tag}} supplies them',
        noTag: 'No image tag is known (no values tag, no gateway Deployment): nothing to compare the templates with',
        noCommit: 'Image tag {{tag}} names no commit, so nothing shows whether it supplies {{vars}} (introduced by {{prs}})',
        noTemplates: 'No endpoint templates in {{where}}',
      },
    },
    async run(ctx) {
      const src = await variablesSource(ctx);
      if ('messageId' in src) return src;
      const from = src.from === 'chart' ? 'rendered chart' : src.from === 'cluster' ? `ConfigMap ${ctx.namespaces.controlPlane}/${TEMPLATE_CONFIG_MAP}` : 'chart 0.2.7, assumed';
      const t = await imageTag(ctx);
      if (!t) return skip('noTag');
      const introduced = introducedVariables.filter((v) => src.variables.includes(v.name));
      const unknown = src.variables.filter((v) => !BASELINE_VARIABLES.includes(v) && !introducedVariables.some((i) => i.name === v));
      const object = src.object ?? { kind: 'HelmValues', name: 'tag' };
      const findings: Finding[] = [];
      const listVars = (vs: readonly VariableIntroduction[]) => vs.map((v) => `\${${v.name}} (${v.pr}, ${v.commit})`).join(' and ');
      const verify = (vs: readonly VariableIntroduction[], ref: string) =>
        vs.map((v) => `git -C <llm-engine clone> merge-base --is-ancestor ${v.commit} ${ref} && echo "${v.name}: supplied" || echo "${v.name}: NOT supplied"`);

      if (unknown.length > 0) {
        findings.push(
          warn('unknownVariables', {
            severity: 'medium',
            object,
            data: { from, vars: unknown.map((v) => `\${${v}}`).join(', '), tag: t.tag },
            evidence: [...src.evidence, t.evidence],
            remediation: {
              summary: `Check that the model-engine code at ${t.tag} sets these in the builder's template substitution (k8s_resource_types.py), or use the chart version of the same commit as the image.`,
              commands: unknown.map((v) => `git -C <llm-engine clone> grep -n '${v}' ${t.tag} -- model-engine/model_engine_server`),
              docs: DOCS,
            },
          }),
        );
      }
      if (introduced.length === 0) {
        return findings.length > 0 ? findings : pass('supplied', { object, data: { tag: t.tag, count: src.variables.length, from, via: 'the templates use no variable newer than the images' }, evidence: [...src.evidence, t.evidence] });
      }
      const tagRef = refFromTag(t.tag);
      const known = knownTags[t.tag];
      if (!tagRef && !known) {
        findings.push(
          warn('noCommit', {
            object,
            data: { tag: t.tag, vars: listVars(introduced), prs: introduced.map((v) => v.pr).join(', ') },
            evidence: [...src.evidence, t.evidence],
            remediation: { summary: 'Pin tag to the 40-character llm-engine commit the image was built from, at or after the commits above.', values: 'tag: <40-character llm-engine commit SHA>\n', docs: DOCS },
          }),
        );
        return findings;
      }
      const port = ctx.ports.commits;
      const missing: VariableIntroduction[] = [];
      const unverified: { v: VariableIntroduction; answer: AncestryAnswer }[] = [];
      const vias = new Set<string>();
      const answers: Evidence[] = [];
      for (const v of introduced) {
        let answer: AncestryAnswer = { answer: 'unknown', via: 'none', detail: 'no commits lookup in this run' };
        if (tagRef && isCommitsPort(port)) {
          ctx.progress(`checking whether ${tagRef.ref} contains ${v.commit} (${v.pr})`);
          answer = await port.isAncestor(v.commit, tagRef.ref, ctx.signal);
        }
        if (answer.answer === 'unknown' && known) answer = { answer: known.supplies.includes(v.name) ? 'yes' : 'no', via: 'the doctor\'s table of known tags', detail: known.note };
        answers.push({ type: 'probe', target: answer.via, detail: `${v.commit} (${v.pr}, \${${v.name}}) in ${t.tag}: ${answer.detail ?? answer.answer}` });
        if (answer.answer === 'yes') vias.add(answer.via);
        else if (answer.answer === 'no') {
          vias.add(answer.via);
          missing.push(v);
        } else unverified.push({ v, answer });
      }
      if (missing.length > 0) {
        findings.push(
          fail('notSupplied', {
            object,
            data: { tag: t.tag, vars: listVars(missing), from, older: missing.map((m) => m.older).join('; ') },
            evidence: [...src.evidence, t.evidence, ...answers, ...(await builderEvidence(ctx, missing.map((m) => m.name)))],
            remediation: {
              summary: `Use an image built at or after ${missing.map((m) => `${m.commit} (${m.pr})`).join(' and ')} (mirror it and set tag), or install the chart version of the image's own commit (charts/model-engine at ${t.tag}).`,
              values: 'tag: <40-character llm-engine commit SHA at or after the commits above>\n',
              commands: ['git -C <llm-engine clone> log -1 --format=%H origin/main', ...verify(missing, '<new tag>')],
              docs: DOCS,
            },
          }),
        );
      }
      if (unverified.length > 0) {
        findings.push(
          warn('unverified', {
            severity: 'high',
            object,
            data: { tag: t.tag, vars: listVars(unverified.map((u) => u.v)), from, detail: unverified[0]!.answer.detail ?? 'no source could answer' },
            evidence: [...src.evidence, t.evidence, ...answers],
            remediation: {
              summary: 'Check by hand, or rerun with --llm-engine-repo <clone of scaleapi/llm-engine> (or with access to api.github.com).',
              commands: verify(unverified.map((u) => u.v), tagRef?.ref ?? t.tag),
              docs: DOCS,
            },
          }),
        );
      }
      if (findings.length > 0) return findings;
      return pass('supplied', { object, data: { tag: t.tag, count: src.variables.length, from, via: [...vias].join(', ') }, evidence: [...src.evidence, t.evidence, ...answers] });
    },
  });
}

export default makeTemplateVariablesCheck();
