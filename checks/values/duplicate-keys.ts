import { defineCheck, formatPath, pass, skip, warn, type Finding, type SourceLocation, type ValuesWarning } from '../../src/engine/index.js';
import { keyRef } from './support/snippet.js';

/**
 * helm accepts a key written twice in one map and keeps the last value without a word (go-yaml v2 via
 * sigs.k8s.io/yaml; facts §10.1: model-engine's own values_sample.yaml has `config.values.launch.sensitive_log_mode`
 * on lines 256 and 295). The doctor reads the file the same way and says where both are.
 */
const DOCS = 'docs/checks/values/duplicate-keys.md';
/** Findings listed one by one; beyond this, one summary. */
const MAX_LISTED = 20;

export const at = (l: SourceLocation): string => `${l.file}${l.line ? `:${l.line}` : ''}`;

/** `file:256 and :295` when both are in one file, else both in full. */
export function bothPlaces(w: Pick<ValuesWarning, 'first' | 'second'>): string {
  return w.first.file === w.second.file ? `${at(w.first)} and line ${w.second.line ?? '?'}` : `${at(w.first)} and ${at(w.second)}`;
}

export default defineCheck({
  meta: {
    id: 'values/duplicate-keys',
    title: 'No key written twice',
    description: 'No values key is written twice in one map: helm silently keeps the last one and ignores the first.',
    clouds: 'all',
    cloudAgnostic: true,
    severity: 'medium',
    needs: ['values'],
    scopes: ['preflight', 'triage'],
    messages: {
      none: 'No key is written twice in {{files}}',
      duplicate: '{{path}} is written twice ({{places}}): helm keeps the second, {{kept}}, and ignores the first{{same}}',
      more: '{{count}} more keys are written twice (the first {{listed}} are listed above); helm keeps the last of each',
      notFiles: 'The values come from {{origin}}, not files, so a key written twice cannot be seen',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    if (values.origin !== 'files') return skip('notFiles', { data: { origin: values.origin === 'release' ? 'the installed helm release' : 'the chart defaults' } });
    const warnings = (values.warnings ?? []).filter((w) => w.kind === 'duplicate-key');
    if (warnings.length === 0) return pass('none', { data: { files: values.files.join(', ') || 'the --set flags' } });
    const out: Finding[] = warnings.slice(0, MAX_LISTED).map((w) => {
      const path = formatPath(w.path);
      const kept = values.evidence(w.path as string[]);
      const keptValue = kept.type === 'values' && kept.value !== undefined ? JSON.stringify(kept.value) : 'its value';
      return warn('duplicate', {
        severity: w.sameValue ? 'low' : 'medium',
        object: keyRef(w.path),
        data: { path, places: bothPlaces(w), kept: keptValue, same: w.sameValue ? ' (both say the same today; an edit to the first would silently do nothing)' : '' },
        evidence: [
          { type: 'values', path, source: w.first, missing: false },
          { type: 'values', path, ...(kept.type === 'values' && kept.value !== undefined ? { value: kept.value } : {}), source: w.second, missing: false },
          { type: 'note', text: `helm reads ${at(w.second)}; ${at(w.first)} has no effect` },
        ],
        remediation: {
          summary: `Delete one of the two ${path} lines (keep the value you mean, once), so the file says what helm does.`,
          commands: [`grep -n '${w.path[w.path.length - 1]}:' ${shellQuote(w.first.file)}`],
          docs: DOCS,
        },
      });
    });
    if (warnings.length > MAX_LISTED) {
      out.push(
        warn('more', {
          severity: 'low',
          data: { count: warnings.length - MAX_LISTED, listed: MAX_LISTED },
          remediation: { summary: 'Remove the repeated keys; a YAML linter lists them all: yamllint -d "{rules: {key-duplicates: enable}}" <file>', docs: DOCS },
        }),
      );
    }
    return out;
  },
});

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}
