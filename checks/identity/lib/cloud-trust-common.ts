/** What the per-cloud halves of `identity/cloud-trust` share. */
import type { Finding, ObjectRef, Remediation } from '../../../src/engine/index.js';
import { rolesText, subjectOf, type SubjectState } from '../../../src/model-engine/identity.js';
import type { CloudAnswer } from '../../../src/engine/ports/identity-cloud.js';

/** A subject with the identity its annotation names (role ARN, client id, GSA email). */
export interface Annotated {
  s: SubjectState;
  value: string;
}

export const saRef = (s: { namespace: string; name: string }): ObjectRef => ({ kind: 'ServiceAccount', namespace: s.namespace, name: s.name });
export const base = (s: SubjectState) => ({ namespace: s.namespace, name: s.name, roles: rolesText(s.roles), subject: subjectOf(s) });
export const unavailable = (a: Extract<CloudAnswer<unknown>, { state: 'unavailable' }>) => `${a.via}: ${a.detail}`;

/** A skip that still says how to get an answer (`skip()` takes no remediation). */
export function skipWith(messageId: string, opts: { object?: ObjectRef; data?: Record<string, unknown>; evidence?: Finding['evidence']; remediation: Remediation }): Finding {
  return { status: 'skip', messageId, ...opts };
}
