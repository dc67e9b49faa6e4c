/**
 * Docker credential helpers (`credsStore`, `credHelpers` in ~/.docker/config.json), spoken as the docker CLI speaks
 * them: run `docker-credential-<name> get`, write the server URL to its stdin, read `{"ServerURL","Username",
 * "Secret"}` from its stdout. A `Username` of `<token>` means the secret is an identity (refresh) token. With a
 * helper configured, `auths` entries in the config file are empty placeholders: the secret lives in the helper.
 * The secret stays in this module and the probe.
 */
import { spawn } from 'node:child_process';

export type HelperAnswer =
  | { state: 'found'; username: string; secret: string }
  | { state: 'not-found'; detail: string }
  | { state: 'error'; detail: string };

/** The server URL the docker CLI asks a helper about: Docker Hub's legacy index URL, else the host name. */
export function helperServerUrl(host: string): string {
  return host === 'docker.io' ? 'https://index.docker.io/v1/' : host;
}

const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Run one helper's `get` for a server URL; never throws, never returns the secret in a detail. */
export function runCredentialHelper(name: string, serverUrl: string, opts: { timeoutMs?: number; signal?: AbortSignal; env?: NodeJS.ProcessEnv } = {}): Promise<HelperAnswer> {
  const program = `docker-credential-${name}`;
  if (!HELPER_NAME.test(name)) return Promise.resolve({ state: 'error', detail: `"${name}" is not a credential helper name` });
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: HelperAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(a);
    };
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done({ state: 'error', detail: `${program} did not answer within ${opts.timeoutMs ?? 10_000} ms` });
    }, opts.timeoutMs ?? 10_000);
    const onAbort = () => {
      child.kill('SIGKILL');
      done({ state: 'error', detail: `${program} was stopped (run cancelled)` });
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e: NodeJS.ErrnoException) =>
      done({ state: 'error', detail: e.code === 'ENOENT' ? `${program} is not on PATH` : `${program}: ${e.message}` }),
    );
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8').trim();
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (code !== 0) {
        // The protocol's "no credentials" answer is the message on stdout (exit 1).
        const said = (stdout || stderr).split('\n')[0] ?? '';
        if (/credentials not found/i.test(said)) return done({ state: 'not-found', detail: `${program} has no credentials for ${serverUrl}` });
        return done({ state: 'error', detail: `${program} get exited ${code}${said ? `: ${said.slice(0, 200)}` : ''}` });
      }
      try {
        const j = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown };
        if (typeof j.Secret !== 'string' || j.Secret === '') return done({ state: 'not-found', detail: `${program} answered with no secret for ${serverUrl}` });
        done({ state: 'found', username: typeof j.Username === 'string' ? j.Username : '', secret: j.Secret });
      } catch {
        done({ state: 'error', detail: `${program} get did not answer JSON` });
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(serverUrl);
  });
}
