import { Box, Text, useInput } from 'ink';
import Spinner from 'ink-spinner';
import { useMemo, useReducer, useRef } from 'react';
import type { CheckResult, Report } from '../engine/types.js';
import { cleanLine } from '../reporters/format.js';
import { STATUS_STYLES } from '../reporters/theme.js';
import { DetailPane, detailWindow } from './DetailPane.js';
import { diagnosisHeight, DiagnosisView, isDiagnosis } from './EndpointTree.js';
import { Header, headerLines } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { seg, type Line } from './layout.js';
import { Lines } from './Lines.js';
import { ResultList } from './ResultList.js';
import { RunningView } from './RunningView.js';
import type { RunState, RunStore } from './store.js';
import { useNow, useRunStore, useTerminalSize, type TerminalSize } from './use-run-store.js';
import { handleKey, initialViewFor, keyedRows, selectedIndex, splitKeys, STATUS_FILTER_LABEL, visibleRows, type Row, type ViewState } from './view-state.js';

/** What the UI asks of the session that owns the engine (`run-tui.tsx`). */
export interface TuiActions {
  /** Ctrl-C: cancel the run (or a re-run) and leave with exit code 130. */
  cancel(): void;
  /** `q`: leave; `selected` is the finding under the cursor. */
  quit(selected: CheckResult | undefined): void;
  /** `r`: run one check again with the run's context. */
  rerun(id: string): void;
}

const FOOTER_HEIGHT = 3; // a blank line, the status line, the key hints
const MIN_LIST = 5;

/**
 * Columns we draw in. The last one stays empty: a line that fills it leaves the terminal in its pending-wrap
 * state, and whatever is written after the UI (the fix printed on quit, the CLI's "cancelled") then starts
 * on the UI's last line.
 */
export const usableWidth = (columns: number): number => Math.max(20, columns - 1);

/** How the report screen splits the terminal's rows. Pure; shared by rendering and key handling (page size). */
export function reportLayout(report: Report, view: ViewState, size: TerminalSize) {
  const width = usableWidth(size.columns);
  const header = headerLines(report).length;
  // Never draw as many lines as the terminal has: ink would then clear the whole screen on every frame.
  const free = Math.max(0, size.rows - 1 - header - 1 - FOOTER_HEIGHT);
  const diagnosis = isDiagnosis(report.diagnosis) ? report.diagnosis : undefined;
  let diagLines = 0;
  if (diagnosis && view.mode === 'list') {
    const room = free - MIN_LIST - 1;
    diagLines = room >= 3 ? Math.min(diagnosisHeight(diagnosis, width), room) : 0;
  }
  const body = Math.max(3, free - (diagLines > 0 ? diagLines + 1 : 0));
  return { width, diagnosis: diagLines > 0 ? diagnosis : undefined, diagLines, body };
}

function emptyHint(report: Report, view: ViewState): string {
  if (report.results.length === 0) return 'No checks ran.';
  if (view.query === '' && view.statusFilter !== 'all') {
    const what = view.statusFilter === 'failing' ? 'failing' : 'failing or warning';
    return `Nothing ${what}. ${STATUS_STYLES.pass.glyph} Press f to see the rest.`;
  }
  const text = view.query ? `"${view.query}" ` : '';
  return `Nothing matches ${text}with status filter ${STATUS_FILTER_LABEL[view.statusFilter]}. ${view.query ? 'Esc clears the text; ' : ''}f changes the status filter.`;
}

function statusLine(view: ViewState, visible: readonly Row[], selected: number, total: number, detail?: { start: number; shown: number; total: number }): Line {
  switch (view.mode) {
    case 'search':
      return [seg('/', { bold: true, color: 'cyan' }), seg(view.draft), seg('▌', { dim: true }), seg('   Enter applies · Esc cancels', { dim: true })];
    case 'help':
      return [seg('press any key to close the help', { dim: true })];
    case 'detail': {
      const d = detail ?? { start: 0, shown: 0, total: 0 };
      const more = d.total > d.shown ? ` · lines ${d.start + 1}–${d.start + d.shown} of ${d.total}` : '';
      return [seg(`finding ${selected + 1}/${visible.length}${more}`, { dim: true })];
    }
    case 'list': {
      const line: Line = [
        seg(visible.length === 0 ? `0 of ${total}` : `${selected + 1}/${visible.length}`, { bold: true }),
        seg(visible.length === total || visible.length === 0 ? '' : ` (of ${total})`, { dim: true }),
        seg(' · filter ', { dim: true }),
        seg(STATUS_FILTER_LABEL[view.statusFilter], view.statusFilter === 'all' ? {} : { color: 'yellow', bold: true }),
      ];
      if (view.query) line.push(seg(' · text ', { dim: true }), seg(`"${view.query}"`, { color: 'yellow', bold: true }));
      return line;
    }
  }
}

const HINTS: Readonly<Record<ViewState['mode'], string>> = {
  list: '↑↓/jk move · Enter details · / search · f filter · r re-run · ? keys · q quit',
  detail: '↑↓ scroll · n/p next/prev · ← back · r re-run · ? keys · q quit',
  search: 'type words to match id, title, message, object or evidence',
  help: '',
};

function Footer(props: { state: RunState; status: Line; hint: string; width: number; color: boolean }) {
  const { rerun, notice } = props.state;
  let second: Line = [seg(props.hint, { dim: true })];
  if (notice && !rerun) {
    const st = notice.status ? STATUS_STYLES[notice.status] : undefined;
    second = [seg(`${st ? `${st.glyph} ` : ''}${cleanLine(notice.text)}`, st ? { color: st.colour, bold: true } : { bold: true }), seg(`   ${props.hint}`, { dim: true })];
  }
  return (
    <Box flexDirection="column">
      <Lines lines={[[], props.status]} width={props.width} color={props.color} />
      {rerun ? (
        <Box>
          <Text>
            <Spinner type="dots" />{' '}
          </Text>
          <Lines
            lines={[[seg(`re-running ${cleanLine(rerun.id)}…`, { bold: true }), seg(rerun.progress ? `  ${cleanLine(rerun.progress)}` : '', { color: 'cyan' })]]}
            width={props.width - 2}
            color={props.color}
          />
        </Box>
      ) : (
        <Lines lines={[second]} width={props.width} color={props.color} />
      )}
    </Box>
  );
}

/** After the run: header, the endpoint diagnosis when there is one, then the list, a detail pane or the help. */
function ReportView({ state, report, view, rows, size, color }: { state: RunState; report: Report; view: ViewState; rows: readonly Row[]; size: TerminalSize; color: boolean }) {
  const layout = reportLayout(report, view, size);
  const visible = visibleRows(rows, view);
  const selected = selectedIndex(visible, view);
  const current = selected >= 0 ? visible[selected] : undefined;
  const showDetail = view.mode === 'detail' || (view.mode === 'help' && view.back === 'detail');
  let body;
  let detail: { start: number; shown: number; total: number } | undefined;
  if (view.mode === 'help') body = <HelpOverlay width={layout.width} height={layout.body} color={color} />;
  else if (showDetail && current) {
    const w = detailWindow(current.result, layout.width, layout.body, view.detailScroll);
    detail = { start: w.start, shown: w.lines.length, total: w.total };
    body = <DetailPane result={current.result} width={layout.width} height={layout.body} scroll={view.detailScroll} color={color} />;
  } else {
    body = <ResultList visible={visible} selected={selected} width={layout.width} height={layout.body} color={color} emptyHint={emptyHint(report, view)} />;
  }
  return (
    <Box flexDirection="column">
      <Header report={report} width={layout.width} color={color} />
      <Text> </Text>
      {layout.diagnosis ? (
        <>
          <DiagnosisView diagnosis={layout.diagnosis} color={color} width={layout.width} maxLines={layout.diagLines} />
          <Text> </Text>
        </>
      ) : null}
      {body}
      <Footer state={state} status={statusLine(view, visible, selected, rows.length, detail)} hint={HINTS[view.mode]} width={layout.width} color={color} />
    </Box>
  );
}

/** The whole TUI: the live run, then the interactive report. Reads the store; never runs the engine itself. */
export function App({ store, color, actions, interactive = true }: { store: RunStore; color: boolean; actions: TuiActions; interactive?: boolean }) {
  const state = useRunStore(store);
  const size = useTerminalSize();
  const now = useNow(250, state.phase !== 'done');
  // The view lives in a ref so fast key presses (a paste, a test writing keys back to back) each see the
  // previous key's result, not the state of the last render.
  const viewRef = useRef<ViewState | undefined>(undefined);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const rows = useMemo(() => keyedRows(state.report?.results ?? []), [state.report]);
  // The first report decides where the view opens; re-runs later keep the user's filter.
  if (!viewRef.current && state.report) viewRef.current = initialViewFor(state.report.results);

  useInput(
    (input, key) => {
      const current = store.getState();
      if (current.phase !== 'done' || !current.report || !viewRef.current) {
        if (key.ctrl && input === 'c') actions.cancel();
        return;
      }
      const report = current.report;
      const before = viewRef.current;
      let view: ViewState = before;
      for (const [one, k] of splitKeys(input, key)) {
        const layout = reportLayout(report, view, size);
        const next = handleKey(view, one, k, {
          rows: keyedRows(report.results),
          pageSize: Math.max(1, layout.body - 2),
          maxDetailScroll: (r) => detailWindow(r, layout.width, layout.body, 0).maxScroll,
        });
        view = next.view;
        viewRef.current = view;
        const effect = next.effect;
        if (!effect) continue;
        switch (effect.type) {
          case 'cancel':
            actions.cancel();
            return;
          case 'quit':
            actions.quit(effect.result);
            return;
          case 'rerun':
            if (!store.getState().rerun) actions.rerun(effect.id);
            break;
        }
      }
      if (view !== before) rerender();
    },
    { isActive: interactive },
  );

  if (state.phase !== 'done' || !state.report) {
    // `now` only drives the once-a-quarter-second redraw; the clock is read here so a fresh event never shows a stale time.
    return <RunningView state={state} now={Math.max(now, Date.now())} width={usableWidth(size.columns)} rows={size.rows} color={color} />;
  }
  return <ReportView state={state} report={state.report} view={viewRef.current ?? initialViewFor(state.report.results)} rows={rows} size={size} color={color} />;
}
