/**
 * A kubeconfig is read by @kubernetes/client-node, which assumes its shape: a `null` document, `clusters: 5` or a
 * context without a name end in `Cannot read properties of null`. This checks the shape first, so a broken
 * kubeconfig is one line naming the file and the field (exit 2).
 */
import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { FatalError } from '../../engine/errors.js';
import { isRecord } from '../../engine/safe.js';

const ENTRIES = [
  ['clusters', 'cluster', { server: 'string', 'certificate-authority-data': 'string', 'certificate-authority': 'string', 'tls-server-name': 'string', 'proxy-url': 'string' }],
  ['contexts', 'context', { cluster: 'string', user: 'string', namespace: 'string' }],
  ['users', 'user', { token: 'string', 'token-file': 'string', username: 'string', password: 'string', 'client-certificate-data': 'string', 'client-key-data': 'string', exec: 'map', 'auth-provider': 'map' }],
] as const;

const MAX_BYTES = 16 * 1024 * 1024;

/**
 * Throw a FatalError naming what is wrong with the kubeconfig text of `file`. True when it holds a kubeconfig to
 * load, false when it is empty (kubectl treats an empty file as a config with nothing in it).
 */
export function checkKubeconfig(text: string, file: string): boolean {
  if (text.length > MAX_BYTES) throw new FatalError(`cannot read kubeconfig ${file}: larger than 16 MB`);
  let doc: unknown;
  try {
    doc = parse(text, { prettyErrors: false, maxAliasCount: 50, uniqueKeys: false });
  } catch (e) {
    throw new FatalError(`cannot read kubeconfig ${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return false;
  const bad = (what: string) => new FatalError(`cannot read kubeconfig ${file}: ${what}`);
  if (!isRecord(doc)) throw bad('not a kubeconfig (expected a map with clusters, contexts and users)');
  const current = doc['current-context'];
  if (current !== undefined && current !== null && typeof current !== 'string') throw bad('current-context must be a string');
  for (const [list, inner, fields] of ENTRIES) {
    const items = doc[list];
    if (items === undefined || items === null) continue;
    if (!Array.isArray(items)) throw bad(`${list} must be a list`);
    items.forEach((item: unknown, i) => {
      if (!isRecord(item) || typeof item.name !== 'string' || item.name === '') throw bad(`${list}[${i}] has no name`);
      const body = item[inner];
      if (body === undefined || body === null) return;
      if (!isRecord(body)) throw bad(`${list}[${i}] (${item.name}): ${inner} must be a map`);
      for (const [field, type] of Object.entries(fields)) {
        const v = body[field];
        if (v === undefined || v === null) continue;
        if (type === 'string' ? typeof v !== 'string' : !isRecord(v)) throw bad(`${list}[${i}] (${item.name}): ${inner}.${field} must be ${type === 'string' ? 'a string' : 'a map'}`);
      }
      if (inner === 'user' && isRecord(body.exec) && typeof body.exec.command !== 'string') throw bad(`users[${i}] (${item.name}): user.exec.command must be a string`);
    });
  }
  return true;
}

/** `kc.loadFromFile(file)`, after {@link checkKubeconfig}; an empty file loads nothing. */
export function loadKubeconfigFile(kc: KubeConfig, file: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new FatalError(`cannot read kubeconfig ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (checkKubeconfig(text, file)) kc.loadFromFile(file);
}
