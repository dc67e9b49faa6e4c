/**
 * Label selectors parsed exactly as the API server parses them (k8s.io/apimachinery/pkg/labels/selector.go at the
 * release the e2e tier runs): the same lexer, the same grammar, the same validation of keys and values, and the same
 * error messages, so `serve` answers a bad selector with the words the real API server uses (held to it by
 * test/e2e/conformance.test.ts).
 */

export class LabelSelectorError extends Error {}

export type LabelOp = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';
export interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

type Tok = 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';
const LITERALS: Record<string, Tok> = { ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', in: 'in', '<': '<', '!=': '!=', notin: 'notin', '(': '(' };
const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

const isWhitespace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string) => '=!(),><'.includes(ch) && ch !== '';

function lex(s: string): { tok: Tok; lit: string }[] {
  const out: { tok: Tok; lit: string }[] = [];
  let pos = 0;
  const read = () => (pos < s.length ? s[pos++]! : '');
  for (;;) {
    let ch = read();
    while (ch !== '' && isWhitespace(ch)) ch = read();
    if (ch === '') {
      out.push({ tok: 'eos', lit: '' });
      return out;
    }
    if (isSpecial(ch)) {
      pos--;
      let buffer = '';
      let last: { tok: Tok; lit: string } | undefined;
      for (;;) {
        const c = read();
        if (c === '') break;
        if (isSpecial(c)) {
          buffer += c;
          const t = LITERALS[buffer];
          if (t) last = { tok: t, lit: buffer };
          else if (last) {
            pos--;
            break;
          }
        } else {
          pos--;
          break;
        }
      }
      out.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buffer}'` });
    } else {
      pos--;
      let buffer = '';
      for (;;) {
        const c = read();
        if (c === '') break;
        if (isSpecial(c) || isWhitespace(c)) {
          pos--;
          break;
        }
        buffer += c;
      }
      out.push({ tok: LITERALS[buffer] ?? 'id', lit: buffer });
    }
  }
}

// --- validation (k8s.io/apimachinery/pkg/api/validate/content) -------------------------------------

const LABEL_KEY_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_KEY_ERR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${LABEL_KEY_FMT})?`;
const LABEL_VALUE_ERR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (!examples.length) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

function isDns1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push('must be no more than 253 characters');
  if (!new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`).test(v)) errs.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

function isLabelKey(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (!prefix) errs.push('prefix part must be non-empty');
    else errs.push(...isDns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a valid label key ${regexError(LABEL_KEY_ERR, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (!name) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (!new RegExp(`^${LABEL_KEY_FMT}$`).test(name)) errs.push(`name part ${regexError(LABEL_KEY_ERR, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

function isLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!new RegExp(`^${LABEL_VALUE_FMT}$`).test(value)) errs.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

/** field.Invalid(path, value, detail).Error(), as Go prints it. */
const invalid = (path: string, value: unknown, detail: string) => `${path}: Invalid value: ${JSON.stringify(value)}${detail ? `: ${detail}` : ''}`;

/** NewRequirement's validation; errors joined as an aggregate (`[a, b]` when more than one). */
function requirement(key: string, op: LabelOp, vals: string[]): LabelRequirement {
  const errs: string[] = [];
  const keyErrs = isLabelKey(key);
  if (keyErrs.length) errs.push(invalid('key', key, keyErrs.join('; ')));
  if ((op === 'in' || op === 'notin') && vals.length === 0) errs.push(invalid('values', vals, "for 'in', 'notin' operators, values set can't be empty"));
  if ((op === '=' || op === '==' || op === '!=') && vals.length !== 1) errs.push(invalid('values', vals, 'exact-match compatibility requires one single value'));
  if ((op === 'exists' || op === '!') && vals.length !== 0) errs.push(invalid('values', vals, 'values set must be empty for exists and does not exist'));
  if (op === 'gt' || op === 'lt') {
    if (vals.length !== 1) errs.push(invalid('values', vals, "for 'Gt', 'Lt' operators, exactly one value is required"));
    vals.forEach((v, i) => {
      if (!/^[+-]?\d+$/.test(v)) errs.push(invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
    });
  }
  vals.forEach((v, i) => {
    const e = isLabelValue(v);
    if (e.length) errs.push(invalid(`values[${i}][${key}]`, v, e.join('; ')));
  });
  const unique = [...new Set(errs)];
  if (unique.length) throw new LabelSelectorError(unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`);
  return { key, op, values: vals };
}

/** Parse a label selector; throws LabelSelectorError with the API server's message. Requirements sorted by key. */
export function parseLabels(selector: string): LabelRequirement[] {
  const items = lex(selector);
  let position = 0;
  // In a values context, `in`/`notin` are plain identifiers.
  const asValue = (t: Tok): Tok => (t === 'in' || t === 'notin' ? 'id' : t);
  const lookahead = (values: boolean) => {
    const { tok, lit } = items[position]!;
    return { tok: values ? asValue(tok) : tok, lit };
  };
  const consume = (values: boolean) => {
    const r = lookahead(values);
    position++;
    return r;
  };
  const fail = (msg: string): never => {
    throw new LabelSelectorError(msg);
  };

  const parseKeyAndInferOperator = (): { key: string; op?: LabelOp } => {
    let op: LabelOp | undefined;
    let { tok, lit } = consume(true);
    if (tok === '!') {
      op = '!';
      ({ tok, lit } = consume(true));
    }
    if (tok !== 'id') fail(`found '${lit}', expected: identifier`);
    const keyErrs = isLabelKey(lit);
    // The parser validates with a nil field path, which Go prints as "<nil>".
    if (keyErrs.length) fail(invalid('<nil>', lit, keyErrs.join('; ')));
    const next = lookahead(true).tok;
    if ((next === 'eos' || next === ',') && op !== '!') op = 'exists';
    return op ? { key: lit, op } : { key: lit };
  };
  const parseOperator = (): LabelOp => {
    const { tok, lit } = consume(false);
    const ops: Partial<Record<Tok, LabelOp>> = { in: 'in', '=': '=', '==': '==', '>': 'gt', '<': 'lt', notin: 'notin', '!=': '!=' };
    return ops[tok] ?? fail(`found '${lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
  };
  const parseIdentifiersList = (): Set<string> => {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = consume(true);
      if (tok === 'id') {
        s.add(lit);
        const n = lookahead(true);
        if (n.tok === ',') continue;
        if (n.tok === ')') return s;
        fail(`found '${n.lit}', expected: ',' or ')'`);
      } else if (tok === ',') {
        if (s.size === 0) s.add('');
        const n = lookahead(true).tok;
        if (n === ')') {
          s.add('');
          return s;
        }
        if (n === ',') s.add('');
      } else fail(`found '${lit}', expected: ',', or identifier`);
    }
  };
  const parseValues = (): string[] => {
    const open = consume(true);
    if (open.tok !== '(') fail(`found '${open.lit}' expected: '('`);
    const { tok, lit } = lookahead(true);
    if (tok === 'id' || tok === ',') {
      const s = parseIdentifiersList();
      if (consume(true).tok !== ')') fail(`found '${lit}', expected: ')'`);
      return [...s].sort();
    }
    if (tok === ')') {
      consume(true);
      return [''];
    }
    return fail(`found '${lit}', expected: ',', ')' or identifier`);
  };
  const parseExactValue = (): string[] => {
    const t = lookahead(true).tok;
    if (t === 'eos' || t === ',') return [''];
    const { tok, lit } = consume(true);
    if (tok === 'id') return [lit];
    return fail(`found '${lit}', expected: identifier`);
  };
  const parseRequirement = (): LabelRequirement => {
    const { key, op } = parseKeyAndInferOperator();
    if (op === 'exists' || op === '!') return requirement(key, op, []);
    const operator = parseOperator();
    const values = operator === 'in' || operator === 'notin' ? parseValues() : parseExactValue();
    return requirement(key, operator, values);
  };

  const reqs: LabelRequirement[] = [];
  for (;;) {
    const { tok, lit } = lookahead(true);
    if (tok === 'id' || tok === '!') {
      try {
        reqs.push(parseRequirement());
      } catch (err) {
        if (err instanceof LabelSelectorError) throw new LabelSelectorError(`unable to parse requirement: ${err.message}`);
        throw err;
      }
      const t = consume(true);
      if (t.tok === 'eos') break;
      if (t.tok === ',') {
        const t2 = lookahead(true);
        if (t2.tok !== 'id' && t2.tok !== '!') fail(`found '${t2.lit}', expected: identifier after ','`);
      } else fail(`found '${t.lit}', expected: ',' or 'end of string'`);
    } else if (tok === 'eos') break;
    else fail(`found '${lit}', expected: !, identifier, or 'end of string'`);
  }
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Whether labels satisfy one requirement (Requirement.Matches). */
export function matchesRequirement(labels: Record<string, string>, r: LabelRequirement): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.op) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(v!);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(v!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^[+-]?\d+$/.test(v!)) return false;
      const n = Number(v);
      const want = Number(r.values[0]);
      return r.op === 'gt' ? n > want : n < want;
    }
  }
}
