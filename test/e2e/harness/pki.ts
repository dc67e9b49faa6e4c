/**
 * The control plane's PKI, made with `openssl` as a cluster installer would: one CA, the API server's serving
 * certificate (127.0.0.1, localhost and the in-cluster names), client certificates for the components and for test
 * users (CN = user, O = groups), and the service-account signing key pair. ECDSA P-256 throughout (fast to make,
 * accepted by every Kubernetes component).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  saKey: string;
  saPub: string;
}

export interface ClientCert {
  cert: string;
  key: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function ecKey(path: string, cwd: string): void {
  // PKCS#8 (genpkey's form) is what every component (and node:crypto) reads without fuss.
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path], cwd);
}

/** Sign a CSR for `subject` with the CA; `ext` is an openssl extension section body. */
function issue(dir: string, name: string, subject: string, ext: string): ClientCert {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  const extFile = join(dir, `${name}.ext`);
  ecKey(key, dir);
  writeFileSync(extFile, `[v3]\n${ext}\n`);
  openssl(['req', '-new', '-key', key, '-subj', subject, '-out', join(dir, `${name}.csr`)], dir);
  openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-sha256', '-extfile', extFile, '-extensions', 'v3', '-out', cert],
    dir,
  );
  return { cert, key };
}

/** Subject DN with escaping for the few characters openssl's `-subj` treats specially. */
function subjectOf(cn: string, groups: readonly string[]): string {
  const esc = (s: string) => s.replace(/[/\\,+=]/g, (c) => `\\${c}`);
  return `/${groups.map((g) => `O=${esc(g)}/`).join('')}CN=${esc(cn)}`;
}

export function makePki(dir: string): Pki {
  mkdirSync(dir, { recursive: true });
  ecKey('ca.key', dir);
  openssl(['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=model-engine-doctor-e2e-ca', '-days', '2', '-sha256', '-out', 'ca.crt'], dir);
  const server = issue(
    dir,
    'apiserver',
    '/CN=kube-apiserver',
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
    ].join('\n'),
  );
  ecKey('sa.key', dir);
  openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: server.cert,
    serverKey: server.key,
    saKey: join(dir, 'sa.key'),
    saPub: join(dir, 'sa.pub'),
  };
}

/** A client certificate for user `cn` in `groups` (Kubernetes reads CN as the user, O as groups). Idempotent. */
export function clientCert(pki: Pick<Pki, 'dir'>, cn: string, groups: readonly string[] = []): ClientCert {
  const name = `user-${cn.replace(/[^a-zA-Z0-9_.-]/g, '_')}${groups.length ? `-${groups.join('_').replace(/[^a-zA-Z0-9_.-]/g, '_')}` : ''}`;
  const cert = join(pki.dir, `${name}.crt`);
  const key = join(pki.dir, `${name}.key`);
  if (existsSync(cert) && existsSync(key)) return { cert, key };
  return issue(pki.dir, name, subjectOf(cn, groups), ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth'].join('\n'));
}

/** A kubeconfig for `user` with embedded certificate data (so it stays valid when copied). */
export function kubeconfig(opts: { server: string; caCert: string; user: string; client: ClientCert; context?: string }): string {
  const b64 = (p: string) => readFileSync(p).toString('base64');
  const context = opts.context ?? 'e2e';
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: e2e`,
    '  cluster:',
    `    server: ${opts.server}`,
    `    certificate-authority-data: ${b64(opts.caCert)}`,
    'users:',
    `- name: ${JSON.stringify(opts.user)}`,
    '  user:',
    `    client-certificate-data: ${b64(opts.client.cert)}`,
    `    client-key-data: ${b64(opts.client.key)}`,
    'contexts:',
    `- name: ${context}`,
    '  context:',
    '    cluster: e2e',
    `    user: ${JSON.stringify(opts.user)}`,
    `current-context: ${context}`,
    '',
  ].join('\n');
}

/** A serving certificate for `cn` at 127.0.0.1 signed by the cluster CA (a webhook the API server calls). Idempotent. */
export function servingCert(pki: Pick<Pki, 'dir'>, cn: string): ClientCert {
  const name = `serving-${cn.replace(/[^a-zA-Z0-9_.-]/g, '_')}`;
  const cert = join(pki.dir, `${name}.crt`);
  const key = join(pki.dir, `${name}.key`);
  if (existsSync(cert) && existsSync(key)) return { cert, key };
  return issue(pki.dir, name, `/CN=${cn}`, ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth', 'subjectAltName=IP:127.0.0.1'].join('\n'));
}
