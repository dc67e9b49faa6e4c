/** The engine API: the only module checks import. */
export * from './types.js';
export { defineCheck, pass, fail, warn, skip, renderMessage } from './define-check.js';
export { ForbiddenError, TimeoutError, CancelledError, ifForbidden, ifUnreadable } from './errors.js';
export { redactText, redactValue, isSecretKey, REDACTED } from './redact.js';
export * from './kube-types.js';
export { conformAs, conformPodSpec, get, str, num, bool, rec, list, records, strings, strMap, isRecord, type Rec, type ConformedKind } from './safe.js';
export * from './values-path.js';
export * from './diagnosis.js';
export * from './cause.js';
