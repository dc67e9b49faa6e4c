/** `pods/exec` over WebSocket (served only with an exec handler): authentication, RBAC and the pod's existence first. */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { isDenied } from '../kube/snapshot-kube.js';
import type { ServerContext } from './context.js';
import { handleExecUpgrade, type ExecHandler } from './exec-ws.js';

/** The `upgrade` listener that answers exec requests with `handler`'s canned output. */
export function execUpgrade(ctx: ServerContext, handler: ExecHandler, token: string | undefined) {
  const pods = ctx.served.find((i) => i.group === '' && i.plural === 'pods');
  return (req: IncomingMessage, socket: Duplex) =>
    handleExecUpgrade(req, socket, handler, (r, raw) => {
      if (token && raw.headers.authorization !== `Bearer ${token}`) return { code: 401, reason: 'Unauthorized', message: 'Unauthorized' };
      if (isDenied(ctx.denials, 'create', 'pods/exec', r.namespace)) {
        return { code: 403, reason: 'Forbidden', message: `pods "${r.pod}" is forbidden: User "${ctx.user}" cannot create resource "pods/exec" in API group "" in the namespace "${r.namespace}"` };
      }
      const pod = pods && ctx.store.find(pods, r.namespace, r.pod);
      if (!pod) return { code: 404, reason: 'NotFound', message: `pods "${r.pod}" not found` };
      return undefined;
    });
}
