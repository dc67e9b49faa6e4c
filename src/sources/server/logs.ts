/** `pods/log`: a container's log from the snapshot (`container`, `previous`, `tailLines`), with the real server's errors. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tailLines } from '../kube/snapshot-kube.js';
import type { Route, ServerContext } from './context.js';
import { details, HttpError } from './status.js';

/** The container a log request names, or the pod's only container; the real server's 400s otherwise. */
function containerOf(url: URL, podName: string, spec: { containers?: { name: string }[]; initContainers?: { name: string }[] }): string {
  const names = (spec.containers ?? []).map((c) => c.name);
  const initNames = (spec.initContainers ?? []).map((c) => c.name);
  let container = url.searchParams.get('container') ?? '';
  if (!container) {
    if (names.length !== 1) {
      const init = initNames.length ? ` or one of the init containers: [${initNames.join(' ')}]` : '';
      throw new HttpError(400, `a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]${init}`);
    }
    container = names[0]!;
  }
  if (!names.includes(container) && !initNames.includes(container)) {
    throw new HttpError(400, `container ${container} is not valid for pod ${podName}`);
  }
  return container;
}

export function podLog(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, url: URL, r: Route): void {
  const pod = ctx.store.find(r.info, r.namespace, r.name!);
  if (!pod) throw new HttpError(404, `pods "${r.name}" not found`, details(r.info, r.name));
  const container = containerOf(url, r.name!, (pod.spec ?? {}) as Parameters<typeof containerOf>[2]);
  const previous = ['true', '1'].includes(url.searchParams.get('previous') ?? '');
  const text = ctx.snapshot.logs.get(`${r.namespace}/${r.name}/${container}${previous ? '#previous' : ''}`);
  if (text === undefined) {
    if (previous) throw new HttpError(400, `previous terminated container "${container}" in pod "${r.name}" not found`);
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (phase === 'Pending') throw new HttpError(400, `container "${container}" in pod "${r.name}" is waiting to start: ContainerCreating`);
    throw new HttpError(404, `the snapshot has no log for container "${container}" in pod "${r.name}"`, details(r.info, r.name));
  }
  const tail = Number(url.searchParams.get('tailLines') ?? '');
  const wantsTail = Number.isInteger(tail) && tail >= 0 && url.searchParams.has('tailLines');
  return ctx.respond.text(req, res, 200, wantsTail ? (tail === 0 ? '' : tailLines(text, tail)) : text);
}
