/** Small text helpers shared by the endpoint doctor's view, causes and causal chain. */

/** `45s`, `24m`, `3h 05m`, `2d 4h`. */
export function formatAge(msAgo: number): string {
  if (!Number.isFinite(msAgo) || msAgo < 0) return '?';
  const s = Math.floor(msAgo / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Whitespace (newlines included) collapsed to single spaces. */
export const oneLine = (s: string | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim();

/** Long kubelet messages keep their head (what) and their tail (why): `Failed to pull image "x": … 403 Forbidden`. */
export const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, Math.floor(n * 0.55))} … ${s.slice(s.length - Math.floor(n * 0.4))}`);

/** Milliseconds since the epoch of an ISO time; NaN when absent. */
export const ms = (iso: string | undefined): number => (iso ? Date.parse(iso) : NaN);
