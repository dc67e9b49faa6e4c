/**
 * A minimal `pods/exec` for the snapshot API server: the WebSocket upgrade (RFC 6455, server side, no
 * extensions) speaking the Kubernetes channel protocol `v4.channel.k8s.io` — channel 1 stdout, 2 stderr,
 * 3 the final `Status` — so client-node's `Exec` (and kubectl) can run against canned command output in tests.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export interface ExecRequest {
  namespace: string;
  pod: string;
  container?: string;
  command: string[];
}

export interface ExecReply {
  stdout?: string;
  stderr?: string;
  /** Default 0. */
  exitCode?: number;
}

/** Answers an exec: what the command printed and its exit code. */
export type ExecHandler = (req: ExecRequest) => Promise<ExecReply> | ExecReply;

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const SUPPORTED = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

/** One unmasked server frame (FIN set). */
export function wsFrame(payload: Buffer, opcode = 0x2): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (len >= 126) {
    head[0] = 0x80 | opcode;
    if (len < 65536) {
      head[1] = 126;
      head.writeUInt16BE(len, 2);
    } else {
      head[1] = 127;
      head.writeBigUInt64BE(BigInt(len), 2);
    }
  }
  return Buffer.concat([head, payload]);
}

function reject(socket: Duplex, code: number, reason: string, message: string) {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** The exec path's parts, or undefined when the upgrade is for another path. */
export function parseExecPath(rawUrl: string): ExecRequest | undefined {
  const url = new URL(rawUrl, 'http://snapshot.invalid');
  const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec\/?$/.exec(url.pathname);
  if (!m) return undefined;
  const container = url.searchParams.get('container');
  return { namespace: decodeURIComponent(m[1]!), pod: decodeURIComponent(m[2]!), ...(container ? { container } : {}), command: url.searchParams.getAll('command') };
}

/**
 * Handle an HTTP upgrade for `/api/v1/namespaces/{ns}/pods/{pod}/exec`. `allow` decides auth and RBAC (return a
 * status code and message to refuse). Other paths get a 404.
 */
export function handleExecUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  handler: ExecHandler,
  allow: (r: ExecRequest, req: IncomingMessage) => { code: number; reason: string; message: string } | undefined,
): void {
  socket.on('error', () => undefined);
  const r = parseExecPath(req.url ?? '/');
  if (!r) return reject(socket, 404, 'NotFound', 'the server could not find the requested resource');
  const refused = allow(r, req);
  if (refused) return reject(socket, refused.code, refused.reason, refused.message);
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((s) => s.trim());
  const protocol = SUPPORTED.find((p) => offered.includes(p));
  const key = req.headers['sec-websocket-key'];
  if (!protocol || typeof key !== 'string') return reject(socket, 400, 'BadRequest', 'exec needs a WebSocket upgrade with a channel.k8s.io subprotocol');
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`);
  // Client frames (stdin, resize, close) are read and ignored: the command's output is canned.
  socket.on('data', () => undefined);
  void (async () => {
    let reply: ExecReply;
    try {
      reply = await handler(r);
    } catch (e) {
      reply = { stderr: `${(e as Error).message}\n`, exitCode: 126 };
    }
    const send = (channel: number, text: string) => socket.write(wsFrame(Buffer.concat([Buffer.from([channel]), Buffer.from(text, 'utf8')])));
    if (reply.stdout) send(1, reply.stdout);
    if (reply.stderr) send(2, reply.stderr);
    const code = reply.exitCode ?? 0;
    const status =
      code === 0
        ? { metadata: {}, status: 'Success' }
        : { metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: exit status ${code}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] } };
    if (protocol !== 'channel.k8s.io') send(3, JSON.stringify(status));
    const close = Buffer.alloc(2);
    close.writeUInt16BE(1000, 0);
    socket.write(wsFrame(close, 0x8));
    setTimeout(() => socket.end(), 50).unref();
  })();
}
