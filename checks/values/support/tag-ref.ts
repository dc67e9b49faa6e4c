/** The llm-engine commit a model-engine image tag names (shared by the checks that ask "does this image contain commit X?"). */

export type TagRef = { ref: string; kind: 'sha' | 'short-sha' | 'harbor' | 'name' };

/**
 * The git ref an image tag names: a 40-character commit SHA (the public convention), the short SHA at the end of
 * a Harbor-style `x.y.z-YYYYMMDD-<shortsha>` tag, a bare short SHA, or a tag/branch name. Undefined for tags that
 * name no commit (`latest`, empty).
 */
export function refFromTag(tag: unknown): TagRef | undefined {
  if (tag === undefined || tag === null) return undefined;
  const t = String(tag).trim();
  if (t === '' || t === 'latest' || !/^[\w][\w.-]{0,127}$/.test(t)) return undefined;
  const full = /(?:^|[^0-9a-f])([0-9a-f]{40})(?:$|[^0-9a-f])/.exec(t);
  if (full) return { ref: full[1]!, kind: 'sha' };
  const harbor = /^v?\d+\.\d+\.\d+-\d{8}-([0-9a-f]{7,39})$/.exec(t);
  if (harbor) return { ref: harbor[1]!, kind: 'harbor' };
  if (/^[0-9a-f]{7,39}$/.test(t) && /[a-f]/.test(t)) return { ref: t, kind: 'short-sha' };
  return { ref: t, kind: 'name' };
}
