/**
 * The API server's audit log: which requests a user made (verb, resource, namespace, name, response code).
 */
import { readFileSync } from 'node:fs';
import { cluster } from './cluster.js';

export interface AuditEvent {
  verb: string;
  requestURI: string;
  user: { username: string; groups?: string[] };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string; apiGroup?: string; apiVersion?: string };
  responseStatus?: { code?: number };
  userAgent?: string;
  stage: string;
  requestReceivedTimestamp: string;
}

/** Completed requests (stage ResponseComplete) made by `user`. */
export function auditEvents(user: string, since?: string): AuditEvent[] {
  return readFileSync(cluster().auditLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEvent)
    .filter((e) => e.stage === 'ResponseComplete' && e.user.username === user && (!since || e.requestReceivedTimestamp >= since));
}

/** `verb resource[/subresource][.group]` — the shape of an RBAC rule — for each request. */
export function accessOf(e: AuditEvent): string {
  const o = e.objectRef;
  if (!o?.resource) return `${e.verb} ${e.requestURI.split('?')[0]}`;
  return `${e.verb} ${o.resource}${o.subresource ? `/${o.subresource}` : ''}${o.apiGroup ? `.${o.apiGroup}` : ''}`;
}
