/** The API server's `v1 Status` failures and the typed error every handler throws to answer with one. */
import { qualifiedName, type ResourceInfo } from '../kube/resources.js';

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'AlreadyExists',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
}

/** A `v1 Status` failure as the API server sends it. */
export function statusObject(code: number, message: string, details?: StatusDetails, reason?: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: reason ?? REASONS[code] ?? (code >= 500 ? 'InternalError' : 'BadRequest'),
    ...(details ? { details } : {}),
    code,
  };
}

/** The real server's Forbidden sentence, e.g. `pods is forbidden: User "…" cannot list resource "pods" in API group "" in the namespace "x"`. */
export function forbiddenMessage(user: string, verb: string, info: ResourceInfo, namespace: string | undefined, name?: string, sub?: string): string {
  const what = name ? `${info.plural} "${name}"` : qualifiedName(info);
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  const resource = sub ? `${info.plural}/${sub}` : info.plural;
  return `${what} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${info.group}" ${scope}`;
}

/** Thrown by a handler: the router answers with the matching Status. */
export class HttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details?: StatusDetails,
    readonly reason?: string,
  ) {
    super(message);
  }
}

export const notFound = () => new HttpError(404, 'the server could not find the requested resource');
export const methodNotAllowed = () => new HttpError(405, 'the server does not allow this method on the requested resource');

/** A Status's `details` for an object (or a collection) of a resource. */
export const details = (info: ResourceInfo, name?: string): StatusDetails => ({
  ...(name ? { name } : {}),
  ...(info.group ? { group: info.group } : {}),
  kind: info.plural,
});

/** `pods "x" not found` (the real server's wording, with its details). */
export const objectNotFound = (info: ResourceInfo, name: string | undefined) =>
  new HttpError(404, `${qualifiedName(info)} "${name}" not found`, details(info, name));
