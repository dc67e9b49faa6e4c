/**
 * What the endpoint builder's log says about one endpoint. Celery logs the task id on "received" and on the outcome,
 * and model-engine logs the endpoint id in between, so the id ties a task to its outcome.
 */
import { str } from '../engine/safe.js';
import { oneLine } from './format.js';

export interface BuildLog {
  state: 'succeeded' | 'failed' | 'in-progress';
  lines: { line: string; lineNumber: number }[];
}

/** The outcome of the last build task that mentions one of `idOrName`, with the lines that show it. */
export function buildOutcome(log: string, idOrName: readonly string[]): BuildLog | undefined {
  const lines = log.split(/\r?\n/);
  const mentions = lines.map((l, i) => (idOrName.some((k) => k && new RegExp(`(^|[^\\w-])${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^\\w-]|$)`).test(l)) ? i : -1)).filter((i) => i >= 0);
  if (mentions.length === 0) return undefined;
  const at = mentions[mentions.length - 1]!;
  let task: string | undefined;
  for (let i = at; i >= 0 && !task; i--) task = /build_endpoint\[([0-9a-f-]{36})\] received/.exec(lines[i]!)?.[1];
  const picked = (i: number) => ({ line: lines[i]!.trim(), lineNumber: i + 1 });
  if (task) {
    for (let i = at; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.includes(`[${task}] succeeded`)) return { state: 'succeeded', lines: [picked(at), picked(i)] };
      if (l.includes(`[${task}] raised`) || l.includes(`[${task}] failed`) || (l.includes(`[${task}]`) && /\bERROR\b/.test(l))) {
        const errs: number[] = [];
        for (let j = at + 1; j <= i; j++) if (/"level":"ERROR"|\bERROR\b|Traceback/.test(lines[j]!)) errs.push(j);
        return { state: 'failed', lines: [picked(at), ...errs.map(picked)] };
      }
    }
    return { state: 'in-progress', lines: [picked(at)] };
  }
  const after = lines.slice(at + 1, at + 30).findIndex((l) => /"level":"ERROR"|Traceback|Failed endpoint build/.test(l));
  return after >= 0 ? { state: 'failed', lines: [picked(at), picked(at + 1 + after)] } : { state: 'in-progress', lines: [picked(at)] };
}

/**
 * One readable line for a builder error record: its message, the exception line of its traceback, and the
 * Kubernetes API's own message when the exception carries a Status body (ApiException).
 */
export function errorGist(line: string): string {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    return oneLine(line);
  }
  const exc = str(rec, 'exc_info') ?? '';
  const excLine = exc.split('\n').find((l) => /^[\w.]+(?:Error|Exception)\b/.test(l));
  const k8s = /"message":"((?:[^"\\]|\\.)*)"/.exec(exc)?.[1]?.replace(/\\"/g, '"');
  // A body that is not a Status (the API server's plain `404 page not found` for an API group it does not serve):
  // keep it, and the builder function that made the call, which names the kind.
  const plain = k8s ? undefined : /^HTTP response body: (.{1,120})$/m.exec(exc)?.[1]?.trim();
  const frame = plain ? [...exc.matchAll(/, in (_create_\w+)/g)].at(-1)?.[1] : undefined;
  return oneLine([str(rec, 'message'), excLine?.replace(/^[\w.]+\.(\w+)/, '$1'), k8s ?? plain].filter(Boolean).join(': ') + (frame ? ` (in ${frame})` : ''));
}

export type BuildErrorKind =
  /** A Kubernetes API the builder creates objects of is not installed (KEDA, Istio, VPA, LeaderWorkerSet). */
  | 'missing-crd'
  /** A template file the builder reads was not rendered by the chart (#826: istio_enabled vs virtualservice/destinationrule). */
  | 'template-missing'
  /** A `${VAR}` in the chart's templates that the image does not supply: chart and image from different commits (facts §10.2). */
  | 'template-variable'
  /** The API server rejected an object (ApiException 4xx). */
  | 'api-rejected'
  | 'other';

/** Variables of the endpoint templates, with the model-engine commit that started supplying each (facts §10.2). */
export const TEMPLATE_VARIABLE_COMMITS: Readonly<Record<string, string>> = {
  FORWARDER_MAX_CONCURRENCY: '1dd7db53 (#836)',
  DD_ENV: 'a8236961 (#849)',
};

/** The kind a `k8s_endpoint_resource_delegate` `_create_*` function creates, by its name. */
const CRD_OF_BUILDER_FUNCTION: readonly [RegExp, string][] = [
  [/scaled_object/, 'ScaledObject'],
  [/trigger_auth/, 'TriggerAuthentication'],
  [/vpa|vertical_pod_autoscaler/, 'VerticalPodAutoscaler'],
  [/virtual_service/, 'VirtualService'],
  [/destination_rule/, 'DestinationRule'],
  [/service_entry/, 'ServiceEntry'],
  [/lws|leader_worker_set/, 'LeaderWorkerSet'],
];

/** What a builder error line says went wrong, and the name it names (a CRD kind, a file, a variable, a status). */
export function classifyBuildError(text: string): { kind: BuildErrorKind; name?: string } {
  const crd = /no matches for kind "(\w+)"/.exec(text) ?? /\/(scaledobjects|virtualservices|destinationrules|verticalpodautoscalers|leaderworkersets|serviceentries)\b[^\n]*(?:404|Not Found|could not find the requested resource)/i.exec(text);
  if (crd || /the server could not find the requested resource/i.test(text)) return { kind: 'missing-crd', ...(crd ? { name: crd[1]! } : {}) };
  // kubernetes_asyncio's ApiException carries neither URL nor kind: a 404 with the server's plain-text body is an
  // API group it does not serve; the builder function in the traceback (`_create_keda_scaled_object`) names the kind.
  if (/ApiException: \(404\)[^\n]*404 page not found/.test(text)) {
    const fn = /\bin _create_(\w+)/.exec(text)?.[1] ?? '';
    const kind = CRD_OF_BUILDER_FUNCTION.find(([re]) => re.test(fn))?.[1];
    return { kind: 'missing-crd', ...(kind ? { name: kind } : {}) };
  }
  const file = /FileNotFoundError[^\n]*?['"]([^'"]*\.ya?ml)['"]/.exec(text) ?? /FileNotFoundError[^\n]*?([\w./-]+\.ya?ml)/.exec(text);
  if (file) return { kind: 'template-missing', name: file[1]!.split('/').pop()! };
  const variable = /KeyError: '([A-Z][A-Z0-9_]*)'/.exec(text);
  if (variable) return { kind: 'template-variable', name: variable[1]! };
  const api = /ApiException: \((4\d\d)\)/.exec(text);
  if (api) return { kind: 'api-rejected', name: api[1]! };
  return { kind: 'other' };
}
