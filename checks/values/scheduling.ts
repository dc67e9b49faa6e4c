import { renderedChart } from '../chart/support/rendered.js';
import { defineCheck, fail, formatPath, get, pass, rec, warn, type Finding, type ValuesPort } from '../../src/engine/index.js';
import { ACCELERATOR_LABEL, closestGpuType, GPU_TYPES } from '../../src/model-engine/gpu.js';

/** The chart's default selector (chart values.yaml) that a user's `{}` does not remove (facts §1.1). */
export const DEFAULT_NODE_LABEL = { key: 'node-lifecycle', value: 'normal' } as const;

/**
 * PriorityClass names model-engine's code hardcodes (facts §6.4, §7) while the chart names them
 * `{fullname}-…` and skips them when `serviceIdentifier` is set (facts §1.3).
 */
export const PRIORITY_CLASSES = [
  { name: 'model-engine-default-priority', value: 1, usedBy: 'every endpoint pod' },
  { name: 'model-engine-high-priority', value: 100000, usedBy: 'the gateway and high-priority endpoint pods' },
  { name: 'model-engine-low-priority', value: 0, usedBy: 'balloon pods' },
] as const;

export const CHART_FULLNAME = 'model-engine';

/** model-engine's `GpuType` values (facts §7; the list lives in src/model-engine/gpu.ts), used verbatim as the accelerator label. */
const GPU_TYPE_NAMES: readonly string[] = GPU_TYPES.map((t) => t.type);

/**
 * `balloons[].acceleratorName` and image-cache accelerator selectors that are not a GpuType. This check owns a bad
 * type name in the values (offline, with file:line); gpu/accelerator-labels reports only types no values key names.
 */
export function unknownGpuTypes(values: ValuesPort): { path: string; value: string; suggestion?: string }[] {
  const out: { path: string; value: string; suggestion?: string }[] = [];
  const check = (v: unknown, path: string) => {
    if (typeof v !== 'string' || v === 'cpu' || GPU_TYPE_NAMES.includes(v)) return;
    const suggestion = closestGpuType(v);
    out.push({ path, value: v, ...(suggestion ? { suggestion } : {}) });
  };
  const balloons = values.get('balloons');
  if (Array.isArray(balloons)) balloons.forEach((b, i) => check(get(b, 'acceleratorName'), `balloons[${i}].acceleratorName`));
  const devices = values.get('imageCache.devices');
  if (Array.isArray(devices)) {
    devices.forEach((d, i) => {
      const sel = rec(d, 'nodeSelector');
      if (sel) check(get(sel, ACCELERATOR_LABEL), formatPath(['imageCache', 'devices', String(i), 'nodeSelector', ACCELERATOR_LABEL]));
    });
  }
  return out;
}

/** The chart's `modelEngine.fullname` for a `fullnameOverride` (truncated to 40 characters, no trailing dash). */
export function chartFullname(override: unknown): string {
  if (override === undefined || override === null || override === '') return CHART_FULLNAME;
  return String(override).slice(0, 40).replace(/-+$/, '');
}

export type SelectorState =
  | { state: 'default' }
  | { state: 'cleared' }
  | { state: 'empty-map' }
  | { state: 'user'; keepsDefault: boolean; userKeys: string[] };

/** How the user's values shaped a selector the chart defaults to `{node-lifecycle: normal}`. */
export function selectorState(values: ValuesPort, path: string): SelectorState {
  const merged = values.get(path);
  if (merged === undefined || merged === null) return { state: 'cleared' };
  if (!values.isUserSet(path)) return { state: 'default' };
  const keys = typeof merged === 'object' && !Array.isArray(merged) ? Object.keys(merged) : [];
  const userKeys = keys.filter((k) => values.isUserSet([path, k]));
  if (userKeys.length === 0) return { state: 'empty-map' };
  return { state: 'user', keepsDefault: keys.includes(DEFAULT_NODE_LABEL.key) && !userKeys.includes(DEFAULT_NODE_LABEL.key), userKeys };
}

const ref = (path: string) => ({ kind: 'HelmValues', name: path });
const DOCS = 'docs/checks/values/scheduling.md';

const SELECTORS = [
  { path: 'nodeSelector', pods: 'every control-plane pod (gateway, endpoint builder, cacher, hook jobs) and every endpoint pod, CPU and GPU' },
  { path: 'balloonNodeSelector', pods: 'every balloon (warm-node placeholder) pod' },
] as const;

function checkSelectors(values: ValuesPort): Finding[] {
  const label = `${DEFAULT_NODE_LABEL.key}=${DEFAULT_NODE_LABEL.value}`;
  return SELECTORS.map(({ path, pods }): Finding => {
    const s = selectorState(values, path);
    const data = { path, pods, label };
    const evidence = [values.evidence(path), values.evidence([path, DEFAULT_NODE_LABEL.key])];
    switch (s.state) {
      case 'cleared':
        return pass('selectorCleared', { data, object: ref(path), evidence: [values.evidence(path)] });
      case 'default':
        return pass('selectorDefault', { data, object: ref(path), evidence });
      case 'user':
        return pass(s.keepsDefault ? 'selectorMerged' : 'selectorUser', { data: { ...data, keys: s.userKeys }, object: ref(path), evidence });
      case 'empty-map':
        return warn('emptyMapKeepsDefault', {
          severity: 'medium',
          data,
          object: ref(path),
          evidence,
          remediation: {
            summary: `Write ${path}: null to drop the chart's ${label} selector, or label the nodes those pods should run on.`,
            values: `${path}: null   # removes the chart default ${label}; {} does not\n`,
            commands: [`kubectl get nodes -l ${label}`, `kubectl label nodes <node> ${label}`],
            docs: DOCS,
          },
        });
    }
  });
}

function checkNames(values: ValuesPort): Finding[] {
  const out: Finding[] = [];
  const create = PRIORITY_CLASSES.map(
    (p) => `kubectl create priorityclass ${p.name} --value=${p.value}${p.value === 1 ? ' --preemption-policy=Never' : ''} --description="model-engine"`,
  );
  const names = PRIORITY_CLASSES.map((p) => p.name);
  const override = values.get('fullnameOverride');
  const fullname = chartFullname(override);
  if (fullname !== CHART_FULLNAME) {
    out.push(
      fail('fullnameOverride', {
        data: { value: String(override), fullname, names, chartNames: PRIORITY_CLASSES.map((p) => `${fullname}${p.name.slice(CHART_FULLNAME.length)}`) },
        object: ref('fullnameOverride'),
        evidence: [values.evidence('fullnameOverride')],
        remediation: {
          summary: 'Remove fullnameOverride (install under another release name or namespace instead), or create the model-engine-*-priority PriorityClasses yourself.',
          values: 'fullnameOverride: null   # or delete the line\n',
          commands: create,
          docs: DOCS,
        },
      }),
    );
  }
  const sid = values.get('serviceIdentifier');
  if (sid !== undefined && sid !== null && sid !== '') {
    out.push(
      fail('serviceIdentifier', {
        data: { value: String(sid), names },
        object: ref('serviceIdentifier'),
        evidence: [values.evidence('serviceIdentifier')],
        remediation: {
          summary:
            'Remove serviceIdentifier unless another model-engine release without it already runs in this cluster (it provides the PriorityClasses); otherwise create them yourself.',
          values: 'serviceIdentifier: null   # or delete the line\n',
          commands: ['kubectl get priorityclass ' + names.join(' '), ...create],
          docs: DOCS,
        },
      }),
    );
  }
  if (out.length === 0) out.push(pass('namesOk', { data: { names }, object: ref('fullnameOverride'), evidence: [values.evidence('fullnameOverride'), values.evidence('serviceIdentifier')] }));
  return out;
}

export default defineCheck({
  meta: {
    id: 'values/scheduling',
    title: 'Scheduling values',
    description: "Node selectors do what the user meant under helm's merge, and the chart's names match the PriorityClasses model-engine's code uses.",
    clouds: 'all',
    severity: 'high',
    needs: ['values'],
    uses: ['chart'],
    messages: {
      selectorDefault: '{{path}} is the chart default {{label}}: {{pods}} schedule only on nodes labelled {{label}}',
      selectorCleared: '{{path}} is null, which removes the chart default {{label}}',
      selectorUser: '{{path}} sets {{keys}} explicitly for {{pods}}',
      selectorMerged: '{{path}} adds {{keys}} and keeps the chart default {{label}} (helm merges maps): {{pods}} need nodes with all of them',
      emptyMapKeepsDefault:
        '{{path}}: {} does not clear the chart default {{label}} (helm deep-merges maps; only null removes it): {{pods}} will only schedule on nodes labelled {{label}}',
      fullnameOverride:
        'fullnameOverride = "{{value}}" makes the chart create PriorityClasses {{chartNames}}, but model-engine hardcodes {{names}}: the gateway and endpoint pods are rejected ("no PriorityClass with name … was found")',
      serviceIdentifier:
        'serviceIdentifier = "{{value}}" makes the chart skip the PriorityClasses, but the gateway and endpoint pods still use {{names}}: they are rejected unless those already exist',
      namesOk: 'The chart creates the PriorityClasses model-engine uses ({{names}})',
      unknownGpuType:
        '{{path}} = "{{value}}" is not a GPU type model-engine knows ({{types}}): endpoints request nodes labelled with a GpuType, so nodes selected by this name are never used by endpoints{{hint}}',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    const gpu = unknownGpuTypes(values).map((u) =>
      warn('unknownGpuType', {
        severity: 'medium',
        data: { path: u.path, value: u.value, types: [...GPU_TYPE_NAMES], hint: u.suggestion ? ` (did you mean ${u.suggestion}?)` : '' },
        object: ref(u.path),
        evidence: [values.evidence(u.path)],
        remediation: {
          summary: u.suggestion ? `Use ${u.suggestion} (model-engine's name) in ${u.path}, and label the nodes with it.` : `Use one of model-engine's GPU types in ${u.path}.`,
          ...(u.suggestion ? { commands: [`kubectl label nodes <node> ${ACCELERATOR_LABEL}=${u.suggestion} --overwrite`] } : {}),
          docs: DOCS,
        },
      }),
    );
    // With a rendered chart, chart/scheduling reads the PriorityClasses helm renders and the names the pods use.
    const rendered = await renderedChart(ctx);
    return [...checkSelectors(values), ...(rendered ? [] : checkNames(values)), ...gpu];
  },
});
