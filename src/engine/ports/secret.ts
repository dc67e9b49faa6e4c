/**
 * A credential that travels between sources without ever being printable. `String(s)`, `JSON.stringify(s)` and
 * `util.inspect(s)` all give `REDACTED`; only a source that hands it to a server (Redis AUTH, an SDK) calls
 * {@link revealSecret}. Checks never need to.
 */
import { REDACTED } from '../redact.js';

const VALUES = new WeakMap<SecretString, string>();

export class SecretString {
  constructor(value: string) {
    VALUES.set(this, value);
  }
  /** True when the secret is the empty string (e.g. `rediss://:@host`). */
  get empty(): boolean {
    return (VALUES.get(this) ?? '') === '';
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `SecretString(${REDACTED})`;
  }
}

/** The secret's value: for sources handing it to a server, never for output. */
export function revealSecret(s: SecretString): string {
  return VALUES.get(s) ?? '';
}

/** Replace every occurrence of the secrets' values in a text (server error messages may echo them). */
export function scrubSecrets(text: string, secrets: readonly (SecretString | string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    const v = s instanceof SecretString ? revealSecret(s) : s;
    if (v && v.length >= 3) out = out.split(v).join(REDACTED);
  }
  return out;
}
