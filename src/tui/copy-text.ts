// What `q` leaves behind in the terminal: the selected finding's fix as plain text (no colour, no box drawing),
// so commands can be copied straight into a shell. Prose lines are shell comments for the same reason.
import type { CheckResult } from '../engine/types.js';
import { cleanBlock, cleanLine, docsPaths, formatObject } from '../reporters/format.js';
import { STATUS_STYLES } from '../reporters/theme.js';

/** The remediation of `r` as copyable plain text, or undefined when it has none. */
export function remediationText(r: CheckResult): string | undefined {
  const rem = r.remediation;
  if (!rem) return undefined;
  const s = STATUS_STYLES[r.status];
  const lines = [
    `# ${s.glyph} ${s.word} ${cleanLine(r.id)}${r.object ? ` · ${formatObject(r.object)}` : ''}`,
    `# fix: ${cleanLine(rem.summary)}`,
  ];
  for (const cmd of rem.commands ?? []) lines.push(cleanBlock(cmd));
  if (rem.values !== undefined && rem.values.trim() !== '') {
    lines.push('# values snippet (for your values file):');
    lines.push(...cleanBlock(rem.values).replace(/\n+$/, '').split('\n').map((l) => l.trimEnd()));
  }
  const docs = docsPaths(r);
  if (docs.length > 0) lines.push(`# docs: ${docs.join(' ')}`);
  return `${lines.join('\n')}\n`;
}
