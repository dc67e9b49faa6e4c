/**
 * IAM role trust policies, judged the way IAM evaluates them for the two ways a pod gets AWS credentials on EKS:
 * IRSA (`sts:AssumeRoleWithWebIdentity` from the cluster's IAM OIDC provider, condition keys `<issuer>:sub` and
 * `<issuer>:aud`) and EKS Pod Identity (`sts:AssumeRole` + `sts:TagSession` by the service `pods.eks.amazonaws.com`).
 * An explicit Deny wins over any Allow; `StringLike` expands `*` and `?`, `StringEquals` does not; condition keys
 * are case-insensitive, values are not. Pure.
 */
import type { PolicyDocument, PolicyStatement } from '../../../src/model-engine/identity.js';

/** The audience IRSA tokens carry (`sts.amazonaws.com`); the IAM OIDC provider must list it as a client id. */
export const STS_AUDIENCE = 'sts.amazonaws.com';
/** The service principal EKS Pod Identity assumes roles as. */
export const POD_IDENTITY_PRINCIPAL = 'pods.eks.amazonaws.com';
export const POD_IDENTITY_ACTIONS = ['sts:AssumeRole', 'sts:TagSession'] as const;

const arr = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** IAM's `StringLike`: `*` any run, `?` one character; everything else literal. */
export function iamLike(pattern: string, value: string, ignoreCase = false): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, ignoreCase ? 'i' : '');
  return re.test(value);
}

/** `oidc.eks.us-west-2.amazonaws.com/id/ABC` from an issuer URL or an OIDC provider ARN (any partition). */
export function oidcHostPath(issuerOrArn: string): string {
  const arn = /^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/(.+)$/.exec(issuerOrArn);
  const s = arn ? arn[1]! : issuerOrArn.replace(/^https?:\/\//, '');
  return s.replace(/\/+$/, '');
}

/** `aws`, `aws-cn` or `aws-us-gov` for a region name. */
export function partitionOfRegion(region: string | undefined): 'aws' | 'aws-cn' | 'aws-us-gov' {
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** `--region` for an IAM/STS CLI command in a partition (IAM is global, but the CLI must sign for the partition). */
export function cliRegionFlag(partition: string): string {
  return partition === 'aws-cn' ? ' --region cn-north-1' : partition === 'aws-us-gov' ? ' --region us-gov-west-1' : '';
}

type Tri = boolean | 'unknown';

/** What one condition block decides for a request whose known keys are `context` (lower-cased names). */
interface ConditionResult {
  holds: Tri;
  /** Why it does not hold (the first failing operator), for people. */
  failed?: string;
  /** Keys the doctor cannot know (`aws:SourceIp`, tags …): the statement depends on them. */
  unknownKeys: string[];
}

const STRING_OPS = new Set(['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike']);
/** ARN operators match each ARN component with `*` and `?` wildcards, which for whole ARNs is StringLike's matching. */
const ARN_OPS: Readonly<Record<string, string>> = { ArnEquals: 'StringLike', ArnLike: 'StringLike', ArnNotEquals: 'StringNotLike', ArnNotLike: 'StringNotLike' };

/**
 * Evaluate a Condition block. `context` holds the keys the request carries (lower-cased), `absent` tells whether a
 * key the context lacks is known to be absent from the request (another provider's `:sub`) rather than unknown.
 */
export function evaluateConditions(cond: PolicyStatement['Condition'], context: Readonly<Record<string, string>>, absent: (key: string) => boolean): ConditionResult {
  const unknownKeys: string[] = [];
  let result: Tri = true;
  let failed: string | undefined;
  for (const [rawOp, block] of Object.entries(cond ?? {})) {
    const op = rawOp.replace(/^(ForAnyValue|ForAllValues):/, '');
    const ifExists = op.endsWith('IfExists');
    const stem = ifExists ? op.slice(0, -'IfExists'.length) : op;
    const base = ARN_OPS[stem] ?? stem;
    for (const [rawKey, want] of Object.entries(block)) {
      const key = rawKey.toLowerCase();
      const wants = arr(want).map(String);
      const value = context[key];
      let verdict: Tri;
      if (base === 'Null') {
        // Null: "true" means the key must be absent.
        const present = value !== undefined ? true : absent(key) ? false : 'unknown';
        verdict = present === 'unknown' ? 'unknown' : wants.some((w) => (w.toLowerCase() === 'true') === !present);
      } else if (value === undefined) {
        if (!absent(key)) {
          unknownKeys.push(rawKey);
          verdict = 'unknown';
        } else {
          // A missing key fails positive operators and satisfies negated ones (and anything …IfExists).
          verdict = ifExists || /Not/.test(base);
          if (!verdict) failed ??= `${rawOp} on "${rawKey}", a key this token does not carry`;
        }
      } else if (!STRING_OPS.has(base)) {
        unknownKeys.push(`${rawOp} ${rawKey}`);
        verdict = 'unknown';
      } else {
        const ci = base.endsWith('IgnoreCase');
        const match = base.includes('Like') ? wants.some((w) => iamLike(w, value)) : wants.some((w) => (ci ? w.toLowerCase() === value.toLowerCase() : w === value));
        verdict = base.includes('Not') ? !match : match;
        if (!verdict) failed ??= explainMismatch(base, rawKey, wants, value);
      }
      if (verdict === false) result = false;
      else if (verdict === 'unknown' && result === true) result = 'unknown';
    }
  }
  return { holds: result, ...(failed ? { failed } : {}), unknownKeys };
}

function explainMismatch(op: string, key: string, wants: string[], value: string): string {
  const list = wants.map((w) => `"${w}"`).join(', ');
  if (op.includes('Not')) return `${op} on "${key}" excludes "${value}"`;
  if (op.startsWith('StringEquals') && wants.some((w) => /[*?]/.test(w) && iamLike(w, value))) {
    return `${op} on "${key}" compares ${list} literally — "*" and "?" are wildcards only under StringLike — so "${value}" does not match`;
  }
  return `${op} on "${key}" allows ${list}, not "${value}"`;
}

/** Whether a statement's Action / NotAction covers `action` (wildcards allowed, case-insensitive). */
export function coversAction(st: PolicyStatement & { NotAction?: string | string[] }, action: string): boolean {
  if (st.NotAction !== undefined) return !arr(st.NotAction).some((a) => iamLike(a, action, true));
  return arr(st.Action).some((a) => iamLike(a, action, true));
}

const principalValues = (st: PolicyStatement, kind: 'Federated' | 'Service' | 'AWS'): string[] | '*' => {
  if (st.Principal === '*') return '*';
  if (!st.Principal || typeof st.Principal !== 'object') return [];
  const v = arr(st.Principal[kind]);
  return v.includes('*') ? '*' : v;
};

const label = (st: PolicyStatement, i: number) => (st.Sid ? `statement "${st.Sid}"` : `statement #${i + 1}`);

export interface TrustVerdict {
  admitted: boolean;
  /** OIDC provider ARNs of the statements that admit the subject (IRSA). */
  providers: string[];
  /** Why not, for people (one line). */
  reason?: string;
  /** What the verdict depends on that the doctor cannot know (condition keys it cannot see). */
  caveats: string[];
}

/**
 * Whether an IAM role trust policy lets `subject` assume the role with an IRSA token (`aud` = sts.amazonaws.com)
 * from an OIDC provider — only the provider for `issuerHostPath` when it is known.
 */
export function trustAdmits(policy: PolicyDocument, subject: string, issuerHostPath?: string, audience = STS_AUDIENCE): TrustVerdict {
  const action = 'sts:AssumeRoleWithWebIdentity';
  const statements = arr(policy.Statement);
  const caveats: string[] = [];
  const providers: string[] = [];
  const seen: string[] = [];
  const refusals: string[] = [];
  // The keys a web-identity request carries for one provider; other providers' keys are absent from it.
  const contextFor = (hp: string) => ({ [`${hp}:sub`.toLowerCase()]: subject, [`${hp}:aud`.toLowerCase()]: audience });
  const absent = (key: string) => /^[^:]+\/.+:(sub|aud|amr)$/.test(key) || /^(accounts\.google\.com|cognito-identity\.amazonaws\.com|graph\.facebook\.com|www\.amazon\.com):/.test(key);
  const denies: string[] = [];
  statements.forEach((st, i) => {
    if (!coversAction(st, action)) return;
    const fed = principalValues(st, 'Federated');
    const isDeny = (st.Effect ?? 'Allow') === 'Deny';
    const candidates = fed === '*' ? (issuerHostPath ? [`*/${issuerHostPath}`] : []) : fed;
    for (const provider of candidates) {
      const hp = provider.startsWith('*/') ? provider.slice(2) : oidcHostPath(provider);
      if (!isDeny) seen.push(hp);
      if (issuerHostPath && hp !== issuerHostPath) continue;
      const c = evaluateConditions(st.Condition, contextFor(hp), absent);
      if (isDeny) {
        if (c.holds === true) denies.push(`explicit Deny in ${label(st, i)}`);
        else if (c.holds === 'unknown') caveats.push(`${label(st, i)} denies when ${c.unknownKeys.join(', ')} match (not visible from here)`);
        continue;
      }
      if (c.holds === false) refusals.push(`${label(st, i)}: ${c.failed ?? 'its conditions do not hold'}`);
      else {
        if (c.holds === 'unknown') caveats.push(`${label(st, i)} also requires ${c.unknownKeys.join(', ')} (not visible from here)`);
        if (!provider.startsWith('*/')) providers.push(provider);
      }
    }
  });
  if (denies.length > 0) return { admitted: false, providers: [], reason: `${denies.join('; ')} wins over any Allow`, caveats };
  if (providers.length > 0) return { admitted: true, providers: [...new Set(providers)], caveats };
  if (seen.length === 0) return { admitted: false, providers, reason: 'no statement allows sts:AssumeRoleWithWebIdentity from an OIDC provider', caveats };
  if (issuerHostPath && !seen.includes(issuerHostPath)) {
    return { admitted: false, providers, reason: `the trust policy federates ${[...new Set(seen)].join(', ')}, not this cluster's issuer ${issuerHostPath}`, caveats };
  }
  return { admitted: false, providers, reason: refusals.join('; ') || `no statement admits ${subject}`, caveats };
}

export interface PodIdentityTrustVerdict {
  admitted: boolean;
  reason?: string;
  caveats: string[];
}

/**
 * Whether a role trust policy lets EKS Pod Identity assume it: Allow for the service principal
 * `pods.eks.amazonaws.com` of both `sts:AssumeRole` and `sts:TagSession`, no explicit Deny. `context` gives the
 * global keys the doctor knows (`aws:SourceAccount`, `aws:SourceArn` of the cluster).
 */
export function podIdentityTrust(policy: PolicyDocument, context: Readonly<Record<string, string>> = {}): PodIdentityTrustVerdict {
  const statements = arr(policy.Statement);
  const ctx = Object.fromEntries(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  const caveats: string[] = [];
  const missing: string[] = [];
  for (const action of POD_IDENTITY_ACTIONS) {
    let allowed = false;
    const refusals: string[] = [];
    for (const [i, st] of statements.entries()) {
      if (!coversAction(st, action)) continue;
      const svc = principalValues(st, 'Service');
      if (svc !== '*' && !svc.includes(POD_IDENTITY_PRINCIPAL)) continue;
      const c = evaluateConditions(st.Condition, ctx, () => false);
      if ((st.Effect ?? 'Allow') === 'Deny') {
        if (c.holds === true) return { admitted: false, reason: `explicit Deny of ${action} in ${label(st, i)} wins over any Allow`, caveats };
        if (c.holds === 'unknown') caveats.push(`${label(st, i)} denies ${action} when ${c.unknownKeys.join(', ')} match`);
        continue;
      }
      if (c.holds === false) refusals.push(`${label(st, i)}: ${c.failed ?? 'its conditions do not hold'}`);
      else {
        if (c.holds === 'unknown') caveats.push(`${label(st, i)} also requires ${c.unknownKeys.join(', ')} (not visible from here)`);
        allowed = true;
      }
    }
    if (!allowed) missing.push(refusals.length ? `${action} (${refusals.join('; ')})` : action);
  }
  if (missing.length > 0) return { admitted: false, reason: `no statement allows ${POD_IDENTITY_PRINCIPAL} ${missing.join(' and ')}`, caveats };
  return { admitted: true, caveats: [...new Set(caveats)] };
}

/** The trust statement IRSA needs, partition-correct, as JSON a user can paste into the role's trust policy. */
export function irsaStatement(partition: string, account: string, hostPath: string, subject: string): Record<string, unknown> {
  return {
    Effect: 'Allow',
    Principal: { Federated: `arn:${partition}:iam::${account}:oidc-provider/${hostPath}` },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { [`${hostPath}:sub`]: subject, [`${hostPath}:aud`]: STS_AUDIENCE } },
  };
}

/** The trust statement EKS Pod Identity needs. */
export function podIdentityStatement(): Record<string, unknown> {
  return { Effect: 'Allow', Principal: { Service: POD_IDENTITY_PRINCIPAL }, Action: [...POD_IDENTITY_ACTIONS] };
}
