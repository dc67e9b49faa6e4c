import { Box, Text, useInput } from 'ink';
import Spinner from 'ink-spinner';
import { useMemo, useReducer, useRef } from 'react';
import type { Report } from '../engine/types.js';
import { cleanLine } from '../reporters/format.js';
import { STATUS_STYLES } from '../reporters/theme.js';
import { fixText } from './copy-text.js';
import { DetailPane, detailWindow } from './DetailPane.js';
import { Header, headerLines } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { itemsOf, resolve, visibleItems, type Item } from './items.js';
import { seg, type Line } from './layout.js';
import { Lines } from './Lines.js';
import { ResultList } from './ResultList.js';
import { RunningView } from './RunningView.js';
import type { RunState, RunStore } from './store.js';
import { useNow, useRunStore, useTerminalSize, type TerminalSize } from './use-run-store.js';
import { handleKey, initialViewFor, selectedIndex, splitKeys, STATUS_FILTER_LABEL, type ViewState } from './view-state.js';

/** What the UI asks of the session that owns the engine (`run-tui.tsx`). */
export interface TuiActions {
  /** Ctrl-C: cancel the run (or a re-run) and leave with exit code 130. */
  cancel(): void;
  /** `q`: leave; `fix` is the selected item's fix as plain text, printed once the UI is gone. */
  quit(fix: string | undefined): void;
  /** `c`: put the selected item's fix on the clipboard (OSC 52); `what` names it for the footer. */
  copy(fix: string, what: string): void;
  /** `r`: run one check again with the run's context. */
  rerun(id: string): void;
}

const FOOTER_HEIGHT = 3; // a blank line, the status line, the key hints
/** Below this many rows the header folds into two lines. */
export const COMPACT_ROWS = 30;

/**
 * Columns we draw in. The last one stays empty: a line that fills it leaves the terminal in its pending-wrap
 * state, and whatever is written after the UI (the fix printed on quit, the CLI's "cancelled") then starts
 * on the UI's last line.
 */
export const usableWidth = (columns: number): number => Math.max(20, columns - 1);

/** How the report screen splits the terminal's rows. Pure; shared by rendering and key handling (page size). */
export function reportLayout(report: Report, size: TerminalSize) {
  const width = usableWidth(size.columns);
  const compact = size.rows < COMPACT_ROWS;
  const header = headerLines(report, compact).length;
  // Never draw as many lines as the terminal has: ink would then clear the whole screen on every frame.
  const body = Math.max(3, size.rows - 1 - header - 1 - FOOTER_HEIGHT);
  return { width, compact, body };
}

function emptyHint(report: Report, items: readonly Item[], view: ViewState): string {
  if (report.results.length === 0 && items.length === 0) return 'No checks ran.';
  if (items.length === 0) return `${STATUS_STYLES.pass.glyph} Everything passed: ${report.counts.pass} passed check result${report.counts.pass === 1 ? '' : 's'} (--show-passed lists them).`;
  if (view.query === '' && view.statusFilter !== 'all') {
    const what = view.statusFilter === 'failing' ? 'failing' : 'failing or warning';
    return `Nothing ${what}. ${STATUS_STYLES.pass.glyph} Press f to see the rest.`;
  }
  const text = view.query ? `"${view.query}" ` : '';
  return `Nothing matches ${text}with status filter ${STATUS_FILTER_LABEL[view.statusFilter]}. ${view.query ? 'Esc clears the text; ' : ''}f changes the status filter.`;
}

interface DetailInfo {
  start: number;
  shown: number;
  total: number;
  hscroll: number;
  maxHScroll: number;
}

function statusLine(view: ViewState, visible: readonly Item[], selected: number, total: number, hiddenPasses: number, detail?: DetailInfo): Line {
  switch (view.mode) {
    case 'search':
      return [seg('/', { bold: true, color: 'cyan' }), seg(view.draft), seg('▌', { dim: true }), seg('   Enter applies · Esc cancels', { dim: true })];
    case 'help':
      return [seg('press any key to close the help', { dim: true })];
    case 'detail': {
      const d = detail ?? { start: 0, shown: 0, total: 0, hscroll: 0, maxHScroll: 0 };
      const more = d.total > d.shown ? ` · lines ${d.start + 1}–${d.start + d.shown} of ${d.total}` : '';
      const wide = d.maxHScroll > 0 ? ` · ${d.hscroll > 0 ? '< ' : ''}long commands cut: ${d.hscroll < d.maxHScroll ? '> scrolls right' : 'at the end'}` : '';
      return [seg(`item ${selected + 1}/${visible.length}${more}`, { dim: true }), seg(wide, { color: 'yellow' })];
    }
    case 'list': {
      const line: Line = [
        seg(visible.length === 0 ? `0 of ${total}` : `${selected + 1}/${visible.length}`, { bold: true }),
        seg(visible.length === total || visible.length === 0 ? '' : ` (of ${total})`, { dim: true }),
        seg(' · filter ', { dim: true }),
        seg(STATUS_FILTER_LABEL[view.statusFilter], view.statusFilter === 'all' ? {} : { color: 'yellow', bold: true }),
      ];
      if (view.query) line.push(seg(' · text ', { dim: true }), seg(`"${view.query}"`, { color: 'yellow', bold: true }));
      if (hiddenPasses > 0 && view.statusFilter === 'all') line.push(seg(` · ${hiddenPasses} passes hidden (--show-passed)`, { dim: true }));
      return line;
    }
  }
}

const HINTS: Readonly<Record<ViewState['mode'], string>> = {
  list: '↑↓ move · Enter open · c copy fix · f filter · / search · ? keys · q quit',
  detail: '↑↓ scroll · < > commands · n/p next · ← back · c copy fix · ? keys · q quit',
  search: 'type words to match ids, messages, objects, evidence or endpoints',
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

/** After the run: the header, then the list (diagnosis, endpoints, incidents, skips), a detail pane or the help. */
function ReportView(props: { state: RunState; report: Report; view: ViewState; items: readonly Item[]; size: TerminalSize; color: boolean; hiddenPasses: number }) {
  const { state, report, view, items, size, color } = props;
  const layout = reportLayout(report, size);
  const visible = visibleItems(items, view);
  const selected = selectedIndex(visible, view);
  const current = selected >= 0 ? visible[selected] : undefined;
  const showDetail = view.mode === 'detail' || (view.mode === 'help' && view.back === 'detail');
  let body;
  let detail: DetailInfo | undefined;
  if (view.mode === 'help') body = <HelpOverlay width={layout.width} height={layout.body} color={color} />;
  else if (showDetail && current) {
    const w = detailWindow(current, layout.width, layout.body, view.detailScroll, view.hscroll);
    detail = { start: w.start, shown: w.lines.length, total: w.total, hscroll: view.hscroll, maxHScroll: w.maxHScroll };
    body = <DetailPane item={current} width={layout.width} height={layout.body} scroll={view.detailScroll} hscroll={view.hscroll} color={color} />;
  } else {
    body = <ResultList visible={visible} all={items} selected={selected} width={layout.width} height={layout.body} color={color} emptyHint={emptyHint(report, items, view)} />;
  }
  return (
    <Box flexDirection="column">
      <Header report={report} width={layout.width} color={color} compact={layout.compact} />
      <Text> </Text>
      {body}
      <Footer state={state} status={statusLine(view, visible, selected, items.length, props.hiddenPasses, detail)} hint={HINTS[view.mode]} width={layout.width} color={color} />
    </Box>
  );
}

/** How the footer names what `c` copied. */
function describe(item: Item): string {
  switch (item.kind) {
    case 'diagnosis':
      return `the fix for ${item.diagnosis.endpoint.name ?? item.diagnosis.endpoint.id ?? 'the endpoint'} (${item.diagnosis.cause})`;
    case 'endpoint':
      return `the command that diagnoses ${item.row.name ?? item.row.id ?? 'the endpoint'}`;
    case 'incident':
      return `the fix of incident #${item.incident.rank} (${item.lead.id})`;
    case 'result':
      return `the fix of ${item.result.id}`;
  }
}

/** The whole TUI: the live run, then the interactive report. Reads the store; never runs the engine itself. */
export function App({ store, color, actions, interactive = true, showPassed = false }: { store: RunStore; color: boolean; actions: TuiActions; interactive?: boolean; showPassed?: boolean }) {
  const state = useRunStore(store);
  const size = useTerminalSize();
  const now = useNow(250, state.phase !== 'done');
  // The view lives in a ref so fast key presses (a paste, a test writing keys back to back) each see the
  // previous key's result, not the state of the last render.
  const viewRef = useRef<ViewState | undefined>(undefined);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const items = useMemo(() => (state.report ? itemsOf(state.report, { showPassed }) : []), [state.report, showPassed]);
  const hiddenPasses = showPassed ? 0 : (state.report?.counts.pass ?? 0);
  // The first report decides where the view opens; re-runs later keep the user's filter.
  if (!viewRef.current && state.report) viewRef.current = initialViewFor(items);

  useInput(
    (input, key) => {
      const current = store.getState();
      if (current.phase !== 'done' || !current.report || !viewRef.current) {
        if (key.ctrl && input === 'c') actions.cancel();
        return;
      }
      const report = current.report;
      const all = itemsOf(report, { showPassed });
      const before = viewRef.current;
      let view: ViewState = before;
      for (const [one, k] of splitKeys(input, key)) {
        const layout = reportLayout(report, size);
        const next = handleKey(view, one, k, {
          items: all,
          pageSize: Math.max(1, layout.body - 2),
          maxDetailScroll: (item) => detailWindow(item, layout.width, layout.body, 0).maxScroll,
          maxHScroll: (item) => detailWindow(item, layout.width, layout.body, 0).maxHScroll,
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
            actions.quit(effect.item ? fixText(resolve(effect.item, all)) : undefined);
            return;
          case 'copy': {
            const target = resolve(effect.item, all);
            const text = fixText(target);
            if (text) actions.copy(text, describe(target));
            break;
          }
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
  return <ReportView state={state} report={state.report} view={viewRef.current ?? initialViewFor(items)} items={items} size={size} color={color} hiddenPasses={hiddenPasses} />;
}
