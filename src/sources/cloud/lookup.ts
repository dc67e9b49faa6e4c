/** What the identity-cloud sources share about asking a cloud API one question. */
import type { CloudAnswer } from '../../engine/ports/identity-cloud.js';

/**
 * Run one lookup. A cancelled run rethrows; any other failure (credential chain, network, an API error the cloud's
 * `classify` does not map) is "could not ask", never "does not exist".
 */
export async function guardLookup<T>(
  via: string,
  signal: AbortSignal,
  fn: () => Promise<CloudAnswer<T>>,
  classify?: (err: Error) => CloudAnswer<T> | undefined,
): Promise<CloudAnswer<T>> {
  try {
    return await fn();
  } catch (e) {
    if (signal.aborted) throw e;
    const err = e as Error;
    return classify?.(err) ?? { state: 'unavailable', via, detail: err.message.split('\n')[0] ?? String(e) };
  }
}
