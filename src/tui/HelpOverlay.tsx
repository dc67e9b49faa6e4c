import { STATUSES } from '../engine/types.js';
import { STATUS_STYLES } from '../reporters/theme.js';
import { labelled, seg, type Line } from './layout.js';
import { Lines } from './Lines.js';

/** The key bindings, as `docs/tui.md` lists them. */
export const KEYS: readonly (readonly [string, string])[] = [
  ['↑ ↓  j k', 'move the selection; in the details, scroll'],
  ['Enter  →  l', 'open the selected item (an endpoint opens the incident that explains it)'],
  ['←  Esc  h', 'close the details'],
  ['n  p', 'in the details: next / previous item'],
  ['< >', 'in the details: scroll commands too long for the screen'],
  ['PgUp PgDn', 'a page up / down'],
  ['g  G', 'first / last (Home / End)'],
  ['/', 'filter by text: type, Enter applies, Esc cancels (Esc in the list clears it)'],
  ['f', 'cycle the status filter: failing → failing + warnings → all'],
  ['c', "copy the selected item's fix to the clipboard (OSC 52)"],
  ['r', 're-run the selected check (an incident: the one that leads it)'],
  ['?', 'this help (any key closes it)'],
  ['q', "quit; the selected item's fix is printed to the terminal"],
  ['Ctrl-C', 'cancel (exit code 130)'],
];

export function helpLines(width: number): Line[] {
  const keyWidth = Math.max(...KEYS.map(([k]) => k.length)) + 3;
  return [
    [seg('Keys', { bold: true, underline: true })],
    ...KEYS.flatMap(([k, what]) => labelled(seg(k.padEnd(keyWidth), { bold: true, color: 'cyan' }), what, width, { indent: 2 })),
    [],
    [seg('Statuses: ', { dim: true }), ...STATUSES.flatMap((s) => [seg(`${STATUS_STYLES[s].glyph} ${STATUS_STYLES[s].word}`, { color: STATUS_STYLES[s].colour }), seg('  ')])],
  ];
}

export function HelpOverlay({ width, height, color }: { width: number; height: number; color: boolean }) {
  return <Lines lines={helpLines(width).slice(0, Math.max(1, height))} width={width} color={color} />;
}
