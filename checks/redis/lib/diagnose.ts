/**
 * Turn a Redis probe result into one finding: the first failing step, its own messageId and its fix. Pure.
 */
import { fail, pass, warn, type Evidence, type Finding, type ObjectRef, type Remediation } from '../../../src/engine/index.js';
import type { RedisProbeResult, RedisTarget } from '../../../src/engine/ports/redis.js';
import { isClusterInternalName, isPrivateAddress } from './model-engine-redis.js';

export interface ProbeContext {
  /** What this Redis is for: `cache` or `broker`. */
  role: 'cache' | 'broker';
  target: RedisTarget;
  /** True when the probe ran on the user's machine (not in the gateway pod). */
  local: boolean;
  namespace: string;
  object: ObjectRef;
  /** Median latency above which a warning is given (ms). */
  slowMs?: number;
  /**
   * The config comes from helm values, not an installed ConfigMap (preflight): a host that does not resolve from
   * this machine is not probed (skip with the reason) rather than judged, since the nodes may well resolve it.
   */
  fromValues?: boolean;
}

/** A skip that still says how to get an answer (`skip()` takes no remediation). */
export function skipWith(messageId: string, opts: { object?: ObjectRef; evidence?: Evidence[]; data?: Record<string, unknown>; remediation: Remediation }): Finding {
  return { status: 'skip', messageId, ...opts };
}

/** The messages the connectivity check declares (kept here so the table and the messages stay together). */
export const PROBE_MESSAGES = {
  reachable: 'The {{role}} Redis {{target}} answers from {{from}}: {{summary}}',
  reachableAsYou:
    "The {{role}} Redis {{target}} answers from {{from}}: {{summary}}; it logged in as your Entra identity {{oid}} (the token's oid), not as the pods' AZURE_OBJECT_ID {{podOid}}: rerun with --exec to test the pods' identity",
  tokenNeeded: 'The {{role}} Redis {{target}} is reachable from {{from}} ({{summary}}), but logging in needs an Entra token: rerun with --cloud-api, or with --exec to log in as the gateway pod',
  clusterOnly: 'The {{role}} Redis host {{host}} is a cluster-internal name that does not resolve from {{from}}: rerun with --exec to probe from the gateway pod',
  notResolvedHere:
    'The {{role}} Redis host {{host}} does not resolve from {{from}} ({{code}}), so it was not probed; the nodes may resolve it (private DNS): probe from inside the network, or after the install with --exec',
  unreachableFromHere: 'The {{role}} Redis {{target}} is not reachable from {{from}} ({{detail}}); {{host}} is {{where}}, so this says nothing about the pods: rerun with --exec to probe from the gateway pod',
  dnsFailed: 'The {{role}} Redis host {{host}} does not resolve from {{from}} ({{code}})',
  tcpUnreachable: 'The {{role}} Redis {{target}} is unreachable from {{from}} ({{code}}: {{detail}})',
  connectionRefused: 'The {{role}} Redis {{target}} refuses connections on port {{port}} ({{from}}): nothing listens there',
  tlsUntrusted: 'The {{role}} Redis {{target}} presents a certificate not trusted from {{from}}: {{detail}}',
  tlsHostname: 'The {{role}} Redis {{target}} presents a certificate for another host name: {{detail}}',
  tlsExpired: 'The {{role}} Redis {{target}} presents an expired (or not yet valid) certificate: {{detail}}',
  portIsPlain: 'The {{role}} Redis URL uses rediss:// (TLS) but port {{port}} of {{host}} speaks plain Redis',
  portExpectsTls: 'The {{role}} Redis URL uses redis:// (plain) but port {{port}} of {{host}} speaks TLS',
  tlsFailed: 'TLS to the {{role}} Redis {{target}} failed ({{code}}): {{detail}}',
  noReply: 'The {{role}} Redis {{target}} accepts connections but never answers ({{detail}})',
  wrongPassword: 'The {{role}} Redis {{target}} rejects the credentials (WRONGPASS): {{detail}}',
  tokenRejected: 'The {{role}} Redis {{target}} rejects the Entra token for {{user}} (WRONGPASS): the object id has no Redis data-access policy, or the token expired',
  operatorTokenRejected:
    "The {{role}} Redis {{target}} rejects your Entra identity {{oid}} (the token's oid, from {{from}}) with WRONGPASS: that is your access, not the pods' (they log in as AZURE_OBJECT_ID {{podOid}}); rerun with --exec to test theirs",
  noAuth: 'The {{role}} Redis {{target}} requires a password (NOAUTH) and the URL has none',
  authNotConfigured: 'The {{role}} Redis {{target}} has no password configured, but the URL sends one: redis-py raises AuthenticationError',
  selectFailed: 'The {{role}} Redis {{target}} refuses SELECT {{db}} ({{code}}): {{detail}}',
  aclDenied: 'The {{role}} Redis user {{user}} may not run commands model-engine uses: {{denied}}',
  slow: 'The {{role}} Redis {{target}} answers, but slowly: median PING {{latency}} ms from {{from}}',
  tooManyClients: 'The {{role}} Redis {{target}} takes no new connections: it is at its client limit ({{detail}})',
  closedBeforeTls:
    'The {{role}} Redis {{target}} closes new connections before the TLS handshake finishes ({{detail}}): it takes no new connections (a Redis at its client limit cannot send its error over TLS), or something in front of it drops them',
  probeFailed: 'Probing the {{role}} Redis {{target}} failed at {{step}} ({{code}}): {{detail}}',
} as const;

export type ProbeMessageId = keyof typeof PROBE_MESSAGES;

const stepEvidence = (r: RedisProbeResult): Evidence[] =>
  r.steps.map((s) => ({ type: 'probe', target: `${r.target} from ${r.from}`, detail: `${s.name} ${s.ok ? (s.skipped ? 'skipped' : 'ok') : 'FAILED'} (${s.ms} ms): ${s.detail}` }));

/** The finding for one probe. */
export function diagnoseProbe(r: RedisProbeResult, c: ProbeContext): Finding {
  const { target, namespace: ns, object } = c;
  const base = { role: c.role, target: r.target, from: r.from, host: target.host, port: target.port, db: target.db };
  const evidence = stepEvidence(r);
  const last = r.steps[r.steps.length - 1];
  const detail = last?.detail ?? '';
  const code = r.errorCode ?? 'ERROR';
  const exec = `model-engine-doctor triage --exec -n ${ns} --only redis`;
  const redisCli = `redis-cli -h ${target.host} -p ${target.port}${target.tls ? ' --tls' : ''}`;
  const inPod = `kubectl -n ${ns} exec deploy/model-engine -- python -c "from model_engine_server.common.config import hmi_config; import redis; print(redis.Redis.from_url(hmi_config.cache_redis_url, socket_connect_timeout=5).ping())"`;
  const data = { ...base, detail, code, step: r.failedStep ?? '' };
  const summaryOk = () => {
    const parts = r.steps.filter((s) => s.ok && !s.skipped).map((s) => s.name);
    return `${parts.join(', ')} ok${r.latencyMs !== undefined ? `, median latency ${r.latencyMs} ms` : ''}`;
  };

  if (!r.failedStep) {
    if (r.latencyMs !== undefined && r.latencyMs > (c.slowMs ?? (c.local ? 250 : 25))) {
      return warn('slow', {
        object,
        severity: 'medium',
        evidence,
        data: { ...data, latency: r.latencyMs },
        remediation: {
          summary: c.local
            ? 'Latency from your machine includes the VPN/network path; rerun with --exec to measure from the gateway pod.'
            : 'Check the Redis instance size/CPU and that it is in the same region/zone as the cluster.',
          commands: c.local ? [exec] : [`kubectl -n ${ns} exec deploy/model-engine -- python -c "import time,redis; from model_engine_server.common.config import hmi_config as h; r=redis.Redis.from_url(h.cache_redis_url); t=time.time(); r.ping(); print((time.time()-t)*1000)"`],
        },
      });
    }
    const id = r.entraIdentity;
    if (c.local && id?.objectId && id.objectId !== id.podObjectId) {
      return pass('reachableAsYou', { object, evidence, data: { ...data, summary: summaryOk(), oid: id.objectId, podOid: id.podObjectId ?? '(unset)' } });
    }
    return pass('reachable', { object, evidence, data: { ...data, summary: summaryOk() } });
  }

  if (code === 'MAX_CLIENTS' || code === 'CLOSED_BEFORE_TLS') {
    // Redis keeps no connection in reserve: redis-cli cannot get in either. Count the holders from the outside.
    const managed = target.host.endsWith('.cache.amazonaws.com')
      ? 'ElastiCache: CloudWatch CurrConnections / NewConnections for the cluster'
      : target.host.endsWith('.redis.cache.windows.net')
        ? "Azure Cache for Redis: the 'Connected clients' metric against the tier's limit (scale up raises it)"
        : undefined;
    const holders = [
      `kubectl get pods -A -o wide | grep -E 'model-engine|celery|launch-endpoint' | awk '{print $1, $2, $7}'`,
      ...(managed ? [] : [`ss -tn state established '( sport = :${target.port} )' | awk 'NR>1 {split($4,a,":"); print a[1]}' | sort | uniq -c | sort -rn | head   # on the Redis host`]),
    ];
    const limit = `Find what holds the connections (a connection leak, or more workers than the limit allows) and close it, or raise maxclients in the server's configuration${managed ? ` (${managed})` : ''}.`;
    // Redis at its limit names itself on a plain port; on a TLS port it can only close, as a proxy that drops connections does.
    const summary =
      code === 'MAX_CLIENTS'
        ? `Every new connection is refused, so a restarted model-engine pod cannot reconnect either. ${limit}`
        : `Look at the server's connection count first: at its client limit Redis closes each new TLS connection this way, and a restarted model-engine pod cannot reconnect either. ${limit} If it is below the limit, a proxy or load balancer in front of it drops the connections.`;
    return fail(code === 'MAX_CLIENTS' ? 'tooManyClients' : 'closedBeforeTls', { object, evidence, data, remediation: { summary, commands: holders } });
  }
  const privateWhere = (r.addresses ?? []).some(isPrivateAddress) ? `a private address (${(r.addresses ?? []).join(', ')})` : 'not reachable from here';
  switch (r.failedStep) {
    case 'dns':
      if (c.local && isClusterInternalName(target.host)) {
        return skipWith('clusterOnly', { object, evidence, data, remediation: { summary: 'Probe from inside the cluster.', commands: [exec, inPod] } });
      }
      if (c.local && c.fromValues) {
        return skipWith('notResolvedHere', {
          object,
          evidence,
          data,
          remediation: { summary: `Check the host name for typos; then probe from a machine on the Redis network, or after the install from the gateway pod.`, commands: [`getent hosts ${target.host}`, exec] },
        });
      }
      return (c.local ? warn : fail)('dnsFailed', {
        object,
        severity: c.local ? 'medium' : 'critical',
        evidence,
        data,
        remediation: {
          summary: c.local
            ? `Check the host name for typos; if it lives in a private DNS zone, probe from the gateway pod (--exec).`
            : `The pods cannot resolve ${target.host}: fix the host name in the config (or the private DNS zone link to the cluster's network).`,
          commands: [`kubectl -n ${ns} exec deploy/model-engine -- getent hosts ${target.host}`, ...(c.local ? [exec] : [])],
        },
      });
    case 'tcp':
      if (code === 'ECONNREFUSED') {
        return fail('connectionRefused', {
          object,
          evidence,
          data,
          remediation: {
            summary: `Nothing listens on ${target.host}:${target.port}: check the port (Azure Cache for Redis TLS is 6380, ElastiCache 6379), and that the Redis is running.`,
            commands: [`kubectl -n ${ns} exec deploy/model-engine -- python -c "import socket; socket.create_connection(('${target.host}', ${target.port}), 5); print('open')"`],
          },
        });
      }
      if (c.local) {
        return skipWith('unreachableFromHere', { object, evidence, data: { ...data, where: privateWhere }, remediation: { summary: 'Probe from the gateway pod, which is on the Redis network.', commands: [exec, inPod] } });
      }
      return fail('tcpUnreachable', {
        object,
        evidence,
        data,
        remediation: {
          summary: `The gateway pod cannot reach ${target.host}:${target.port}: check the Redis firewall / security group / private endpoint allows the cluster's node or pod CIDR.`,
          commands: [`kubectl -n ${ns} exec deploy/model-engine -- python -c "import socket; socket.create_connection(('${target.host}', ${target.port}), 5)"`],
        },
      });
    case 'tls':
      switch (code) {
        case 'CERT_UNTRUSTED':
          return fail('tlsUntrusted', {
            object,
            evidence,
            data,
            remediation: {
              summary: c.local
                ? 'If the Redis uses a private CA, pass it (NODE_EXTRA_CA_CERTS=ca.pem); redis-py in the pods needs the same CA in its trust store, or ssl_cert_reqs=none in the URL.'
                : 'Give the pods the CA that signed the Redis certificate, or add ?ssl_cert_reqs=none to the URL (weaker).',
              commands: [`openssl s_client -connect ${target.host}:${target.port} -servername ${target.host} -showcerts </dev/null`],
            },
          });
        case 'CERT_HOSTNAME_MISMATCH':
          return fail('tlsHostname', {
            object,
            evidence,
            data,
            remediation: {
              summary: 'Connect with the host name the certificate is issued for (the Redis endpoint name, not an IP or CNAME).',
              commands: [`openssl s_client -connect ${target.host}:${target.port} -servername ${target.host} </dev/null 2>/dev/null | openssl x509 -noout -ext subjectAltName`],
            },
          });
        case 'CERT_EXPIRED':
          return fail('tlsExpired', { object, evidence, data, remediation: { summary: 'Renew the Redis server certificate.', commands: [`openssl s_client -connect ${target.host}:${target.port} </dev/null 2>/dev/null | openssl x509 -noout -dates`] } });
        case 'PORT_IS_PLAIN':
          return fail('portIsPlain', {
            object,
            evidence,
            data,
            remediation: {
              summary: target.port === 6379 ? 'Use the TLS port (6380 on Azure Cache for Redis), or redis:// if this Redis has no TLS.' : 'Use the TLS port of this Redis, or redis:// if it has no TLS.',
              ...(target.host.endsWith('.redis.cache.windows.net') ? { values: `config:\n  values:\n    launch:\n      cache_redis_azure_host: ${target.host}:6380\n` } : {}),
            },
          });
        case 'PORT_EXPECTS_TLS':
          return fail('portExpectsTls', {
            object,
            evidence,
            data,
            remediation: {
              summary: c.role === 'broker' ? 'Set redis.auth / redis.authSecretName so the broker URL becomes rediss://, or point at the plain port.' : 'Use rediss:// for this port (in-transit encryption is on).',
            },
          });
        default:
          return fail('tlsFailed', { object, evidence, data, remediation: { summary: 'Check the TLS setup of the Redis endpoint (port, certificate, protocol versions).', commands: [`openssl s_client -connect ${target.host}:${target.port} -servername ${target.host} </dev/null`] } });
      }
    case 'auth':
      switch (code) {
        case 'TOKEN_UNAVAILABLE':
          return skipWith('tokenNeeded', {
            object,
            evidence,
            data: { ...data, summary: r.steps.filter((s) => s.ok && !s.skipped).map((s) => s.name).join(', ') + ' ok' },
            remediation: { summary: 'Rerun with --cloud-api (uses your Azure login) or --exec (uses the pod\'s workload identity).', commands: [exec] },
          });
        case 'WRONGPASS':
          if (target.credential.kind === 'entra-token' && c.local && r.entraIdentity?.objectId && r.entraIdentity.objectId !== r.entraIdentity.podObjectId) {
            // A token of the operator's identity says nothing about the pods' data-access policy.
            const oid = r.entraIdentity.objectId;
            return skipWith('operatorTokenRejected', {
              object,
              evidence,
              data: { ...data, oid, podOid: r.entraIdentity.podObjectId ?? '(unset)' },
              remediation: {
                summary: `Probe from the gateway pod (--exec) to test the pods' identity; to probe from here, give your own identity (${oid}) a data-access policy on the cache.`,
                commands: [
                  exec,
                  `az redis access-policy-assignment create -g <resource-group> -n <cache-name> --access-policy-name "Data Contributor" --object-id ${oid} --object-id-alias doctor-operator --policy-assignment-name doctor-operator`,
                ],
              },
            });
          }
          if (target.credential.kind === 'entra-token') {
            return fail('tokenRejected', {
              object,
              evidence,
              data: { ...data, user: target.credential.username ?? '(no AZURE_OBJECT_ID)' },
              remediation: {
                summary: 'Give the managed identity (azure.object_id) a data access policy on the cache (Data Owner / Data Contributor), and make sure the pods refresh tokens (restart the cacher).',
                commands: [
                  'az redis access-policy-assignment list -g <resource-group> -n <cache-name> -o table',
                  `az redis access-policy-assignment create -g <resource-group> -n <cache-name> --access-policy-name "Data Owner" --object-id ${target.credential.username ?? '<azure.object_id>'} --object-id-alias model-engine --policy-assignment-name model-engine`,
                ],
              },
            });
          }
          return fail('wrongPassword', {
            object,
            evidence,
            data,
            remediation: {
              summary:
                c.role === 'broker'
                  ? 'Make REDIS_AUTH_TOKEN (redis.auth / redis.authSecretName) the Redis AUTH token, then restart the control plane.'
                  : 'Put the current Redis password/user in the cache URL (or its Secrets Manager secret), then restart the control plane.',
              commands: [`kubectl -n ${ns} rollout restart deploy/model-engine deploy/model-engine-endpoint-builder deploy/model-engine-cacher`],
            },
          });
        case 'NOAUTH':
          return fail('noAuth', {
            object,
            evidence,
            data,
            remediation: {
              summary: c.role === 'broker' ? 'Set redis.auth or redis.authSecretName (→ REDIS_AUTH_TOKEN).' : 'Add the password to the cache URL: rediss://:<password>@host:port/db (or the user too: rediss://<user>:<password>@…).',
            },
          });
        case 'AUTH_NOT_CONFIGURED':
          return fail('authNotConfigured', { object, evidence, data, remediation: { summary: 'Remove the password from the URL, or enable AUTH on the Redis.' } });
        default:
          break;
      }
      break;
    case 'ping':
      if (code === 'NO_REPLY') {
        return fail('noReply', {
          object,
          evidence,
          data,
          remediation: { summary: `Something accepts TCP on ${target.host}:${target.port} but is not Redis (or drops traffic): check the port and any proxy/firewall in between.` },
        });
      }
      break;
    case 'select':
      return fail('selectFailed', {
        object,
        evidence,
        data,
        remediation: {
          summary:
            code === 'SELECT_NOT_ALLOWED'
              ? 'This Redis runs in cluster mode, which has only db 0: put /0 in the URL, or use a non-cluster Redis.'
              : code === 'NOPERM'
                ? 'Allow SELECT (+select) for this Redis user.'
                : 'Use a database the server has (0-15 by default; Azure Cache for Redis and ElastiCache cluster mode only 0).',
        },
      });
    case 'acl': {
      const denied = (r.acl ?? []).filter((v) => v.allowed === false).map((v) => v.command);
      return fail('aclDenied', {
        object,
        evidence: [...evidence, ...(r.acl ?? []).map((v): Evidence => ({ type: 'probe', target: r.target, detail: `${v.command}: ${v.allowed === true ? 'allowed' : v.allowed === false ? 'DENIED' : 'unknown'} — ${v.detail}` }))],
        data: { ...data, user: r.user ?? 'default', denied: denied.join(', ') },
        remediation: {
          summary: `Grant the user the commands model-engine uses, e.g. ACL SETUSER ${r.user ?? '<user>'} +${denied.map((d) => d.toLowerCase()).join(' +')} (or +@all ~* for a dedicated Redis).`,
          commands: [`${redisCli} --user <admin> --askpass ACL GETUSER ${r.user ?? '<user>'}`],
        },
      });
    }
    case 'latency':
      break;
  }
  if (code === 'LOADING') {
    return fail('probeFailed', {
      object,
      evidence,
      data,
      remediation: {
        summary:
          'Redis is loading its dataset into memory after a restart and refuses commands until it is done: wait and rerun. If it stays so, the server restarts in a loop (out of memory, or a failover that keeps resyncing): read its log and memory limit.',
        commands: [`${redisCli} INFO persistence | grep -E 'loading|async_loading'`, exec],
      },
    });
  }
  return fail('probeFailed', { object, evidence, data, remediation: { summary: 'See the probe evidence for the failing step.', commands: [exec] } });
}
