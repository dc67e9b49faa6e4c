/**
 * The gateway port: model-engine's own record of an endpoint (`GET /v1/model-endpoints/{id}`, or by name
 * `GET /v1/model-endpoints?name=`), read with the user's API key. Created in `src/run/ports.ts` only when
 * `--gateway-url` is given; implemented in `src/sources/gateway/`. The endpoint doctor shows it beside the
 * cluster's view: it is the only place `UPDATE_FAILED` and `status_reason` are visible.
 */

export const GATEWAY_PORT = 'gateway';

/** `ModelEndpointStatus` (facts §6.6). There is no `INITIALIZING`. */
export type EndpointStatus = 'READY' | 'UPDATE_PENDING' | 'UPDATE_IN_PROGRESS' | 'UPDATE_FAILED' | 'DELETE_IN_PROGRESS';

/** The fields of `GetModelEndpointV1Response` the doctor reads. */
export interface GatewayEndpointRecord {
  id: string;
  name: string;
  endpoint_type?: string;
  status: EndpointStatus | string;
  status_reason?: string | null;
  bundle_name?: string;
  created_at?: string;
  last_updated_at?: string;
  deployment_state?: {
    min_workers?: number;
    max_workers?: number;
    per_worker?: number;
    available_workers?: number | null;
    unavailable_workers?: number | null;
  } | null;
  resource_state?: { cpus?: unknown; gpus?: number; memory?: unknown; gpu_type?: string | null; storage?: unknown; nodes_per_worker?: number } | null;
  num_queued_items?: number | null;
}

export type GatewayAnswer =
  | { state: 'found'; record: GatewayEndpointRecord; url: string }
  | { state: 'not-found'; url: string; detail: string }
  /** Could not ask: unreachable, timeout, 401/403, 5xx, not JSON. Never a finding about the endpoint by itself. */
  | { state: 'unavailable'; url: string; detail: string; httpStatus?: number };

export interface GatewayPort {
  /** The base URL, for messages (never carries credentials). */
  readonly baseUrl: string;
  /** Look an endpoint up by id or by name (`ENDPOINT_ID` in src/model-engine/naming.ts tells them apart). */
  endpoint(idOrName: string, signal: AbortSignal): Promise<GatewayAnswer>;
}
