import { defineCheck, fail, formatPath, pass, type Evidence, type ValuesPort } from '../../src/engine/index.js';
import { envPlaceholders } from './support/snippet.js';

/**
 * A values file that is a template for `envsubst` (model-engine's own values_circleci.yaml writes
 * `$CIRCLECI_AWS_ACCOUNT_ID` and `$CIRCLECI_AWS_S3_BUCKET`, filled in by CI; facts §10.1): helm does not expand
 * environment variables, so model-engine would get the literal text. One finding for all of them (one cause).
 */
const DOCS = 'docs/checks/values/env-placeholders.md';
const MAX_EVIDENCE = 20;

/** Every user-set string value holding a `$NAME` placeholder, in document order, with the names. */
export function placeholderKeys(values: ValuesPort): { path: string[]; names: string[] }[] {
  const out: { path: string[]; names: string[] }[] = [];
  const walk = (v: unknown, path: string[]) => {
    if (typeof v === 'string') {
      const names = envPlaceholders(v);
      if (names.length > 0 && values.isUserSet(path)) out.push({ path, names });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, String(i)]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(values.merged, []);
  return out;
}

export default defineCheck({
  meta: {
    id: 'values/env-placeholders',
    title: 'No unexpanded $VARIABLES',
    description: 'No values key still holds an environment placeholder ($NAME) that envsubst was meant to fill: helm does not expand them.',
    clouds: 'all',
    cloudAgnostic: true,
    severity: 'high',
    needs: ['values'],
    scopes: ['preflight', 'triage'],
    messages: {
      none: 'No value holds an unexpanded $VARIABLE',
      unexpanded:
        '{{count}} values still hold environment placeholders ({{names}}), e.g. {{example}}: helm does not expand them, so model-engine would use the literal text',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    const found = placeholderKeys(values);
    if (found.length === 0) return pass('none');
    const names = [...new Set(found.flatMap((f) => f.names))];
    const first = formatPath(found[0]!.path);
    const evidence: Evidence[] = found.slice(0, MAX_EVIDENCE).map((f) => values.evidence(f.path));
    if (found.length > MAX_EVIDENCE) evidence.push({ type: 'note', text: `and ${found.length - MAX_EVIDENCE} more` });
    const files = values.files.filter((f) => !f.startsWith('<'));
    const file = files[files.length - 1] ?? 'values.yaml';
    return fail('unexpanded', {
      object: { kind: 'HelmValues', name: first },
      data: { count: found.length, names: names.map((n) => `$${n}`).join(', '), example: first },
      evidence,
      remediation: {
        summary: `Fill the placeholders before helm sees the file (as model-engine's CI does with envsubst), then check the result.`,
        commands: [
          ...names.map((n) => `export ${n}=<value>`),
          `envsubst < ${file} > values.rendered.yaml`,
          'model-engine-doctor preflight -f values.rendered.yaml',
        ],
        docs: DOCS,
      },
    });
  },
});
