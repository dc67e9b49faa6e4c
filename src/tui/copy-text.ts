// What `q` leaves behind in the terminal and `c` puts on the clipboard: the selected item's fix as plain text (no
// colour, no box drawing), so commands can be copied straight into a shell. Prose lines are shell comments for the
// same reason, and commands are whole, however they were wrapped on screen.
import type { Diagnosis, EndpointRow } from '../engine/diagnosis.js';
import type { CheckResult, Remediation } from '../engine/types.js';
import { cleanBlock, cleanLine, docsPaths, formatObject } from '../reporters/format.js';
import { STATUS_STYLES } from '../reporters/theme.js';
import type { Item } from './items.js';

function remediationLines(rem: Remediation): string[] {
  const lines = [`# fix: ${cleanLine(rem.summary)}`];
  for (const cmd of rem.commands ?? []) lines.push(cleanBlock(cmd));
  if (rem.values !== undefined && rem.values.trim() !== '') {
    lines.push('# values snippet (for your values file):');
    lines.push(...cleanBlock(rem.values).replace(/\n+$/, '').split('\n').map((l) => l.trimEnd()));
  }
  return lines;
}

const head = (r: CheckResult) => `${STATUS_STYLES[r.status].glyph} ${STATUS_STYLES[r.status].word} ${cleanLine(r.id)}${r.object ? ` · ${formatObject(r.object)}` : ''}`;

/** The remediation of `r` as copyable plain text, or undefined when it has none. */
export function remediationText(r: CheckResult, also: readonly CheckResult[] = []): string | undefined {
  const rem = r.remediation;
  if (!rem) return undefined;
  const lines = [`# ${head(r)}`, ...remediationLines(rem)];
  const docs = docsPaths(r);
  if (docs.length > 0) lines.push(`# docs: ${docs.join(' ')}`);
  for (const o of also) lines.push(`# also seen as: ${head(o)}`);
  return `${lines.join('\n')}\n`;
}

/** The diagnosis's fix, with the commands that show more. */
export function diagnosisText(d: Diagnosis): string {
  const e = d.endpoint;
  const lines = [`# endpoint ${cleanLine(`${e.namespace}/${e.name ?? e.id ?? '?'}`)}: ${d.cause}`, `# ${cleanLine(d.summary)}`, ...remediationLines(d.remediation)];
  if (d.remediation.docs) lines.push(`# docs: ${cleanLine(d.remediation.docs)}`);
  if (d.next.length > 0) lines.push('# look further:', ...d.next.map((n) => `#   ${cleanLine(n)}`));
  return `${lines.join('\n')}\n`;
}

function endpointText(row: EndpointRow): string {
  const ref = row.id ?? row.name ?? '?';
  return `# endpoint ${cleanLine(`${row.namespace}/${row.name ?? ref}`)}: ${row.cause}\n# ${cleanLine(row.summary)}\nmodel-engine-doctor endpoint ${cleanLine(ref)}\n`;
}

/** The fix of the selected item as plain text: what `q` prints and `c` copies. */
export function fixText(item: Item): string | undefined {
  switch (item.kind) {
    case 'diagnosis':
      return diagnosisText(item.diagnosis);
    case 'endpoint':
      // (An endpoint an incident explains resolves to that incident first: see `resolve` in items.ts.)
      return endpointText(item.row);
    case 'incident':
      return remediationText(item.lead, item.others);
    case 'result':
      return remediationText(item.result);
  }
}

/**
 * An OSC 52 "set clipboard" escape (`ESC ] 52 ; c ; <base64> BEL`): terminals that allow it (and tmux with
 * `set-clipboard on`) put the text on the system clipboard, over SSH too.
 */
export function osc52(text: string): string {
  return `\u001b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\u0007`;
}
