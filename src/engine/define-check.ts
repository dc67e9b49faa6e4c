import type { Check, CheckContext, CheckMeta, Evidence, Finding, Need, ObjectRef, PortName, Remediation, Severity } from './types.js';

/**
 * Declare a check. An identity function, so the object literal is type-checked against the contract, and its context
 * is typed by what its meta declares: `needs: ['kube', 'redis'], uses: ['exec']` gives `ctx.ports.redis: RedisPort`,
 * `ctx.ports.exec: ExecPort | undefined`, and no other port.
 */
export function defineCheck<const N extends Need = never, const U extends PortName = never>(check: {
  meta: CheckMeta & { needs: readonly N[]; uses?: readonly U[] };
  run(ctx: CheckContext<N, U>): Promise<Finding | Finding[]>;
}): Check {
  return check as Check;
}

interface FindingOptions {
  data?: Record<string, unknown>;
  object?: ObjectRef;
  evidence?: Evidence[];
  severity?: Severity;
  /** Root-cause keys, when the object and evidence do not say it (see `FindingBase.root`). */
  root?: string[];
}

export function pass(messageId: string, opts: FindingOptions = {}): Finding {
  return { status: 'pass', messageId, ...opts };
}

export function skip(messageId: string, opts: FindingOptions = {}): Finding {
  return { status: 'skip', messageId, ...opts };
}

export function fail(messageId: string, opts: FindingOptions & { remediation: Remediation }): Finding {
  return { status: 'fail', messageId, ...opts };
}

export function warn(messageId: string, opts: FindingOptions & { remediation: Remediation }): Finding {
  return { status: 'warn', messageId, ...opts };
}

/** Render `{{name}}` placeholders; unknown placeholders stay visible so a missing datum is noticed in tests. */
export function renderMessage(template: string, data: Record<string, unknown> = {}): string {
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, key: string) => {
    const v = data[key];
    if (v === undefined) return whole;
    if (Array.isArray(v)) return v.join(', ');
    return String(v);
  });
}
