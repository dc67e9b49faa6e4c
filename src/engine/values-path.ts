/**
 * Values key paths. Users see full dotted paths (`config.values.infra.cloud_provider`); keys that contain
 * dots or slashes are bracketed (`serviceAccount.annotations["eks.amazonaws.com/role-arn"]`).
 */
export function parsePath(path: string | readonly string[]): string[] {
  if (typeof path !== 'string') return [...path];
  const out: string[] = [];
  const re = /\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]|([^.[\]]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path)) !== null) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!));
  return out;
}

export function formatPath(path: string | readonly string[]): string {
  const parts = typeof path === 'string' ? parsePath(path) : path;
  return parts
    .map((p, i) => (/^[A-Za-z_][\w-]*$/.test(p) ? (i === 0 ? p : `.${p}`) : /^\d+$/.test(p) ? `[${p}]` : `["${p.replace(/"/g, '\\"')}"]`))
    .join('');
}

export function getPath(obj: unknown, path: string | readonly string[]): unknown {
  let cur: unknown = obj;
  for (const p of parsePath(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}
