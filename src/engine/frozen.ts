/**
 * Objects a run shares instead of copying (issue 16: lean memory). The Kubernetes ports hand every check the same
 * objects: each list is read (or loaded) once, deep-frozen, and every caller gets its own array of the shared,
 * read-only objects — no per-check copy of a 100,000-pod list. A check that tried to change one would throw
 * (ES modules are strict), which a check must never do anyway: the report depends on every check seeing the cluster
 * as it was read.
 */

/** Freeze `value` and everything reachable from it; returns it. Already-frozen parts are not walked again. */
export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || Object.isFrozen(v)) continue;
    Object.freeze(v);
    // Indexed and keyed walks that allocate nothing per object (a 100,000-pod list is frozen once per run).
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const child: unknown = v[i];
        if (typeof child === 'object' && child !== null && !Object.isFrozen(child)) stack.push(child);
      }
    } else {
      const rec = v as Record<string, unknown>;
      for (const k in rec) {
        if (!Object.hasOwn(rec, k)) continue;
        const child = rec[k];
        if (typeof child === 'object' && child !== null && !Object.isFrozen(child)) stack.push(child);
      }
    }
  }
  return value;
}

/** A caller's own array over shared, frozen objects (the array may be sorted or filtered; the objects not changed). */
export function sharedList<T>(objects: readonly T[]): T[] {
  return [...deepFreeze(objects as T[])];
}
