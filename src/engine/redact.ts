/**
 * Secrets never leave the process: every value that reaches a result, a diagnosis, a snapshot, a served answer, a
 * log line or an error message passes through here first. One engine, three entry points:
 *
 * - {@link isSecretKey}: does a key (env name, YAML/JSON key, header, annotation, CLI flag) hold a credential?
 *   Keys are split into words (`AZURE_CLIENT_SECRET`, `clientSecret`, `x-api-key`, `X-Amz-Security-Token`) and the
 *   last words decide, so `secretName`, `authSecretKey`, `max_tokens` or `token_file` (which name or count a
 *   secret) stay readable.
 * - {@link redactText}: free text (logs, event messages, error messages): `KEY=value` / `key: value` /
 *   `"key": "value"` assignments under credential keys, `Authorization` headers, URLs with a password (an `@`
 *   inside the password included) or a bare user, known token formats (GitHub, GitLab, AWS access key ids,
 *   Hugging Face, Slack, Google, OpenAI, Stripe, JWTs), PEM private keys, CLI arguments (`--password VALUE`,
 *   `redis-cli -a VALUE`, `curl -u user:VALUE`). Prose is not an assignment: a word of a sentence before a colon
 *   (`rejected the credentials: 401 Unauthorized`) is not a key, and what follows a key is not masked when it
 *   cannot be a secret (a status code and its reason, a parenthesised or quoted aside, a sentence).
 * - {@link redactValue}: structured data, by key; strings that hold YAML or JSON (a ConfigMap's service config)
 *   are parsed and their credential values masked in place, the rest of the text untouched.
 *
 * What stays: keys, hosts, ports, user names, image references, secret *names*. The value becomes `REDACTED`.
 * docs/security.md lists the shapes; test/security/redact-corpus.test.ts holds one case per shape.
 */
import { isPair, isScalar, parseAllDocuments, visit, type Scalar } from 'yaml';
import type { Evidence } from './types.js';

export const REDACTED = 'REDACTED';
const B64_REDACTED = 'UkVEQUNURUQ=';

// ─── keys ────────────────────────────────────────────────────────────────────────────────────────────────────────

/** `AZURE_CLIENT_SECRET` → [azure, client, secret]; `X-Amz-Security-Token`, `clientSecret`, `APIKey` likewise. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** A last word that holds a credential by itself. */
const SECRET_WORDS = new Set([
  'password', 'passwd', 'pwd', 'pass', 'passphrase', 'secret', 'token', 'apikey', 'credential', 'credentials',
  'creds', 'sig', 'signature', 'cookie', 'auth', 'authorization', 'sas', 'jwt', 'privatekey', 'accountkey',
  'accesskey', 'secretkey', 'sharedaccesskey', 'sharedaccesssignature', 'connectionstring', 'connstr',
  'dockerconfigjson', 'dockercfg', 'pem', 'requirepass', 'masterauth',
]);
/** Words run together (`PGPASSWORD`, `requirepass`, `accesstoken`). */
const COMPOUND_SECRET = /(?:password|passwd|passphrase|apikey|accesstoken|authtoken|refreshtoken|idtoken|bearertoken|sessiontoken|secretkey|privatekey|accountkey|accesskey|requirepass|masterauth|clientsecret)$/;
/** `<qualifier>_key` holds a key: `api_key`, `AccountKey`, `aws_secret_access_key`; a bare `key` does not. */
const KEY_QUALIFIERS = new Set([
  'api', 'access', 'secret', 'private', 'account', 'signing', 'encryption', 'master', 'client', 'shared',
  'subscription', 'storage', 'session', 'hmac', 'license', 'primary', 'secondary', 'admin', 'ssh', 'auth',
  'webhook', 'sas', 'consumer', 'app', 'service', 'decryption', 'crypto', 'jwt', 'tls',
]);
/** `<word>_secret` that names a Secret object rather than holding one: `existingSecret`, `imagePullSecret`. */
const SECRET_NAME_PREFIXES = new Set(['existing', 'pull', 'tls', 'image', 'keda', 'password', 'token', 'auth', 'credential', 'credentials', 'k8s', 'kubernetes', 'vault', 'sealed', 'external', 'target']);
/** `<word>_token` that is a tokenizer's or a counter's token, not a credential: `eos_token`, `max_token`. */
const TOKEN_NOT_SECRET = new Set(['eos', 'bos', 'pad', 'unk', 'sep', 'cls', 'mask', 'max', 'min', 'num', 'total', 'special', 'stop', 'start', 'end', 'next', 'page', 'continue', 'cancellation', 'csrf', 'lexer']);
/** `<word>_auth` that switches auth on or names its kind: `enableAuth`, `use_auth`. */
const AUTH_NOT_SECRET = new Set(['enable', 'enabled', 'use', 'require', 'required', 'disable', 'disabled', 'skip', 'no', 'with', 'oauth', 'basic', 'iam']);
/**
 * Keys whose values are URLs that may carry a password: in structured data the value goes whole (as under any
 * credential key); in free text only the URL's password goes (the URL rule), so `--from-file=database_url=./f` and
 * hosts in log lines stay readable.
 */
const URL_KEY = /^(?:database|db|sqlalchemy|postgres|postgresql|mysql|mongo|mongodb|broker|connection|conn|sentry)?$/;

type KeyClass = 'secret' | 'url' | 'none';
const keyCache = new Map<string, KeyClass>();

function classifyKey(key: string): KeyClass {
  const cached = keyCache.get(key);
  if (cached) return cached;
  // `redis/auth`, `cluster/database-secret` (a check id), `logs/token`: a path or an id, not a key. Annotation keys
  // have a domain before the slash (`example.com/api-token`) and are classified.
  // A bare `pass` is a result's status (`"pass": 40`, `pass: one result`); `REDIS_PASS`, `--pass` hold a password.
  const out = /^[^./]*\//.test(key) || /^pass$/i.test(key) ? 'none' : classifyWords(keyWords(key.replace(/^-+/, '')));
  if (keyCache.size > 10_000) keyCache.clear();
  keyCache.set(key, out);
  return out;
}

function classifyWords(words: string[]): KeyClass {
  const w = words.at(-1);
  if (!w) return 'none';
  const p = words.at(-2);
  const p2 = words.at(-3);
  if ((w === 'url' || w === 'uri') && p !== undefined && URL_KEY.test(p)) return 'url';
  if (w === 'dsn') return 'url';
  if (w === 'key') {
    if (p === undefined || !KEY_QUALIFIERS.has(p)) return 'none';
    // `authSecretKey`, `kedaSecretKey` name a key inside a Secret; `SECRET_KEY`, `aws_secret_key` hold one.
    if (p === 'secret' && p2 !== undefined && !['aws', 's3', 'minio', 'gcs', 'storage', 'access', 'azure', 'r2', 'b2', 'django', 'flask', 'app', 'api'].includes(p2)) return 'none';
    return 'secret';
  }
  if (w === 'string' && p === 'connection') return 'secret';
  if (w === 'str' && p === 'conn') return 'secret';
  if (w === 'secret' && p !== undefined && SECRET_NAME_PREFIXES.has(p)) return 'none';
  if (w === 'token' && p !== undefined && TOKEN_NOT_SECRET.has(p)) return 'none';
  if (w === 'auth' && p !== undefined && AUTH_NOT_SECRET.has(p)) return 'none';
  if (w === 'pass' && p !== undefined && ['by', 'first', 'second', 'bypass', 'can', 'no'].includes(p)) return 'none';
  if (SECRET_WORDS.has(w) || COMPOUND_SECRET.test(w)) return 'secret';
  return 'none';
}

/**
 * Does a key (env name, YAML/JSON key, header, annotation, CLI flag) hold a credential, or a URL that may hold one
 * (`DATABASE_URL`: its password is masked, the rest of the URL stays)?
 */
export function isSecretKey(key: string): boolean {
  return classifyKey(key) !== 'none';
}

/** A URL (`postgresql://…`) or a keyword DSN (`host=db user=llm password=…`): the text rules mask what it holds. */
function urlOrDsn(value: string): boolean {
  return /^\s*[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/\S*\s*$/.test(value) || /^\s*(?:[A-Za-z_]\w*=\S*\s*)+$/.test(value);
}

/**
 * Does a value under `key` in structured data go whole? Under a credential key, yes; under a URL key (`DATABASE_URL`)
 * only when it is no URL or DSN (a URL keeps its scheme, user, host and database, and loses its password as text).
 */
function masksWhole(key: string, value: unknown): boolean {
  const cls = classifyKey(key);
  return cls === 'secret' || (cls === 'url' && !(typeof value === 'string' && urlOrDsn(value)));
}

/** Values left alone under a credential key: empty, already masked, booleans, references to other variables. */
function keepAsIs(value: string): boolean {
  const t = value.trim();
  return (
    t === '' ||
    t === B64_REDACTED ||
    /^(?:REDACTED|<redacted>|\[REDACTED\]|\*+|x{3,}|true|false|null|none|nil|~|yes|no|on|off|\{\}|\[\])$/i.test(t) ||
    /^\$\{[A-Za-z_][\w.]*\}$/.test(t) ||
    /^\$\([A-Za-z_]\w*\)$/.test(t) ||
    /^\{\{[^{}]*\}\}$/.test(t) ||
    // A format placeholder (`rediss://{user}:{password}@{host}`) or code in a traceback's source line
    // (`password = token.token`, `token = DefaultAzureCredential().get_token(`).
    /^\{[A-Za-z_][\w.]*\}$/.test(t) ||
    /^[A-Za-z_][\w.]*\(/.test(t) ||
    /^[a-z_]+(?:\.[a-z_]+)+$/.test(t) ||
    // A placeholder (`<your-password>`) or a file path (`./database_url`, `/etc/secrets/redis/password`).
    /^<[^<>\s]*>$/.test(t) ||
    /^(?:\.\.?|~)\/\S*$/.test(t) ||
    /^\/(?:[a-z0-9_.-]+\/)+[a-z0-9_.-]*$/.test(t)
  );
}

// ─── free text ───────────────────────────────────────────────────────────────────────────────────────────────────

const PEM_BEGIN = /-----BEGIN ([A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?)-----/g;
// The body of a block cut short (the tail of a log): base64 lines, across real or escaped (`\n`) newlines.
const PEM_BODY = /(?:(?:\r?\n|(?:\\r)?\\n)?[A-Za-z0-9+/=]+)*/y;

/** PEM private key blocks, whole (BEGIN … END), or from BEGIN through the base64 that follows when END is missing. */
function redactPem(text: string): string {
  const parts: string[] = [];
  let last = 0;
  const noEnd = new Set<string>();
  const re = new RegExp(PEM_BEGIN.source, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index < last) continue;
    const kind = m[1]!;
    const endMarker = `-----END ${kind}-----`;
    const bodyStart = m.index + m[0].length;
    if (text.startsWith(REDACTED, bodyStart)) continue;
    const end = noEnd.has(kind) ? -1 : text.indexOf(endMarker, bodyStart);
    parts.push(text.slice(last, m.index), `-----BEGIN ${kind}-----${REDACTED}`);
    if (end >= 0) {
      parts.push(endMarker);
      last = end + endMarker.length;
    } else {
      noEnd.add(kind);
      PEM_BODY.lastIndex = bodyStart;
      PEM_BODY.exec(text);
      last = Math.max(PEM_BODY.lastIndex, bodyStart);
    }
    re.lastIndex = Math.max(re.lastIndex, last);
  }
  return parts.length === 0 ? text : parts.join('') + text.slice(last);
}

/** Well-known token formats, masked wherever they appear. */
const TOKEN_FORMATS: readonly RegExp[] = [
  /(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{20,255}(?![A-Za-z0-9])/g, // GitHub
  /(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{20,255}/g,
  /(?<![A-Za-z0-9])glpat-[A-Za-z0-9_-]{20,}/g, // GitLab
  /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g, // AWS access key ids
  /(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,}(?![A-Za-z0-9])/g, // Hugging Face
  /(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack
  /(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g, // Google API keys
  /(?<![A-Za-z0-9])ya29\.[0-9A-Za-z_-]{20,}/g, // Google OAuth access tokens
  /(?<![A-Za-z0-9])sk-(?:proj-|svcacct-|admin-)?(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{32,}/g, // OpenAI
  /(?<![A-Za-z0-9])[sr]k_live_[A-Za-z0-9]{16,}/g, // Stripe
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, // JWTs
];

// scheme://user:password@host — the password may hold `@` (greedy to the last `@` before the host) and `:`.
const URL_AUTH = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/)([^\s/?#@"'<>`:\\]*)(?::([^\s/?#"'<>`\\]*))?@(?=[^\s/?#@"'<>`\\]*[A-Za-z0-9\]])/g;
/** User names that are conventions, not credentials, in `scheme://user@host`. */
const PLAIN_URL_USERS = new Set(['git', 'root', 'postgres', 'admin', 'default', 'ubuntu', 'ec2-user', 'centos', 'core', 'user', 'anonymous', 'ftp', 'hg', 'svn', 'oauth2', 'x-access-token', 'x-oauth-basic', 'token']);

const BEARER = /(?<![A-Za-z0-9])(Bearer)([ \t]+)([A-Za-z0-9._~+/-]+=*)/gi;
/** `Bearer token expired`, `bearer authentication`, `Bearer and Basic`: prose, not a credential. */
const BEARER_PROSE = new Set([
  'token', 'tokens', 'auth', 'authentication', 'authorization', 'scheme', 'schemes', 'header', 'headers', 'credentials',
  'credential', 'realm', 'error', 'type', 'method', 'prefix', 'value', 'string', 'format', 'flow', 'grant', 'access',
  'only', 'required', 'missing', 'invalid', 'expired', 'challenge',
]);
const BASIC = /(?<![A-Za-z0-9])(Basic)([ \t]+)([A-Za-z0-9+/]+={0,2})(?![A-Za-z0-9+/=])/gi;
const AUTH_SCHEME = /^(?:Basic|Bearer|Token|Digest|Negotiate|NTLM|SharedKey|SharedAccessSignature|AWS4-HMAC-SHA256|OAuth)[ \t]+/i;

// KEY = / : / := / => at the start of an identifier, optionally quoted (`"password":`, `\"token\":`, `'pwd':`).
const KEY_SEP = /(?<![\w.\-/\\@$])(\\?["']?)(-{0,2}[A-Za-z_][\w.\-/]*)\1([ \t]*)(=>|:=|[:=])(?!=)(?!\/\/)([ \t]*)/g;
// {name: X_PASSWORD, value: …} in text (a pod spec dumped as YAML or JSON in a log or an annotation).
const ENV_PAIR = /(\\?["']?)name\1[ \t]*[:=][ \t]*(\\?["']?)([A-Za-z_][\w.-]*)\2[ \t]*(?:,|\r?\n)[ \t-]*(\\?["']?)value\4[ \t]*([:=])[ \t]*/g;
// --password VALUE (space-separated); --password=VALUE is an assignment.
const FLAG_SPACE = /(?<![\w-])(--?[A-Za-z][\w-]*)([ \t]+)(["']?)([^\s"'`-][^\s"'`]*)\3/g;

function isPrintable(s: string): boolean {
  return /^[\x20-\x7e]+$/.test(s);
}

function basicCredential(b64: string): boolean {
  if (b64.length < 4 || b64.length % 4 !== 0) return false;
  const decoded = Buffer.from(b64, 'base64').toString('latin1');
  return decoded.includes(':') && isPrintable(decoded);
}

/** Random-looking: 16+ letters, digits and `_` with at least one digit, or 32+ characters of a token's alphabet. */
function tokenShaped(s: string): boolean {
  return (/^[A-Za-z0-9_]{16,}$/.test(s) && /\d/.test(s) && /[A-Za-z]/.test(s)) || /^[A-Za-z0-9_.~+%=-]{32,}$/.test(s);
}

function redactUrls(text: string): string {
  return text.replace(URL_AUTH, (m, scheme: string, user: string, password: string | undefined) => {
    if (password !== undefined) return password === '' || keepAsIs(password) ? m : `${scheme}${user}:${REDACTED}@`;
    // A user alone is a credential only when it is shaped like a token (`https://ghp_…@github.com`): a user name
    // (`postgresql://llm_engine@db`), or `azureservicebus://DefaultAzureCredential@ns…` (how it authenticates), stays.
    if (user === '' || keepAsIs(user) || PLAIN_URL_USERS.has(user.toLowerCase()) || !tokenShaped(user)) return m;
    return `${scheme}${REDACTED}@`;
  });
}

/**
 * `user:password@registry.example.com/path` — a registry credential with no scheme (an image prefix as values write
 * it; `docker login` URLs without `https://`). The host must look like one (a dotted name or localhost, a port, then
 * a path or the end). Not a digest reference: after the `@` of `nginx:1.25@sha256:<hex>` comes an algorithm and hex.
 */
const HOST_AUTH =
  /(?<![\w.+%~:@$\\-])([A-Za-z0-9._~%+-]{1,128}):([^\s/?#"'<>`\\]{1,256})@(?![a-z0-9]+(?:[+._-][a-z0-9]+)*:[A-Za-z0-9=_-]{16,})(?=(?:localhost|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?::\d{1,5})?(?:[/\s"'`<>),;\]}|]|\\|$))/g;
/**
 * Not a user: `mailto:someone@example.com` and kin (a scheme without `//`, and an address), and the level of a line
 * in Python logging's default format (`INFO:celery:celery@worker.example.com ready`).
 */
const NOT_USERS = new Set(['mailto', 'sip', 'sips', 'xmpp', 'im', 'pres', 'tel', 'acct', 'debug', 'info', 'warning', 'warn', 'error', 'critical', 'fatal', 'trace']);

/** A password to mask: not a placeholder, and not the user's own name (`postgres:postgres@localhost`: a well-known default). */
const hostAuthPassword = (user: string, password: string): boolean => !NOT_USERS.has(user.toLowerCase()) && !keepAsIs(password) && password !== user;

function redactHostAuth(text: string): string {
  return text.replace(HOST_AUTH, (m, user: string, password: string) => (hostAuthPassword(user, password) ? `${user}:${REDACTED}@` : m));
}

/**
 * The passwords in `text` that the URL rules mask: of `scheme://user:password@host` URLs and of scheme-less
 * `user:password@registry/…` credentials. For a caller that prints pieces of such a reference apart from their `@`
 * (an image reference whose parser took the password for a tag) and masks those too.
 */
export function urlPasswordsIn(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(URL_AUTH)) if (m[3] && !keepAsIs(m[3])) out.add(m[3]);
  for (const m of text.matchAll(HOST_AUTH)) if (hostAuthPassword(m[1]!, m[2]!)) out.add(m[2]!);
  return [...out];
}

interface ValueRange {
  start: number;
  end: number;
}

/**
 * The extent of the value that starts at `i` after a separator: quoted, a list, a YAML block scalar, the words of a
 * YAML plain scalar or a header (`yaml`: a `key:` at the start of a line), or one word (after `=`, and after a `key:`
 * inside a line, where the words that follow are the line's own).
 */
function valueAt(text: string, i: number, mode: 'yaml' | 'word'): ValueRange | undefined {
  const c = text[i];
  if (c === undefined || c === '\n' || c === '\r') return undefined;
  if (c === '\\' && text[i + 1] === '"') {
    const close = text.indexOf('\\"', i + 2);
    const eol = lineEnd(text, i);
    return { start: i + 2, end: close >= 0 && close < eol ? close : eol };
  }
  if (c === '"' || c === "'") {
    const eol = lineEnd(text, i);
    let j = i + 1;
    while (j < eol && text[j] !== c) j += c === '"' && text[j] === '\\' ? 2 : 1;
    return { start: i + 1, end: Math.min(j, eol) };
  }
  // A map under a credential key holds keys of its own (`"credentials": {"user": …}`): those decide.
  if (c === '{' || c === '&' || c === '*' || c === '#') return undefined;
  if (c === '[') {
    // A list under a credential key is a list of credentials: to its closing bracket, or the end of the line.
    const eol = lineEnd(text, i);
    const close = text.indexOf(']', i);
    return { start: i, end: close >= 0 && close < eol ? close + 1 : eol };
  }
  // A block scalar (`password: |` and the lines under it), also after a log line's prefix (`ERROR … password: |`).
  if ((c === '|' || c === '>') && (mode === 'yaml' || /^[|>][-+0-9]*[ \t]*\r?\n/.test(text.slice(i, i + 8)))) return blockScalarAt(text, i);
  if (mode === 'yaml') {
    // YAML plain scalars and headers run to the end of the line: words, until a separator, a comment or another key.
    let j = i;
    const word = /[^\s,;}\]"'\\]+/y;
    const more = /[ \t]+([^\s,;}\]"'\\#=:][^\s,;}\]"'\\=:]*)(?=[\s,;}\]"'\\]|$)/y;
    word.lastIndex = j;
    if (!word.exec(text)) return undefined;
    j = word.lastIndex;
    for (;;) {
      more.lastIndex = j;
      if (!more.exec(text)) break;
      j = more.lastIndex;
    }
    return { start: i, end: j };
  }
  // `Authorization: Token abc` inside a line: the scheme and its credential.
  const scheme = AUTH_SCHEME.exec(text.slice(i, i + 40));
  const from = scheme ? i + scheme[0].length : i;
  const word = /[^\s"'`;&<>]+/y;
  word.lastIndex = from;
  const m = word.exec(text);
  if (!m) return undefined;
  // `f(password=abc)`, `token=abc.` — closing punctuation is not part of the value.
  const trimmed = m[0].replace(/[.,)\]}]+$/, '');
  return trimmed ? { start: i, end: from + trimmed.length } : undefined;
}

function lineEnd(text: string, i: number): number {
  const n = text.indexOf('\n', i);
  return n < 0 ? text.length : n;
}

/** `key: |` followed by lines indented deeper than the key's line: the whole block is the value. */
function blockScalarAt(text: string, i: number): ValueRange | undefined {
  const eol = lineEnd(text, i);
  if (!/^[|>][-+0-9]*[ \t]*$/.test(text.slice(i, eol))) return undefined;
  const lineStart = text.lastIndexOf('\n', i - 1) + 1;
  const indent = /^[ \t-]*/.exec(text.slice(lineStart, i))![0].length;
  let end = eol;
  let j = eol;
  while (j < text.length) {
    const next = lineEnd(text, j + 1);
    const line = text.slice(j + 1, next);
    if (line.trim() !== '' && /^[ \t]*/.exec(line)![0].length <= indent) break;
    if (line.trim() !== '') end = next;
    j = next;
    if (next >= text.length) break;
  }
  return { start: i, end };
}

/** Replace the value at `range` when it is not already clean; keeps an auth scheme (`Bearer REDACTED`). */
function maskRange(text: string, range: ValueRange, out: { parts: string[]; last: number }): void {
  let start = range.start;
  const value = text.slice(start, range.end);
  const scheme = AUTH_SCHEME.exec(value);
  if (scheme) start += scheme[0].length;
  if (keepAsIs(text.slice(start, range.end)) || start < out.last) return;
  out.parts.push(text.slice(out.last, start), REDACTED);
  out.last = range.end;
}

// ─── what is a key, and what can be a secret, in free text ───────────────────────────────────────────────────────

/**
 * A key as code writes one: `REDIS_PASSWORD`, `x-api-key`, `redis.auth`, `clientSecret`, `PGPASSWORD`, `--token`.
 * A word of a sentence (`credentials`, `Secret`, `token`) is not one.
 */
function identifierLike(key: string): boolean {
  return key.startsWith('-') || /[A-Za-z0-9][_.\-/][A-Za-z0-9]/.test(key) || /[a-z][A-Z]/.test(key) || /^[A-Z][A-Z0-9]+$/.test(key);
}

/**
 * Where a key candidate stands in its line: at its start (`line`: the start of a line or of a list item, also after an
 * escaped line break inside JSON), where keys are written (`start`: after `{ [ ( , ; & ? |`, an opening quote, or a
 * prefix such as `INFO:root:`), right after `=` (`value`: in `name = llm-engine-postgres-credentials: …` the second
 * token is the first one's value), or inside a sentence or after another key's `: ` (`inline`).
 */
function placeOf(text: string, index: number): 'line' | 'start' | 'value' | 'inline' {
  // At most 200 characters back: a 4 MB log on one line costs no more per key than a short one.
  const from = Math.max(0, index - 200);
  const window = text.slice(from, index);
  const nl = window.lastIndexOf('\n');
  const before = nl >= 0 ? window.slice(nl + 1) : window;
  const lineStart = nl >= 0 || from === 0;
  if ((lineStart && /^[ \t]*(?:-[ \t]+)?$/.test(before)) || /\\[nr][ \t]*(?:-[ \t]+)?$/.test(before)) return 'line';
  if (/[{[(,;&?|"'`][ \t]*(?:-[ \t]+)?$|[\w\]]:$/.test(before)) return 'start';
  return /=[ \t]*$/.test(before) ? 'value' : 'inline';
}

/** Words that hold a password whatever stands around them: `invalid password: hunter2` is one even in a sentence. */
const PASSWORD_WORD = /^(?:password|passwd|passphrase|pwd)$/i;

/**
 * Is the match a key? A quoted key is; before `=` any word is one; before `:` a word is one where keys are written,
 * and inside a line only when it is shaped like an identifier (`… REDIS_PASSWORD: x`), comes before an auth scheme
 * (`(Authorization: Token x)`), or is `password` before a single word that ends the clause (`invalid password: x`).
 * `rejected the credentials: 401 Unauthorized` is a sentence.
 */
function isKeyHere(text: string, m: RegExpExecArray, place: ReturnType<typeof placeOf>): boolean {
  const [, quote, key, spaceBefore, sep, spaceAfter] = m as unknown as [string, string, string, string, string, string];
  if (quote) return true;
  if (sep !== ':') return spaceBefore === '' || place === 'start' || place === 'line' || identifierLike(key);
  const rest = restOfLine(text, m.index + m[0].length);
  // `arn:aws:secretsmanager:…:secret:ml-prod/db`: a colon inside a token, with none after it, joins the token.
  if (spaceAfter === '' && text[m.index - 1] === ':' && rest !== '') return false;
  if (spaceBefore !== '' || place !== 'inline') return place === 'start' || place === 'line';
  if (identifierLike(key) || AUTH_SCHEME.test(rest)) return true;
  return PASSWORD_WORD.test(key) && /^[^\s,;)]+[ \t]*(?:[,;)]|\.?[ \t]*$)/.test(rest);
}

/** Words that begin a sentence or say what is wrong with a value (`password: missing`), never a secret. */
const PROSE_WORDS = new Set([
  'the', 'a', 'an', 'this', 'that', 'these', 'those', 'it', 'its', 'is', 'are', 'was', 'were', 'be', 'been', 'not',
  'to', 'of', 'in', 'on', 'at', 'for', 'from', 'with', 'without', 'by', 'and', 'or', 'but', 'if', 'when', 'then',
  'than', 'as', 'so', 'which', 'who', 'what', 'where', 'has', 'have', 'had', 'do', 'does', 'did', 'can', 'cannot',
  'could', 'should', 'would', 'will', 'must', 'may', 'see', 'use', 'set', 'unset', 'missing', 'required', 'empty',
  'invalid', 'expired', 'denied', 'rejected', 'refused', 'failed', 'found', 'provided', 'present', 'absent',
  'unknown', 'undefined', 'n/a', 'redacted', 'hidden', 'masked', 'omitted',
]);

/**
 * What follows a key in free text cannot be a secret: a number and a word (`401 Unauthorized`, `3 retries left`), a
 * parenthesised or angle-bracketed aside (`(none)`, `<set to the key 'auth_token' in secret 'redis'>`), a quoted name
 * the sentence goes on after (`"llm-engine-postgres-credentials" not found`), or a sentence (`the control plane
 * reads …`, `missing`).
 */
/** Up to 200 characters of the line from `start`. */
function restOfLine(text: string, start: number): string {
  const rest = text.slice(start, start + 200);
  const nl = rest.indexOf('\n');
  return nl >= 0 ? rest.slice(0, nl) : rest;
}

function proseAt(text: string, start: number): boolean {
  const rest = restOfLine(text, start);
  if (/^\d+(?:\.\d+)?[ \t]+[A-Za-z]/.test(rest) || /^\(/.test(rest) || /^<[^<>]*>/.test(rest)) return true;
  const q = rest[0];
  if (q === '"' || q === "'") {
    const close = rest.indexOf(q, 1);
    return close > 0 && /^[ \t]+[A-Za-z]/.test(rest.slice(close + 1));
  }
  const first = /^[A-Za-z]+(?:\/[A-Za-z]+)?/.exec(rest)?.[0];
  return first !== undefined && PROSE_WORDS.has(first.toLowerCase()) && !/^[\w.@+~-]/.test(rest.slice(first.length));
}

function redactAssignments(text: string): string {
  const out = { parts: [] as string[], last: 0 };
  const re = new RegExp(KEY_SEP.source, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    // URL-valued keys (`database_url=…`) lose only the URL's password, masked by the URL rule.
    if (classifyKey(m[2]!) !== 'secret') continue;
    const place = placeOf(text, m.index);
    if (!isKeyHere(text, m, place)) continue;
    const assignment = m[4] !== ':';
    // `REDIS_PASSWORD= REDIS_HOST=cache`: the space after `=` ends an empty value.
    if (assignment && m[3] === '' && m[5] !== '') continue;
    const start = m.index + m[0].length;
    // A YAML plain scalar or a header runs to the end of the line; inside a line the value is one word.
    const range = valueAt(text, start, !assignment && place === 'line' ? 'yaml' : 'word');
    // `YAML client_secret::` — punctuation alone is not a secret.
    if (!range || !/[A-Za-z0-9]/.test(text.slice(range.start, range.end))) continue;
    // `credentials: https://user:REDACTED@host` (prose about a URL): the URL rule has masked what it holds.
    if (/^[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\//.test(text.slice(range.start, range.end))) continue;
    // `volume "creds" : secret "x" not found` (a kubelet message), unlike JSON's `"creds" : "x"`, is prose.
    if (m[1] && m[3] && !/["']/.test(text[range.start - 1] ?? '')) continue;
    if (!m[1] && proseAt(text, start)) continue;
    maskRange(text, range, out);
    if (range.end > re.lastIndex) re.lastIndex = range.end;
  }
  if (out.parts.length === 0) return text;
  return out.parts.join('') + text.slice(out.last);
}

function redactEnvPairs(text: string): string {
  if (!/name/.test(text) || !/value/.test(text)) return text;
  const out = { parts: [] as string[], last: 0 };
  const re = new RegExp(ENV_PAIR.source, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index + m[0].length;
    if (classifyKey(m[3]!) !== 'secret' || proseAt(text, start)) continue;
    const range = valueAt(text, start, m[5] === ':' ? 'yaml' : 'word');
    if (range) maskRange(text, range, out);
  }
  if (out.parts.length === 0) return text;
  return out.parts.join('') + text.slice(out.last);
}

/** Arguments whose meaning depends on the command: `redis-cli -a PW`, `curl -u user:PW`, `docker login -p PW`. */
function redactCommandLines(text: string): string {
  if (!/redis-cli|curl|wget|login|mysql|sshpass/.test(text)) return text;
  // `-a VALUE` / `-p VALUE`, unless what follows the flag is prose (`login with -p to read it from stdin`).
  const arg = (line: string, flag: RegExp) =>
    line.replace(flag, (m: string, f: string, sp: string, _v: string, offset: number) => (proseAt(line, offset + f.length + sp.length) ? m : `${f}${sp}${REDACTED}`));
  return text
    .split('\n')
    .map((line) => {
      let l = line;
      if (/\bredis-cli\b/.test(l)) l = arg(l, /(?<=\s)(-a)([ \t]+)(?!REDACTED\b)([^\s"']+)/g);
      if (/\b(?:curl|wget)\b/.test(l)) l = l.replace(/(?<=\s)(-u|--user)([ \t]+["']?)([^\s:"']*):(?!REDACTED\b)([^\s"']+)/g, `$1$2$3:${REDACTED}`);
      if (/\b(?:login|sshpass)\b/.test(l)) l = arg(l, /(?<=\s)(-p)([ \t]+)(?!REDACTED\b)([^\s"'-][^\s"']*)/g);
      if (/\bmysql\b/.test(l)) l = l.replace(/(?<=\s)-p(?!REDACTED\b)([^\s"'-][^\s"']*)/g, `-p${REDACTED}`);
      return l;
    })
    .join('\n');
}

/** What every rule below needs at least one of: most strings (names, labels, images) are let through at once. */
const MAY_HOLD_SECRET = /[=:@]|--|eyJ|gh[pousr]_|github_pat_|glpat-|A[KS]IA|ABIA|ACCA|hf_|xox[abposr]-|AIza|ya29\.|sk-|[sr]k_live_|[Bb]earer|BEARER|[Bb]asic|BASIC|redis-cli|curl|wget|login|mysql|sshpass/;

/**
 * Mask credentials inside free text: PEM private keys, URLs with a password or a bare user, known token formats,
 * `Authorization` credentials, assignments under credential keys, CLI arguments. Idempotent.
 */
export function redactText(text: string): string {
  if (text.length === 0 || !MAY_HOLD_SECRET.test(text)) return text;
  let t = text;
  if (t.includes('-----BEGIN')) t = redactPem(t);
  if (t.includes('://')) t = redactUrls(t);
  if (t.includes('@')) t = redactHostAuth(t);
  for (const re of TOKEN_FORMATS) t = t.replace(re, REDACTED);
  // `WWW-Authenticate: Bearer realm="…",service="…"` is a challenge (auth-params), not a credential.
  t = t.replace(BEARER, (m: string, kind: string, sp: string, token: string, offset: number, all: string) =>
    token === REDACTED || BEARER_PROSE.has(token.toLowerCase()) || PROSE_WORDS.has(token.toLowerCase()) || (/^[A-Za-z]+=$/.test(token) && /\S/.test(all[offset + m.length] ?? ''))
      ? m
      : `${kind}${sp}${REDACTED}`,
  );
  t = t.replace(BASIC, (m, kind: string, sp: string, b64: string) => (basicCredential(b64) ? `${kind}${sp}${REDACTED}` : m));
  t = redactEnvPairs(t);
  t = redactAssignments(t);
  // `--password VALUE`, unless the words after the flag are prose (`pass --token to kubectl`); a quoted one is the value.
  t = t.replace(FLAG_SPACE, (m: string, flag: string, sp: string, q: string, value: string, offset: number, all: string) =>
    flag.startsWith('--') && classifyKey(flag) === 'secret' && !keepAsIs(value) && (q !== '' || !proseAt(all, offset + flag.length + sp.length)) ? `${flag}${sp}${q}${REDACTED}${q}` : m,
  );
  return redactCommandLines(t);
}

// ─── structured values ───────────────────────────────────────────────────────────────────────────────────────────

/** Strings larger than this are masked as text only (never parsed as YAML/JSON). */
const EMBEDDED_MAX = 1 << 20;
const MAX_DEPTH = 200;

/**
 * A string value: masked as text, and when it holds a YAML or JSON document (a ConfigMap's service config, an
 * annotation, a helm value), the values under credential keys in it are masked in place, the rest untouched.
 */
export function redactString(s: string): string {
  const t = redactText(s);
  if (t.length > EMBEDDED_MAX || !(t.includes('\n') || /^\s*[{[]/.test(t)) || !/[:=]/.test(t)) return t;
  return redactEmbedded(t);
}

function redactEmbedded(text: string): string {
  let docs;
  try {
    docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false, strict: false });
  } catch {
    return text;
  }
  const list = Array.isArray(docs) ? docs : [];
  if (list.length === 0 || list.some((d) => d.errors.length > 0)) return text;
  const ranges: [number, number][] = [];
  const mask = (node: unknown) => {
    if (!isScalar(node) || !node.range) return;
    const v = node.value;
    if ((typeof v === 'string' && !keepAsIs(v)) || typeof v === 'number' || typeof v === 'bigint') ranges.push([node.range[0], node.range[1]]);
  };
  for (const doc of list) {
    visit(doc, {
      Pair(_k, pair) {
        if (!isScalar(pair.key) || !isScalar(pair.value)) return;
        if (masksWhole(String(pair.key.value), pair.value.value)) mask(pair.value);
      },
      Map(_k, map) {
        const name = map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'name');
        const value = map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'value');
        if (isPair(name) && isPair(value) && isScalar(name.value) && isScalar(value.value) && typeof (name.value as Scalar).value === 'string' && masksWhole((name.value as Scalar<string>).value, value.value.value)) mask(value.value);
      },
    });
  }
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let last = 0;
  for (const [start, end] of ranges) {
    if (start < last) continue;
    const src = text.slice(start, end);
    const q = src[0] === '"' || src[0] === "'" ? src[0] : '';
    out += text.slice(last, start) + `${q}${REDACTED}${q}` + (/^[|>]/.test(src) && src.endsWith('\n') ? '\n' : '');
    last = end;
  }
  return out + text.slice(last);
}

/** Arguments of a command (`args`, `command`): a value after a credential flag is masked whole. */
export function redactArgv(args: readonly unknown[]): unknown[] {
  const line = args.filter((a): a is string => typeof a === 'string').join(' ');
  const redisCli = /\bredis-cli\b/.test(line);
  const curl = /\b(?:curl|wget)\b/.test(line);
  const login = /\b(?:login|sshpass)\b/.test(line);
  return args.map((a, i) => {
    const prev = args[i - 1];
    if (typeof a !== 'string') return redactValue(undefined, a);
    if (typeof prev === 'string' && !keepAsIs(a)) {
      if (prev.startsWith('--') && !prev.includes('=') && isSecretKey(prev)) return redactAt(prev, a, 0, new WeakSet());
      if ((redisCli && prev === '-a') || (login && prev === '-p')) return REDACTED;
      if (curl && (prev === '-u' || prev === '--user') && a.includes(':')) return `${a.slice(0, a.indexOf(':'))}:${REDACTED}`;
    }
    return redactString(a);
  });
}

const ARGV_KEYS = new Set(['args', 'command', 'argv', 'cmd']);

/** Redact a value found under `key`: whole when the key names a credential, else masked text, recursively. */
export function redactValue(key: string | undefined, value: unknown): unknown {
  return redactAt(key, value, 0, new WeakSet());
}

function redactAt(key: string | undefined, value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || value === undefined || typeof value === 'boolean') return value;
  const cls = key === undefined ? 'none' : classifyKey(key);
  if (typeof value === 'string') {
    if (key !== undefined && masksWhole(key, value)) return keepAsIs(value) ? value : REDACTED;
    return redactString(value);
  }
  if (typeof value === 'number' || typeof value === 'bigint') return cls === 'secret' ? REDACTED : value;
  if (typeof value !== 'object') return value;
  // Too deep or circular to inspect: nothing of it is shown.
  if (depth > MAX_DEPTH || seen.has(value)) return REDACTED;
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      if (key !== undefined && ARGV_KEYS.has(key)) return redactArgv(value);
      return value.map((v) => redactAt(cls === 'secret' ? key : undefined, v, depth + 1, seen));
    }
    const entry = value as Record<string, unknown>;
    // Env-style entries ({name: REDIS_PASSWORD, value: …}) name the secret in `name`, not in the key.
    const named = typeof entry.name === 'string' ? entry.name : typeof entry.key === 'string' ? entry.key : undefined;
    const secretEntry = named !== undefined && 'value' in entry && isSecretKey(named);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(entry)) {
      out[k] = secretEntry && k === 'value' ? redactAt(named, v, depth + 1, seen) : redactAt(k, v, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** An evidence item with every value, message, log line and detail redacted. */
export function redactEvidence(e: Evidence): Evidence {
  switch (e.type) {
    case 'field':
    case 'values': {
      const key = e.path.split(/[.[\]"]+/).filter(Boolean).pop();
      return { ...e, value: redactValue(key, e.value) };
    }
    case 'event':
      return { ...e, message: redactText(e.message) };
    case 'log':
      return { ...e, line: redactText(e.line) };
    case 'probe':
      return { ...e, detail: redactText(e.detail), target: redactText(e.target) };
    case 'note':
      return { ...e, text: redactText(e.text) };
    case 'object':
      return e.detail ? { ...e, detail: redactText(e.detail) } : e;
  }
}
