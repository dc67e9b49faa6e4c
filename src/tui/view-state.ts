// What the report view shows and how keys change it: pure functions, so every key binding is testable without
// a terminal. The React side only stores a `ViewState` and calls `handleKey`.
import type { CheckResult, Status } from '../engine/types.js';
import { evidenceLine, formatObject } from '../reporters/format.js';

export type Mode = 'list' | 'detail' | 'search' | 'help';
export type StatusFilter = 'all' | 'failing' | 'warnings';

/** The `f` cycle: only what failed, then failures and warnings, then everything, then round again. */
export const STATUS_FILTER_CYCLE: readonly StatusFilter[] = ['failing', 'warnings', 'all'];

export const STATUS_FILTER_LABEL: Readonly<Record<StatusFilter, string>> = {
  all: 'all',
  failing: 'failing (fail, error)',
  warnings: 'failing + warnings',
};

const SHOWN: Readonly<Record<StatusFilter, readonly Status[]>> = {
  all: ['fail', 'error', 'warn', 'skip', 'pass'],
  failing: ['fail', 'error'],
  warnings: ['fail', 'error', 'warn'],
};

export interface ViewState {
  mode: Mode;
  /** Where `?` and `/` return to. */
  back: 'list' | 'detail';
  statusFilter: StatusFilter;
  /** The applied text filter. */
  query: string;
  /** The text being typed after `/`. */
  draft: string;
  /** The selection, by row key; the id and index are fallbacks when a re-run or filter removes the row. */
  selectedKey?: string;
  selectedId?: string;
  selectedIndex: number;
  detailScroll: number;
}

export const initialView: ViewState = { mode: 'list', back: 'list', statusFilter: 'all', query: '', draft: '', selectedIndex: 0, detailScroll: 0 };

/**
 * Where a report opens: on what needs attention (failures, errors and warnings) when there is any, so a
 * healthy majority of passes does not push it off the screen; on everything when all is well.
 */
export function initialViewFor(results: readonly CheckResult[]): ViewState {
  const attention = results.some((r) => matchesStatus(r, 'warnings'));
  return { ...initialView, statusFilter: attention ? 'warnings' : 'all' };
}

/** A result with a key that stays the same across renders and re-runs (id, object, messageId, occurrence). */
export interface Row {
  key: string;
  result: CheckResult;
}

export function keyedRows(results: readonly CheckResult[]): Row[] {
  const seen = new Map<string, number>();
  return results.map((result) => {
    const o = result.object;
    const base = `${result.id}#${o ? `${o.kind}/${o.namespace ?? ''}/${o.name}` : ''}#${result.messageId}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return { key: n === 0 ? base : `${base}#${n}`, result };
  });
}

export const matchesStatus = (r: CheckResult, f: StatusFilter): boolean => SHOWN[f].includes(r.status);

/** Case-insensitive; every word of the query must appear in the result's id, title, message, object or evidence. */
export function matchesQuery(r: CheckResult, query: string): boolean {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return true;
  const hay = [
    r.id,
    r.title,
    r.message,
    r.messageId,
    r.status,
    r.severity,
    r.object ? formatObject(r.object) : '',
    r.status === 'error' ? r.error : '',
    ...r.evidence.map(evidenceLine),
    r.remediation?.summary ?? '',
  ]
    .join('\n')
    .toLowerCase();
  return terms.every((t) => hay.includes(t));
}

/**
 * The rows the list shows, in the order it shows them: grouped by area, areas in order of their worst row
 * (the report is sorted worst-first), report order inside an area.
 */
export function visibleRows(rows: readonly Row[], view: Pick<ViewState, 'statusFilter' | 'query'>): Row[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    if (!matchesStatus(r.result, view.statusFilter) || !matchesQuery(r.result, view.query)) continue;
    const g = groups.get(r.result.area);
    if (g) g.push(r);
    else groups.set(r.result.area, [r]);
  }
  return [...groups.values()].flat();
}

/** Index of the selected row among `visible` (-1 when nothing is shown). */
export function selectedIndex(visible: readonly Row[], view: ViewState): number {
  if (visible.length === 0) return -1;
  if (view.selectedKey !== undefined) {
    const i = visible.findIndex((r) => r.key === view.selectedKey);
    if (i >= 0) return i;
  }
  if (view.selectedId !== undefined) {
    const i = visible.findIndex((r) => r.result.id === view.selectedId);
    if (i >= 0) return i;
  }
  return Math.min(Math.max(0, view.selectedIndex), visible.length - 1);
}

function select(view: ViewState, visible: readonly Row[], index: number): ViewState {
  if (visible.length === 0) return { ...view, selectedIndex: 0 };
  const i = Math.min(Math.max(0, index), visible.length - 1);
  const row = visible[i]!;
  return { ...view, selectedIndex: i, selectedKey: row.key, selectedId: row.result.id };
}

/** The subset of ink's `Key` we read. */
export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  meta?: boolean;
  backspace?: boolean;
  delete?: boolean;
  tab?: boolean;
}

/**
 * Split what ink delivers as one input into single key presses. Keys typed faster than the terminal is read
 * (tmux `send-keys j j Enter`, a held key, a paste) arrive as one string such as `"jj\r"`.
 */
export function splitKeys(input: string, key: KeyPress): [string, KeyPress][] {
  const chars = [...input];
  if (chars.length <= 1 || key.ctrl || key.meta) return [[input, key]];
  return chars.map((c): [string, KeyPress] => {
    if (c === '\r' || c === '\n') return ['', { return: true }];
    if (c === '\u007f' || c === '\b') return ['', { backspace: true }];
    if (c === '\t') return ['', { tab: true }];
    return [c, {}];
  });
}

export type KeyEffect = { type: 'quit'; result?: CheckResult } | { type: 'rerun'; id: string } | { type: 'cancel' };

export interface KeyContext {
  /** Every result of the report, keyed. */
  rows: readonly Row[];
  /** Rows the list shows at once (PgUp/PgDn step). */
  pageSize: number;
  /** How far the detail pane can scroll for a result. */
  maxDetailScroll: (r: CheckResult) => number;
}

/** Apply one key press. Pure: the caller stores the new view and carries out the effect. */
export function handleKey(view: ViewState, input: string, key: KeyPress, ctx: KeyContext): { view: ViewState; effect?: KeyEffect } {
  if (key.ctrl && input === 'c') return { view, effect: { type: 'cancel' } };
  const visible = visibleRows(ctx.rows, view);
  const index = selectedIndex(visible, view);
  // Pin the selection to its row before anything else, so a re-run that re-sorts the report keeps it.
  if (index >= 0 && view.selectedKey !== visible[index]!.key) view = select(view, visible, index);
  const current = index >= 0 ? visible[index] : undefined;

  switch (view.mode) {
    case 'help':
      return { view: { ...view, mode: view.back } };

    case 'search': {
      if (key.return) {
        const applied = { ...view, mode: 'list' as const, query: view.draft.trim() };
        const now = visibleRows(ctx.rows, applied);
        return { view: select(applied, now, selectedIndex(now, applied)) };
      }
      if (key.escape) return { view: { ...view, mode: 'list', draft: '' } };
      if (key.backspace || key.delete) return { view: { ...view, draft: [...view.draft].slice(0, -1).join('') } };
      if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return { view };
      const text = input.replace(/[\u0000-\u001f\u007f]/g, '');
      return { view: text ? { ...view, draft: view.draft + text } : view };
    }

    case 'detail': {
      const max = current ? ctx.maxDetailScroll(current.result) : 0;
      const scroll = (to: number) => ({ view: { ...view, detailScroll: Math.min(Math.max(0, to), max) } });
      if (key.leftArrow || key.escape || input === 'h') return { view: { ...view, mode: 'list', detailScroll: 0 } };
      if (key.upArrow || input === 'k') return scroll(view.detailScroll - 1);
      if (key.downArrow || input === 'j') return scroll(view.detailScroll + 1);
      if (key.pageUp) return scroll(view.detailScroll - ctx.pageSize);
      if (key.pageDown || input === ' ') return scroll(view.detailScroll + ctx.pageSize);
      if (key.home || input === 'g') return scroll(0);
      if (key.end || input === 'G') return scroll(max);
      if (input === 'n') return { view: { ...select(view, visible, index + 1), detailScroll: 0 } };
      if (input === 'p') return { view: { ...select(view, visible, index - 1), detailScroll: 0 } };
      return common(view, input, current);
    }

    case 'list': {
      const move = (to: number) => ({ view: select(view, visible, to) });
      if (key.upArrow || input === 'k') return move(index - 1);
      if (key.downArrow || input === 'j') return move(index + 1);
      if (key.pageUp) return move(index - ctx.pageSize);
      if (key.pageDown) return move(index + ctx.pageSize);
      if (key.home || input === 'g') return move(0);
      if (key.end || input === 'G') return move(visible.length - 1);
      if ((key.return || key.rightArrow || input === 'l') && current) return { view: { ...select(view, visible, index), mode: 'detail', detailScroll: 0 } };
      if (input === 'f') {
        const i = STATUS_FILTER_CYCLE.indexOf(view.statusFilter);
        const next = { ...view, statusFilter: STATUS_FILTER_CYCLE[(i + 1) % STATUS_FILTER_CYCLE.length]! };
        const now = visibleRows(ctx.rows, next);
        return { view: select(next, now, selectedIndex(now, next)) };
      }
      if (key.escape && view.query !== '') {
        const cleared = { ...view, query: '' };
        const now = visibleRows(ctx.rows, cleared);
        return { view: select(cleared, now, selectedIndex(now, cleared)) };
      }
      return common(view, input, current);
    }
  }
}

/** Keys that work the same in the list and the detail pane. */
function common(view: ViewState, input: string, current: Row | undefined): { view: ViewState; effect?: KeyEffect } {
  const back = view.mode === 'detail' ? 'detail' : 'list';
  switch (input) {
    case 'q':
      return { view, effect: { type: 'quit', ...(current ? { result: current.result } : {}) } };
    case 'r':
      return current ? { view, effect: { type: 'rerun', id: current.result.id } } : { view };
    case '/':
      return { view: { ...view, mode: 'search', back: 'list', draft: view.query } };
    case '?':
      return { view: { ...view, mode: 'help', back } };
    default:
      return { view };
  }
}
