/** Wait `ms`, or reject with `reason()` as soon as `signal` aborts (the timer is cleared, so nothing is left pending). */
export function sleep(ms: number, signal: AbortSignal, reason: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(reason());
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(reason());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
