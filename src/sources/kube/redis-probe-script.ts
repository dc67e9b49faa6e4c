/**
 * The Python that `--exec` runs in the gateway pod: model-engine resolves its own Redis URL
 * (`hmi_config.cache_redis_url`, or `get_redis_endpoint(db)` for the Celery broker), then the same steps as the
 * local probe — DNS, TCP, TLS with the standard library, AUTH/PING/SELECT/ACL/latency with redis-py, the client
 * model-engine uses. Read-only. It prints one line `MED-RESULT <json>`; passwords and tokens are scrubbed from
 * every message and never printed.
 */
export const RESULT_MARKER = 'MED-RESULT ';

export const REDIS_PROBE_PY = String.raw`
import json, socket, ssl, sys, time
from urllib.parse import urlparse, unquote, parse_qs
A = json.loads(sys.argv[1])
T = float(A.get("timeout", 5))
OUT = {"steps": []}
SECRETS = []
def scrub(s):
    s = str(s)
    for x in SECRETS:
        if x and len(x) >= 3:
            s = s.replace(x, "REDACTED")
    return (s.splitlines() or [""])[0][:300]
def step(name, ok, t0, detail, skipped=False):
    d = {"name": name, "ok": ok, "ms": int((time.time() - t0) * 1000), "detail": scrub(detail)}
    if skipped:
        d["skipped"] = True
    OUT["steps"].append(d)
def finish(failed=None, code=None):
    if failed:
        OUT["failedStep"] = failed
        OUT["errorCode"] = code
    sys.stdout.write("MED-RESULT " + json.dumps(OUT) + "\n")
    sys.stdout.flush()
    sys.exit(0)
def fail(name, t0, code, detail):
    step(name, False, t0, detail)
    finish(name, code)
def rcode(e):
    m = str(e)
    if "WRONGPASS" in m or "invalid username-password" in m or "invalid password" in m: return "WRONGPASS"
    if "NOAUTH" in m or "Authentication required" in m: return "NOAUTH"
    if "without any password configured" in m or "no password is set" in m: return "AUTH_NOT_CONFIGURED"
    if m.startswith("NOPERM") or "no permissions" in m: return "NOPERM"
    if "DB index is out of range" in m: return "DB_OUT_OF_RANGE"
    if "not allowed in cluster mode" in m: return "SELECT_NOT_ALLOWED"
    if "Timeout" in type(e).__name__ or "timed out" in m: return "NO_REPLY"
    return type(e).__name__

t0 = time.time()
try:
    if A["which"] == "cache":
        from model_engine_server.common.config import hmi_config
        url = hmi_config.cache_redis_url
    else:
        from model_engine_server.core.celery.app import get_redis_endpoint
        url = get_redis_endpoint(int(A.get("db", 0)))
except Exception as e:
    OUT["target"] = "(unresolved)"
    fail("dns", t0, "CONFIG", "model-engine could not resolve the Redis URL: %s: %s" % (type(e).__name__, e))

u = urlparse(url)
if u.password:
    SECRETS.append(unquote(u.password))
    SECRETS.append(u.password)
host = u.hostname or ""
port = u.port or 6379
use_tls = u.scheme == "rediss"
q = parse_qs(u.query)
verify = (q.get("ssl_cert_reqs", [""])[0].lower() not in ("none", "cert_none"))
path = u.path.strip("/")
db = int(path) if path.isdigit() else int(q.get("db", ["0"])[0]) if q.get("db", ["0"])[0].isdigit() else 0
user = unquote(u.username) if u.username else ""
cred = (user + ":REDACTED@") if u.password else ((user + "@") if user else "")
OUT["target"] = "%s://%s%s:%d/%d%s" % (u.scheme, cred, host, port, db, "" if verify else "?ssl_cert_reqs=none")

t0 = time.time()
try:
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    addrs = []
    for i in infos:
        if i[4][0] not in addrs:
            addrs.append(i[4][0])
    OUT["addresses"] = addrs
    step("dns", True, t0, "%s resolved to %s" % (host, ", ".join(addrs)))
except socket.gaierror as e:
    fail("dns", t0, "ENOTFOUND" if e.errno in (socket.EAI_NONAME,) else "EAI_AGAIN", "%s: %s" % (host, e))

t0 = time.time()
try:
    s = socket.create_connection((addrs[0], port), T)
    step("tcp", True, t0, "connected to %s:%d" % (addrs[0], port))
except socket.timeout:
    fail("tcp", t0, "ETIMEDOUT", "TCP connect to %s:%d: no answer within %ss" % (addrs[0], port, T))
except ConnectionRefusedError as e:
    fail("tcp", t0, "ECONNREFUSED", "connect %s:%d: %s" % (addrs[0], port, e))
except OSError as e:
    fail("tcp", t0, "EHOSTUNREACH", "connect %s:%d: %s" % (addrs[0], port, e))

t0 = time.time()
if use_tls:
    ctx = ssl.create_default_context()
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    try:
        s.settimeout(T)
        t = ctx.wrap_socket(s, server_hostname=host)
        step("tls", True, t0, "%s; certificate %s" % (t.version(), "verified" if verify else "not verified (ssl_cert_reqs=none)"))
        t.close()
    except ssl.SSLCertVerificationError as e:
        msg = getattr(e, "verify_message", "") or str(e)
        code = "CERT_HOSTNAME_MISMATCH" if "ostname" in msg else "CERT_EXPIRED" if "expired" in msg else "CERT_UNTRUSTED"
        fail("tls", t0, code, "certificate: %s" % msg)
    except socket.timeout:
        fail("tls", t0, "TLS_TIMEOUT", "TLS handshake with %s:%d: no answer within %ss (a plain Redis port never answers a ClientHello)" % (host, port, T))
    except (ssl.SSLError, OSError) as e:
        m = str(e)
        code = "PORT_IS_PLAIN" if ("WRONG_VERSION" in m.upper() or "wrong version" in m) else "ECONNRESET"
        fail("tls", t0, code, "TLS handshake failed: %s" % m)
else:
    try:
        s.settimeout(T)
        s.sendall(b"PING\r\n")
        b = s.recv(16)
        if not b or b[:1] in (b"\x15", b"\x16"):
            fail("tls", t0, "PORT_EXPECTS_TLS", "port %d closed a plain connection (it speaks TLS?): the URL says redis://" % port)
        step("tls", True, t0, "plain TCP (redis://): the port answers RESP", True)
        s.close()
    except socket.timeout:
        fail("ping", t0, "NO_REPLY", "connected to %s:%d, but nothing came back within %ss" % (host, port, T))
    except OSError as e:
        fail("tls", t0, "PORT_EXPECTS_TLS", "port %d reset a plain connection (%s): it likely speaks TLS" % (port, e))

import redis
from urllib.parse import urlencode, urlunparse
# The same URL without its db, so AUTH and SELECT are separate steps (redis-py lets the URL's db win over db=).
url0 = urlunparse(u._replace(path="", query=urlencode({k: v for k, v in q.items() if k != "db"}, doseq=True)))
t0 = time.time()
try:
    r = redis.Redis(connection_pool=redis.ConnectionPool.from_url(url0, db=0, socket_connect_timeout=T, socket_timeout=T), single_connection_client=True)
    r.ping()
    step("auth", True, t0, ("authenticated as %s" % user if user else "authenticated") if u.password else "no credentials in the URL; the server allows unauthenticated access", not u.password)
except Exception as e:
    fail("auth", t0, rcode(e), "%s: %s" % (type(e).__name__, e))
t0 = time.time()
try:
    step("ping", True, t0, "PING -> %s" % ("PONG" if r.ping() else "?"))
except Exception as e:
    fail("ping", t0, rcode(e), "%s: %s" % (type(e).__name__, e))
try:
    OUT["serverVersion"] = r.info("server").get("redis_version")
except Exception:
    pass
t0 = time.time()
if db == 0:
    step("select", True, t0, "db 0: redis-py sends no SELECT", True)
else:
    try:
        r.execute_command("SELECT", db)
        step("select", True, t0, "SELECT %d -> OK" % db)
    except Exception as e:
        fail("select", t0, rcode(e), "SELECT %d: %s" % (db, e))
t0 = time.time()
wanted = A.get("acl") or []
READ_ONLY = {"GET", "LLEN", "EXISTS", "TTL", "PTTL", "LRANGE", "MGET", "HGET", "HGETALL", "SMEMBERS", "ZRANGE", "ZREVRANGEBYSCORE", "TYPE"}
if not wanted:
    step("acl", True, t0, "no commands to check", True)
else:
    try:
        who = r.execute_command("ACL", "WHOAMI")
        who = who.decode() if isinstance(who, bytes) else str(who)
    except Exception:
        who = user or "default"
    OUT["user"] = who
    verdicts = []
    dry = True
    why = ""
    for c in wanted:
        name = c[0].upper()
        if dry:
            try:
                rep = r.execute_command("ACL", "DRYRUN", who, *c)
                rep = rep.decode() if isinstance(rep, bytes) else str(rep)
                verdicts.append({"command": name, "allowed": rep == "OK" or rep == "True", "detail": "ACL DRYRUN: " + scrub(rep)})
                continue
            except Exception as e:
                dry = False
                why = scrub(e)
        if name in READ_ONLY:
            args = [("model-engine-doctor:acl-probe" if i == 0 else a) for i, a in enumerate(c[1:])]
            try:
                r.execute_command(name, *args)
                verdicts.append({"command": name, "allowed": True, "detail": "ran %s on model-engine-doctor:acl-probe (ACL DRYRUN unavailable: %s)" % (name, why)})
            except Exception as e:
                verdicts.append({"command": name, "allowed": not rcode(e) == "NOPERM", "detail": "%s: %s" % (name, scrub(e))})
        else:
            verdicts.append({"command": name, "allowed": "unknown", "detail": "not tried (writes); ACL DRYRUN unavailable: " + why})
    OUT["acl"] = verdicts
    denied = [v["command"] for v in verdicts if v["allowed"] is False]
    if denied:
        fail("acl", t0, "NOPERM", "user %s may not run: %s" % (who, ", ".join(denied)))
    unknown = [v["command"] for v in verdicts if v["allowed"] == "unknown"]
    step("acl", True, t0, "user %s may run %d/%d commands%s" % (who, len(verdicts) - len(unknown), len(verdicts), ("; not verifiable without ACL DRYRUN: " + ", ".join(unknown)) if unknown else ""), len(unknown) == len(verdicts))
t0 = time.time()
times = []
try:
    for _ in range(5):
        t = time.time()
        r.ping()
        times.append((time.time() - t) * 1000)
except Exception as e:
    fail("latency", t0, rcode(e), "PING: %s" % e)
times.sort()
OUT["latencyMs"] = round(times[len(times) // 2], 1)
step("latency", True, t0, "median %s ms, max %s ms over 5 PINGs from the pod" % (OUT["latencyMs"], round(times[-1], 1)))
lists = A.get("lists") or []
if lists:
    OUT["lists"] = {}
    for k in lists:
        try:
            OUT["lists"][k] = r.llen(k)
        except Exception:
            OUT["lists"][k] = None
finish()
`;

/** Prints the installed version of a distribution (empty line when not installed). */
export const PACKAGE_VERSION_PY = String.raw`
import sys
try:
    from importlib.metadata import version
    print("MED-RESULT " + version(sys.argv[1]))
except Exception:
    print("MED-RESULT ")
`;
