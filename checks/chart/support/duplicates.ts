/**
 * Objects a chart renders more than once (same kind, namespace and name). helm does not refuse them: it sends both,
 * and the cluster keeps what arrives last — for hooks the later in hook order (each hook is created after the one
 * before, and by default a hook first deletes an object of the same name: `before-hook-creation`), for the
 * release's plain objects whichever of the concurrent requests the API server handles last (helm v4 sends the plain
 * objects of one kind at once: `pkg/kube/client.go` `batchPerform`), a plain object after any pre-install hook.
 * Identical copies are harmless; copies that differ leave one of the two contents in the cluster, silently.
 */
import { warn, type Evidence, type Finding, type ValuesPort } from '../../../src/engine/index.js';
import { creationSequence, type Operation, type Step } from './install-order.js';
import type { PlacedManifest } from './hook-order.js';

/** A manifest with the content to compare (the rendered object, or the model's view of it). */
export interface ComparableManifest extends PlacedManifest {
  content: unknown;
}

export interface Difference {
  /** Field path, e.g. `metadata.annotations["eks.amazonaws.com/role-arn"]`, `automountServiceAccountToken`. */
  path: string;
  /** The value in each copy, in the order of `DuplicateGroup.objects` (undefined: not set there). */
  values: unknown[];
}

export interface DuplicateGroup<T extends ComparableManifest> {
  kind: string;
  namespace?: string;
  name: string;
  /** The copies, in manifest order. */
  objects: T[];
  differences: Difference[];
  /** The copy the cluster keeps after an install, and whether helm guarantees it (false: concurrent requests). */
  kept?: { object: T; certain: boolean; step: Step<T> };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const seg = (k: string) => (/^[A-Za-z_][\w]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);

/** Leaf paths where the contents differ (a key set in one and not the other counts). */
export function differences(contents: readonly unknown[], path = ''): Difference[] {
  const maps = contents.filter(isRecord);
  if (maps.length === contents.length) {
    const keys = [...new Set(maps.flatMap((c) => Object.keys(c)))].sort();
    return keys.flatMap((k) => differences(maps.map((c) => c[k]), `${path}${seg(k)}`));
  }
  const first = JSON.stringify(contents[0] ?? null);
  if (contents.every((c) => JSON.stringify(c ?? null) === first)) return [];
  return [{ path: path.replace(/^\./, ''), values: [...contents] }];
}

/** Groups of copies of one object; `differences` empty when the copies are identical. */
export function duplicateGroups<T extends ComparableManifest>(objects: readonly T[], operation: Operation = 'install'): DuplicateGroup<T>[] {
  const groups = new Map<string, T[]>();
  for (const o of objects) {
    const key = `${o.kind}\u0000${o.namespace ?? ''}\u0000${o.name}`;
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  const seq = creationSequence(objects, operation);
  const out: DuplicateGroup<T>[] = [];
  for (const copies of groups.values()) {
    if (copies.length < 2) continue;
    const first = copies[0]!;
    const steps = seq.filter((s) => copies.includes(s.object));
    const last = steps[steps.length - 1];
    // Plain objects of one kind go to the API server concurrently: the last of them in manifest order is only the
    // likely winner when another copy is plain too.
    const certain = last ? last.stage !== 'resources' || steps.filter((s) => s.stage === 'resources').length < 2 : false;
    out.push({
      kind: first.kind,
      ...(first.namespace !== undefined ? { namespace: first.namespace } : {}),
      name: first.name,
      objects: copies,
      differences: differences(copies.map((c) => c.content)),
      ...(last ? { kept: { object: last.object, certain, step: last } } : {}),
    });
  }
  return out;
}

/** A value for a message: `"arn:…"`, `true`, `(not set)`. */
export function shown(v: unknown): string {
  return v === undefined || v === null ? '(not set)' : JSON.stringify(v);
}

const IDENTITY_ANNOTATION = /^metadata\.annotations\["(?!helm\.sh\/)[^"]+"\]$/;

/** The messages chart/duplicate-objects and values/duplicate-objects share. */
export const DUPLICATE_MESSAGES = {
  differing:
    '{{kind}} {{namespace}}/{{name}} is rendered {{times}}, by {{copies}}, with different {{fields}}: helm applies every copy and the cluster keeps {{kept}}',
} as const;

/** The copies of the chart's service account in the endpoint namespace: the control plane's and the endpoints'. */
function isServiceAccountClash(templates: readonly string[]): boolean {
  return templates.includes('templates/service_account.yaml') && templates.includes('templates/service_account_inference.yaml');
}

/**
 * The warning for one group of differing copies. `describe` names a copy (its template, and what in the values made
 * it), `evidence` is the caller's (rendered objects, or values keys).
 */
export function duplicateFinding<T extends ComparableManifest>(
  g: DuplicateGroup<T>,
  describe: (copy: T) => string,
  evidence: Evidence[],
  docs: string,
  values?: ValuesPort,
): Finding {
  const fields = g.differences
    .slice(0, 4)
    .map((d) => `${d.path} (${d.values.map(shown).join(' vs ')})`)
    .join(', ');
  const more = g.differences.length > 4 ? ` and ${g.differences.length - 4} more` : '';
  const kept = g.kept
    ? `the copy of ${g.kept.object.template}${g.kept.certain ? ' (helm applies it last)' : ' — most likely: helm sends plain objects of one kind at once, so it is whichever request the API server handles last'}`
    : 'neither (helm creates neither on install)';
  const clash = g.kind === 'ServiceAccount' && isServiceAccountClash(g.objects.map((o) => o.template));
  const ns = g.namespace ?? '';
  const listed = values?.get('serviceAccount.namespaces');
  const rest = (Array.isArray(listed) ? listed.map(String) : []).filter((n) => n !== ns);
  return warn('differing', {
    severity: g.differences.some((d) => IDENTITY_ANNOTATION.test(d.path)) ? 'high' : 'low',
    object: { kind: g.kind, name: g.name, ...(g.namespace !== undefined ? { namespace: g.namespace } : {}) },
    data: {
      kind: g.kind,
      namespace: ns,
      name: g.name,
      times: g.objects.length === 2 ? 'twice' : `${g.objects.length} times`,
      copies: g.objects.map(describe).join(' and by '),
      fields: `${fields}${more}`,
      kept,
    },
    evidence,
    remediation: clash
      ? {
          summary: `Render it once: take ${ns} out of serviceAccount.namespaces (the endpoints there run as serviceTemplate.serviceAccountName, which serviceTemplate.createServiceAccount already creates with its own annotations), or give the endpoints an account of their own name.`,
          values: `serviceAccount:\n  namespaces:${rest.length > 0 ? `\n${rest.map((n) => `    - ${n}`).join('\n')}` : ' []'}   # ${ns} left out\n# or:\nserviceTemplate:\n  serviceAccountName: ${g.name}-inference\n`,
          docs,
        }
      : { summary: `Change the values so the chart renders ${g.kind} ${ns}/${g.name} once (or both copies alike).`, docs },
  });
}
