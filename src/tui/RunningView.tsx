import { Box, Static, Text } from 'ink';
import Spinner from 'ink-spinner';
import { STATUSES } from '../engine/types.js';
import { cleanLine, formatDuration } from '../reporters/format.js';
import { STATUS_STYLES } from '../reporters/theme.js';
import { fitWithTail, seg, type Line } from './layout.js';
import { Lines } from './Lines.js';
import { statusSeg } from './ResultList.js';
import { worstStatus, type FinishedCheck, type RunningCheck, type RunState } from './store.js';

/** A finished check in the scrollback: worst status, id, what it found (cut to fit), how long it took. */
export function finishedLine(f: FinishedCheck, width: number): Line {
  const status = worstStatus(f.results);
  const worst = f.results.find((r) => r.status === status);
  const more = f.results.length > 1 ? ` (+${f.results.length - 1} more)` : '';
  const quiet = status === 'pass' || status === 'skip';
  const tail: Line = [...(more ? [seg(more, { dim: true })] : []), seg(`  ${formatDuration(f.durationMs)}`, { dim: true })];
  return fitWithTail(
    [statusSeg(status), seg('  '), seg(cleanLine(f.id), { bold: !quiet }), seg('  '), seg(cleanLine(worst?.message ?? f.title), { dim: quiet })],
    tail,
    width,
  );
}

/** A running check: id, then what it is waiting for (its latest progress text) or its title, then time so far. */
export function runningLine(c: RunningCheck, now: number, width: number): Line {
  return fitWithTail(
    [seg(cleanLine(c.id), { bold: true }), seg('  '), seg(cleanLine(c.progress ?? c.title), c.progress ? { color: 'cyan' } : { dim: true })],
    [seg(`  ${formatDuration(Math.max(0, now - c.startedAt))}`, { dim: true })],
    width,
  );
}

/** `12/40 checks done in 3.4s · Ctrl-C cancels`, then `✖ 2 FAIL  ‼ 0 ERROR  ▲ 1 WARN  ○ 3 SKIP  ✔ 6 PASS`. */
export function progressLines(state: RunState, now: number): Line[] {
  const counts: Line = [];
  for (const st of STATUSES) {
    const s = STATUS_STYLES[st];
    const n = state.counts[st];
    if (counts.length > 0) counts.push(seg('  '));
    counts.push(seg(`${s.glyph} ${n} ${s.word}`, n > 0 ? { color: s.colour, bold: st !== 'pass' && st !== 'skip' } : { dim: true }));
  }
  return [
    [
      seg(state.planned === 0 && state.phase === 'running' ? 'starting' : `${state.finished.length}/${state.planned} checks done`, { bold: true }),
      seg(` in ${formatDuration(Math.max(0, (state.endedAt ?? now) - state.startedAt))}`, { dim: true }),
      seg(state.phase === 'cancelling' ? '' : ' · Ctrl-C cancels', { dim: true }),
    ],
    counts,
  ];
}

/**
 * The live view: finished checks go to `<Static>` (printed once, scrolling up like a log), and a small live area
 * holds a spinner per running check and the counts. The live area never exceeds `rows - 1` lines.
 */
export function RunningView({ state, now, width, rows, color }: { state: RunState; now: number; width: number; rows: number; color: boolean }) {
  const phaseText =
    state.phase === 'cancelling'
      ? `cancelling: waiting for ${state.running.length} running check${state.running.length === 1 ? '' : 's'} to stop…`
      : state.phase === 'finalizing'
        ? 'checks done; building the report…'
        : undefined;
  // Rows for running checks: the terminal less the progress lines (blank + 2), the phase line, one spare row.
  const fits = Math.max(2, rows - 4 - (phaseText ? 1 : 0));
  const shown = state.running.length <= fits ? state.running : state.running.slice(0, fits - 1);
  const hidden = state.running.length - shown.length;
  return (
    <Box flexDirection="column">
      <Static items={[...state.finished]}>{(f) => <Lines key={f.id} lines={[finishedLine(f, width)]} width={width} color={color} />}</Static>
      {shown.map((c) => (
        <Box key={c.id}>
          <Text>
            <Spinner type="dots" />{' '}
          </Text>
          <Lines lines={[runningLine(c, now, width - 2)]} width={width - 2} color={color} />
        </Box>
      ))}
      {hidden > 0 ? <Lines lines={[[seg(`  … and ${hidden} more running`, { dim: true })]]} width={width} color={color} /> : null}
      {phaseText ? (
        <Box>
          <Text>
            <Spinner type="dots" />{' '}
          </Text>
          <Lines lines={[[seg(phaseText, { color: 'yellow' })]]} width={width - 2} color={color} />
        </Box>
      ) : null}
      <Lines lines={[[], ...progressLines(state, now)]} width={width} color={color} />
    </Box>
  );
}
