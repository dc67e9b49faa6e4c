/**
 * Split `helm template` output into objects, each with the template that rendered it (helm writes
 * `# Source: <chart>/templates/<file>` above every document) and its hook annotations.
 */
import { isMap, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';
import type { KubeObject } from '../../engine/types.js';
import { helmHook, type RenderedObject } from '../../engine/ports/chart.js';

const SOURCE = /^# Source: (.+)$/m;

/** `model-engine/templates/x.yaml` → `templates/x.yaml` (subcharts keep `charts/<sub>/templates/…`). */
export function templatePath(source: string): string {
  const i = source.indexOf('/');
  return i >= 0 ? source.slice(i + 1) : source;
}

/** The hook phases and weight as helm reads them (`helmHook`); an unknown phase makes helm skip the object. */
function hookInfo(o: KubeObject): { hooks: string[]; hookWeight: number; skippedHook?: true } {
  const a = o.metadata?.annotations ?? {};
  const h = helmHook(a);
  const hooks = String(a['helm.sh/hook'] ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  return { hooks, hookWeight: h.weight, ...(h.unknown ? { skippedHook: true as const } : {}) };
}

/** Keys written twice in one map of a rendered document (e.g. an annotation the chart adds and the values repeat). */
export function duplicateKeyPaths(root: unknown): string[] {
  const out: string[] = [];
  const walk = (n: unknown, path: string) => {
    if (isMap(n)) {
      const seen = new Set<string>();
      for (const pair of n.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const p = path ? `${path}.${k}` : k;
        if (seen.has(k)) out.push(p);
        seen.add(k);
        walk(pair.value, p);
      }
    } else if (isSeq(n)) n.items.forEach((item, i) => walk(item as Node, `${path}[${i}]`));
  };
  walk(root, '');
  return out;
}

/** Parse a rendered manifest. Documents that are not Kubernetes objects (empty, comments only) are dropped. */
export function parseRenderedManifest(text: string): RenderedObject[] {
  const out: RenderedObject[] = [];
  // helm separates documents with a line "---"; each starts with its "# Source:" comment.
  const chunks = text.split(/^---[ \t]*$/m);
  for (const chunk of chunks) {
    const source = SOURCE.exec(chunk)?.[1]?.trim();
    for (const doc of parseAllDocuments(chunk, { uniqueKeys: false })) {
      if (doc.errors.length > 0) throw new Error(`helm rendered invalid YAML${source ? ` in ${source}` : ''}: ${doc.errors[0]!.message.split('\n')[0]}`);
      const js: unknown = doc.toJS({ maxAliasCount: 100 });
      if (!js || typeof js !== 'object' || Array.isArray(js)) continue;
      const o = js as KubeObject;
      if (typeof o.kind !== 'string' || !o.metadata || typeof o.metadata !== 'object') continue;
      // `name: ` with nothing after it (a values key left unset) is null in YAML and "" to Go, which is what helm sends.
      if (typeof o.metadata.name !== 'string') o.metadata.name = o.metadata.name === null || o.metadata.name === undefined ? '' : String(o.metadata.name);
      const dups = duplicateKeyPaths(doc.contents);
      out.push({ object: o, template: source ? templatePath(source) : '(unknown template)', ...hookInfo(o), ...(dups.length > 0 ? { duplicateKeys: dups } : {}) });
    }
  }
  return out;
}
