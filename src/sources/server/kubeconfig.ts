import { isIP } from 'node:net';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  caPem?: string;
  token?: string;
  /** Name of the cluster, user and context; default `snapshot`. */
  context?: string;
}

/** A kubeconfig for a server; plain-HTTP servers get `insecure-skip-tls-verify` (client-node refuses http otherwise). */
export function buildKubeconfig(o: KubeconfigOptions): string {
  const name = o.context ?? 'snapshot';
  const cluster: Record<string, unknown> = { server: o.server };
  if (o.caPem) cluster['certificate-authority-data'] = Buffer.from(o.caPem).toString('base64');
  else if (o.server.startsWith('http:')) cluster['insecure-skip-tls-verify'] = true;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user: o.token ? { token: o.token } : {} }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
  });
}

/** A host as it goes in a URL (IPv6 in brackets). */
export const urlHost = (host: string) => (isIP(host) === 6 ? `[${host}]` : host);
