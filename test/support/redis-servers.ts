/**
 * Real `redis-server` processes on loopback for the probe tests, plus a CA made with `openssl` and a listener
 * that accepts connections and never answers. Each server gets a free port (found by binding a socket first:
 * redis-server has no `--port 0`), its own temp dir, no persistence, and is killed by `stop()`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolAvailable } from './tools.js';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
/** Whether redis-server is here; under CI=true its absence fails the importing test file (see tools.ts). */
export const HAVE_REDIS = toolAvailable('redis-server', existsSync(REDIS_SERVER), `the tests that start redis-server (${REDIS_SERVER})`);

/** A port that was free a moment ago (bind to 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  port: number;
  dir: string;
  /** The server's log so far (for failed-test messages). */
  log(): string;
  stop(): Promise<void>;
}

function waitForPort(port: number, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > until) reject(new Error(`redis-server did not listen on ${port}`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

/**
 * Start redis-server with extra command-line config. `tls`: the port is TLS-only (`--port 0 --tls-port P`).
 * Retries with another port when the chosen one was taken in between.
 */
export async function startRedis(opts: { args?: string[]; tls?: { cert: string; key: string; ca: string } } = {}): Promise<RedisServer> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'med-redis-'));
    const portArgs = opts.tls
      ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', opts.tls.cert, '--tls-key-file', opts.tls.key, '--tls-ca-cert-file', opts.tls.ca, '--tls-auth-clients', 'no']
      : ['--port', String(port)];
    const args = [...portArgs, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'no', ...(opts.args ?? [])];
    const child: ChildProcess = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      await Promise.race([
        waitForPort(port, 5000),
        exited.then((code) => {
          throw new Error(`redis-server exited (${code}): ${log}`);
        }),
      ]);
      return { port, dir, log: () => log, stop };
    } catch (e) {
      await stop();
      if (attempt < 3 && /already in use/i.test(log)) continue;
      throw e;
    }
  }
}

export interface TestCa {
  dir: string;
  caCert: string;
  caPem: string;
  /**
   * Issue a server certificate for these subject alternative names (`DNS:localhost`, `IP:127.0.0.1`); `expired`:
   * one valid in January 2025 only (openssl ca, which takes explicit dates).
   */
  issue(name: string, sans: string[], opts?: { expired?: boolean }): { cert: string; key: string };
  cleanup(): void;
}

/** A throwaway CA made with the openssl CLI. */
export function makeCa(commonName = 'model-engine-doctor test CA'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'med-ca-'));
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  const quiet = { stdio: 'pipe' as const };
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', caCert, '-days', '2', '-subj', `/CN=${commonName}`], quiet);
  return {
    dir,
    caCert,
    caPem: readFileSync(caCert, 'utf8'),
    issue(name, sans, opts = {}) {
      const key = join(dir, `${name}.key`);
      const csr = join(dir, `${name}.csr`);
      const cert = join(dir, `${name}.crt`);
      const ext = join(dir, `${name}.ext`);
      writeFileSync(ext, `subjectAltName=${sans.join(',')}\n`);
      execFileSync('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${name}`], quiet);
      if (opts.expired) {
        const cnf = join(dir, 'ca.cnf');
        if (!existsSync(cnf)) {
          writeFileSync(join(dir, 'index.txt'), '');
          writeFileSync(join(dir, 'expired.srl'), '1000\n');
          writeFileSync(cnf, `[ca]\ndefault_ca=d\n[d]\ndatabase=${join(dir, 'index.txt')}\nnew_certs_dir=${dir}\nserial=${join(dir, 'expired.srl')}\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n`);
        }
        execFileSync('openssl', ['ca', '-batch', '-notext', '-config', cnf, '-cert', caCert, '-keyfile', caKey, '-in', csr, '-out', cert, '-startdate', '20250101000000Z', '-enddate', '20250201000000Z', '-extfile', ext], quiet);
      } else execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext], quiet);
      return { cert, key };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A loopback TCP listener; `serve` (if any) handles each connection. Closing destroys every open connection. */
async function startListener(serve?: (s: net.Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    serve?.(s);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    port: (srv.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  };
}

/**
 * A simulated Redis that answers every command with one RESP line (a real redis-server cannot be held in a state
 * such as LOADING for a test): what a client sees of a Redis that is still loading its dataset after a restart.
 */
export function startReplyingListener(line: string): Promise<{ port: number; close(): Promise<void> }> {
  return startListener((s) =>
    s.on('data', (d: Buffer) => {
      // One answer per command: each RESP array header (*N) is a command; a chunk without one is an inline command.
      const lines = d.toString('latin1').split('\r\n').filter(Boolean);
      const commands = lines.filter((l) => l.startsWith('*')).length || 1;
      for (let i = 0; i < commands; i++) s.write(`${line}\r\n`);
    }),
  );
}

/** A TCP listener that accepts connections and never writes a byte (for the timeout paths). */
export function startSilentListener(): Promise<{ port: number; close(): Promise<void> }> {
  return startListener();
}
