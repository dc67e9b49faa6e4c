/**
 * Loopback stand-ins for the cloud APIs the broker/redis cloud source calls, answering with responses recorded
 * from the real services (shapes and headers as AWS and Azure send them): AWS JSON-protocol Secrets Manager and
 * SQS over HTTP, and — over HTTPS with a test CA — Entra ID's OpenID configuration and token endpoints and the
 * Service Bus ATOM management API. They hold state (secrets, queue counts), so they are code, not recordings; but
 * like the recorded server they answer only a request of the documented shape — method, path, query and body —
 * and otherwise answer 501 saying which part differed, kept in `misses`. Every request is logged.
 *
 * API references followed:
 * - Secrets Manager GetSecretValue: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 * - SQS GetQueueUrl / GetQueueAttributes (JSON protocol): https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueUrl.html,
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
 * - Entra ID OpenID configuration and client-credentials token: https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 * - Service Bus management (ATOM, api-version 2021-05): https://learn.microsoft.com/en-us/rest/api/servicebus/get-entity
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeCa, type TestCa } from './redis-servers.js';

export interface Logged {
  method: string;
  path: string;
  target?: string;
  body: string;
  authorization?: string;
  /** Which part of the request differed from the documented shape, when it did. */
  miss?: string;
}

/** The documented shape of one request: anything else is a miss naming the differing part. */
interface Shape {
  method: string;
  path: string;
  /** Query parameters that must be present with these values (`*`: any value); no others allowed. */
  query?: Record<string, string>;
  /** Body fields that must be present (JSON keys or form fields); `exact`: no others. */
  fields?: { required: string[]; exact?: boolean; form?: boolean };
}

/** Which part of a request differs from its documented shape, or undefined. */
export function shapeMiss(method: string, url: URL, body: string, shape: Shape): string | undefined {
  if (method !== shape.method) return `method differed: got ${method}, documented ${shape.method}`;
  if (url.pathname !== shape.path) return `path differed: got ${url.pathname}, documented ${shape.path}`;
  const want = shape.query ?? {};
  const got = [...url.searchParams.keys()];
  const extra = got.filter((k) => !(k in want));
  const wrong = Object.entries(want).filter(([k, v]) => !url.searchParams.has(k) || (v !== '*' && url.searchParams.get(k) !== v));
  if (extra.length || wrong.length) return `query differed: got ${url.search || '(none)'}, documented ${Object.entries(want).map(([k, v]) => `${k}=${v}`).join('&') || '(none)'}`;
  if (shape.fields) {
    let keys: string[];
    try {
      keys = shape.fields.form ? [...new URLSearchParams(body).keys()] : Object.keys(body ? (JSON.parse(body) as object) : {});
    } catch {
      return `body differed: not ${shape.fields.form ? 'a form' : 'JSON'}: ${body.slice(0, 100)}`;
    }
    const missing = shape.fields.required.filter((k) => !keys.includes(k));
    const others = shape.fields.exact ? keys.filter((k) => !shape.fields!.required.includes(k)) : [];
    if (missing.length || others.length) return `body differed: ${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && others.length ? '; ' : ''}${others.length ? `unexpected ${others.join(', ')}` : ''}`;
  } else if (body.trim() !== '') return `body differed: documented empty, got ${body.slice(0, 100)}`;
  return undefined;
}

async function body(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const c of req) s += String(c);
  return s;
}

// --- AWS -----------------------------------------------------------------------------------------------

export interface AwsFakeState {
  /** Secrets by name: SecretString, or an error `__type`. */
  secrets: Record<string, string | { error: string; message: string; status?: number }>;
  /** SQS queues by name: attributes (strings, as SQS returns them). Absent: QueueDoesNotExist. */
  queues: Record<string, Record<string, string>>;
  /** Answer every call with this error instead (e.g. AccessDenied). */
  denyAll?: { error: string; message: string };
}

export async function startAwsFake(state: AwsFakeState): Promise<{ endpoint: string; log: Logged[]; misses: Logged[]; close(): Promise<void> }> {
  const log: Logged[] = [];
  let endpoint = '';
  const send = (res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}) => {
    const b = JSON.stringify(json);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': '7a62c49f-347e-4fc4-9331-6e8eEXAMPLE', 'content-length': String(Buffer.byteLength(b)), ...headers });
    res.end(b);
  };
  const server = createHttpServer((req, res) => {
    void body(req).then((b) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const entry: Logged = { method: req.method ?? '', path: req.url ?? '', target, body: b, ...(req.headers.authorization ? { authorization: String(req.headers.authorization) } : {}) };
      log.push(entry);
      const shapes: Record<string, Shape> = {
        'secretsmanager.GetSecretValue': { method: 'POST', path: '/', fields: { required: ['SecretId'], exact: true } },
        'AmazonSQS.GetQueueUrl': { method: 'POST', path: '/', fields: { required: ['QueueName'], exact: true } },
        'AmazonSQS.GetQueueAttributes': { method: 'POST', path: '/', fields: { required: ['QueueUrl', 'AttributeNames'], exact: true } },
      };
      const shape = shapes[target];
      entry.miss = shape ? shapeMiss(entry.method, new URL(entry.path, 'http://x'), b, shape) : `x-amz-target differed: ${target || '(none)'} is not an operation this stand-in documents`;
      if (entry.miss) return send(res, 501, { __type: 'NotImplemented', message: entry.miss });
      const input = b ? (JSON.parse(b) as Record<string, string>) : {};
      if (state.denyAll) return send(res, 400, { __type: state.denyAll.error, message: state.denyAll.message });
      switch (target) {
        case 'secretsmanager.GetSecretValue': {
          const s = state.secrets[input.SecretId ?? ''];
          if (s === undefined) return send(res, 400, { __type: 'ResourceNotFoundException', Message: "Secrets Manager can't find the specified secret." });
          if (typeof s !== 'string') return send(res, s.status ?? 400, { __type: s.error, Message: s.message });
          return send(res, 200, {
            ARN: `arn:aws:secretsmanager:us-east-1:111122223333:secret:${input.SecretId}-AbCdEf`,
            CreatedDate: 1.76e9,
            Name: input.SecretId,
            SecretString: s,
            VersionId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
            VersionStages: ['AWSCURRENT'],
          });
        }
        case 'AmazonSQS.GetQueueUrl': {
          if (!state.queues[input.QueueName ?? '']) {
            return send(res, 400, { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' }, { 'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender' });
          }
          return send(res, 200, { QueueUrl: `${endpoint}/111122223333/${input.QueueName}` });
        }
        case 'AmazonSQS.GetQueueAttributes': {
          const name = (input.QueueUrl ?? '').split('/').pop() ?? '';
          const q = state.queues[name];
          if (!q) return send(res, 400, { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' });
          return send(res, 200, { Attributes: q });
        }
        default:
          return send(res, 400, { __type: 'UnknownOperationException', message: `unknown target ${target}` });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    log,
    get misses() {
      return log.filter((l) => l.miss !== undefined);
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** SQS GetQueueAttributes `All`, as SQS answers for a standard queue. */
export function sqsAttributes(visible: number, notVisible: number, delayed = 0): Record<string, string> {
  return {
    ApproximateNumberOfMessages: String(visible),
    ApproximateNumberOfMessagesNotVisible: String(notVisible),
    ApproximateNumberOfMessagesDelayed: String(delayed),
    CreatedTimestamp: '1757351000',
    LastModifiedTimestamp: '1757351000',
    VisibilityTimeout: '3600',
    MaximumMessageSize: '262144',
    MessageRetentionPeriod: '345600',
    DelaySeconds: '0',
    ReceiveMessageWaitTimeSeconds: '0',
    SqsManagedSseEnabled: 'true',
    QueueArn: 'arn:aws:sqs:us-east-1:111122223333:model-engine-service-builder',
  };
}

// --- Azure ----------------------------------------------------------------------------------------------

export interface AzureFakeState {
  tenant: string;
  /** Token returned by the token endpoint and its lifetime in seconds. */
  accessToken: string;
  expiresIn: number;
  /** Reject client credentials with AADSTS7000215 (invalid secret). */
  rejectClient?: boolean;
  /** Service Bus queues: name → counts; absent → empty feed (not found). */
  queues: Record<string, { active: number; deadLetter: number; scheduled?: number }>;
  /** Answer Service Bus with 401 (the identity lacks Manage rights / the Data Owner role). */
  unauthorized?: boolean;
  /** The namespace tier `$namespaceinfo` reports (default Standard). */
  sku?: 'Basic' | 'Standard' | 'Premium';
}

export function queueEntry(host: string, name: string, q: { active: number; deadLetter: number; scheduled?: number }): string {
  return `<entry xmlns="http://www.w3.org/2005/Atom"><id>https://${host}/${name}?api-version=2021-05</id><title type="text">${name}</title><published>2026-02-02T10:15:31Z</published><updated>2026-04-10T11:58:02Z</updated><author><name>ml-prod-model-engine</name></author><link rel="self" href="https://${host}/${name}?api-version=2021-05"/><content type="application/xml"><QueueDescription xmlns="http://schemas.microsoft.com/netservices/2010/10/servicebus/connect" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><LockDuration>PT5M</LockDuration><MaxSizeInMegabytes>1024</MaxSizeInMegabytes><RequiresDuplicateDetection>false</RequiresDuplicateDetection><RequiresSession>false</RequiresSession><DefaultMessageTimeToLive>P14D</DefaultMessageTimeToLive><DeadLetteringOnMessageExpiration>false</DeadLetteringOnMessageExpiration><DuplicateDetectionHistoryTimeWindow>PT10M</DuplicateDetectionHistoryTimeWindow><MaxDeliveryCount>10</MaxDeliveryCount><EnableBatchedOperations>true</EnableBatchedOperations><SizeInBytes>${(q.active + q.deadLetter) * 1843}</SizeInBytes><MessageCount>${q.active + q.deadLetter}</MessageCount><IsAnonymousAccessible>false</IsAnonymousAccessible><AuthorizationRules></AuthorizationRules><Status>Active</Status><ForwardTo i:nil="true"></ForwardTo><CreatedAt>2026-02-02T10:15:31.25Z</CreatedAt><UpdatedAt>2026-04-10T11:58:02.103Z</UpdatedAt><AccessedAt>2026-04-10T11:59:40.55Z</AccessedAt><SupportOrdering>true</SupportOrdering><CountDetails xmlns:d2p1="http://schemas.microsoft.com/netservices/2011/06/servicebus"><d2p1:ActiveMessageCount>${q.active}</d2p1:ActiveMessageCount><d2p1:DeadLetterMessageCount>${q.deadLetter}</d2p1:DeadLetterMessageCount><d2p1:ScheduledMessageCount>${q.scheduled ?? 0}</d2p1:ScheduledMessageCount><d2p1:TransferMessageCount>0</d2p1:TransferMessageCount><d2p1:TransferDeadLetterMessageCount>0</d2p1:TransferDeadLetterMessageCount></CountDetails><AutoDeleteOnIdle>P10675199DT2H48M5.4775807S</AutoDeleteOnIdle><EnablePartitioning>false</EnablePartitioning><EntityAvailabilityStatus>Available</EntityAvailabilityStatus><EnableExpress>false</EnableExpress></QueueDescription></content></entry>`;
}

export async function startAzureFake(state: AzureFakeState): Promise<{ authorityHost: string; host: string; ca: TestCa; log: Logged[]; misses: Logged[]; close(): Promise<void> }> {
  const ca = makeCa('azure fake CA');
  const { cert, key } = ca.issue('azure-fake', ['DNS:localhost', 'IP:127.0.0.1']);
  const { readFileSync } = await import('node:fs');
  const log: Logged[] = [];
  let base = '';
  const xml = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { 'content-type': 'application/atom+xml;type=entry;charset=utf-8', server: 'Microsoft-HTTPAPI/2.0', 'strict-transport-security': 'max-age=31536000' });
    res.end(text);
  };
  const json = (res: ServerResponse, status: number, v: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': '1f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f' });
    res.end(JSON.stringify(v));
  };
  const server = createHttpsServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
    void body(req).then((b) => {
      const url = new URL(req.url ?? '/', base);
      const entry: Logged = { method: req.method ?? '', path: url.pathname + url.search, body: b.replace(/client_secret=[^&]+/, 'client_secret=REDACTED'), ...(req.headers.authorization ? { authorization: 'Bearer …' } : {}) };
      log.push(entry);
      const t = state.tenant;
      const route: Shape | undefined =
        url.pathname === `/${t}/v2.0/.well-known/openid-configuration`
          ? { method: 'GET', path: url.pathname }
          : url.pathname === `/${t}/oauth2/v2.0/token`
            ? // MSAL adds its request id to the query and telemetry fields to the form.
              { method: 'POST', path: url.pathname, query: { 'client-request-id': '*' }, fields: { required: ['client_id', 'scope', 'grant_type', 'client_secret'], form: true } }
            : url.searchParams.has('api-version')
              ? { method: 'GET', path: url.pathname, query: { 'api-version': '2021-05' } }
              : undefined;
      entry.miss = route ? shapeMiss(entry.method, url, b, route) : `path differed: ${url.pathname} is not an endpoint this stand-in documents`;
      if (!entry.miss && route?.fields?.form && new URLSearchParams(b).get('grant_type') !== 'client_credentials') entry.miss = 'body differed: grant_type is not client_credentials';
      if (entry.miss) return json(res, 501, { error: 'not_implemented', error_description: entry.miss });
      if (url.pathname === `/${t}/v2.0/.well-known/openid-configuration`) {
        return json(res, 200, {
          token_endpoint: `${base}/${t}/oauth2/v2.0/token`,
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
          jwks_uri: `${base}/${t}/discovery/v2.0/keys`,
          response_modes_supported: ['query', 'fragment', 'form_post'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
          issuer: `${base}/${t}/v2.0`,
          request_uri_parameter_supported: false,
          userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
          authorization_endpoint: `${base}/${t}/oauth2/v2.0/authorize`,
          device_authorization_endpoint: `${base}/${t}/oauth2/v2.0/devicecode`,
          http_logout_supported: true,
          frontchannel_logout_supported: true,
          end_session_endpoint: `${base}/${t}/oauth2/v2.0/logout`,
          claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'tid'],
          kerberos_endpoint: `${base}/${t}/kerberos`,
          tenant_region_scope: 'NA',
          cloud_instance_name: 'microsoftonline.com',
          cloud_graph_host_name: 'graph.windows.net',
          msgraph_host: 'graph.microsoft.com',
          rbac_url: 'https://pas.windows.net',
        });
      }
      if (url.pathname === `/${t}/oauth2/v2.0/token`) {
        if (state.rejectClient) {
          return json(res, 401, {
            error: 'invalid_client',
            error_description: "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID. Trace ID: 0f1e2d3c Correlation ID: 4b5a6978 Timestamp: 2026-04-10 12:00:00Z",
            error_codes: [7000215],
          });
        }
        return json(res, 200, { token_type: 'Bearer', expires_in: state.expiresIn, ext_expires_in: state.expiresIn, access_token: state.accessToken });
      }
      // Service Bus ATOM management API: GET /<queue>?api-version=2021-05, GET /$namespaceinfo?api-version=2021-05
      if (req.method === 'GET' && url.searchParams.has('api-version')) {
        if (state.unauthorized) {
          return xml(res, 401, '<Error><Code>401</Code><Detail>Manage,EntityRead claims required for this operation. TrackingId:6a7b8c9d, SystemTracker:ml-prod-model-engine.servicebus.windows.net:model-engine-service-builder, Timestamp:2026-04-10T12:00:00</Detail></Error>');
        }
        if (url.pathname === '/$namespaceinfo') {
          const sku = state.sku ?? 'Standard';
          return xml(
            res,
            200,
            `<entry xmlns="http://www.w3.org/2005/Atom"><id>https://${url.host}/$namespaceinfo?api-version=2021-05</id><title type="text">ml-prod-model-engine</title><updated>2026-04-10T12:00:00Z</updated><author><name>ml-prod-model-engine</name></author><link rel="self" href="https://${url.host}/$namespaceinfo?api-version=2021-05"/><content type="application/xml"><NamespaceInfo xmlns="http://schemas.microsoft.com/netservices/2010/10/servicebus/connect" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><CreatedTime>2026-02-02T10:10:00.41Z</CreatedTime><MessagingSKU>${sku}</MessagingSKU>${sku === 'Premium' ? '<MessagingUnits>1</MessagingUnits>' : ''}<ModifiedTime>2026-04-10T11:00:00.53Z</ModifiedTime><Name>ml-prod-model-engine</Name><NamespaceType>Messaging</NamespaceType></NamespaceInfo></content></entry>`,
          );
        }
        const name = decodeURIComponent(url.pathname.slice(1));
        const q = state.queues[name];
        if (!q) return xml(res, 200, `<feed xmlns="http://www.w3.org/2005/Atom"><title type="text">Publicly Listed Services</title><subtitle type="text">This is the list of publicly-listed services currently available.</subtitle><id>uuid:0d6ab3f2-1c4e-4b7a-9f3e-2a1b0c9d8e7f;id=1</id><updated>2026-04-10T12:00:00Z</updated><generator>Service Bus 1.1</generator></feed>`);
        return xml(res, 200, queueEntry(url.host, name, q));
      }
      json(res, 404, { error: 'not found', path: url.pathname });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  base = `https://127.0.0.1:${port}`;
  return {
    authorityHost: base,
    host: `127.0.0.1:${port}`,
    ca,
    log,
    get misses() {
      return log.filter((l) => l.miss !== undefined);
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => {
          ca.cleanup();
          r();
        });
      }),
  };
}

/**
 * A stand-in for an object made later (in beforeAll): CheckTester cases are declared before servers start, so
 * their ports are proxies that forward every property (methods bound) to the object once it exists.
 */
export function lazy<T extends object>(get: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_t, k) {
      const obj = get();
      if (!obj) throw new Error(`lazy port used before it was created (${String(k)})`);
      const v = (obj as Record<string | symbol, unknown>)[k];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(obj) : v;
    },
    has: (_t, k) => k in (get() ?? {}),
  });
}
