// What the report view shows and how keys change it: pure functions, so every key binding is testable without
// a terminal. The React side only stores a `ViewState` and calls `handleKey`.
import { matchesQuery, matchesStatus, resolve, visibleItems, type Item, type StatusFilter } from './items.js';

export type { StatusFilter } from './items.js';
export type Mode = 'list' | 'detail' | 'search' | 'help';

/** The `f` cycle: only what failed, then failures and warnings, then everything, then round again. */
export const STATUS_FILTER_CYCLE: readonly StatusFilter[] = ['failing', 'warnings', 'all'];

export const STATUS_FILTER_LABEL: Readonly<Record<StatusFilter, string>> = {
  all: 'all',
  failing: 'failing (fail, error)',
  warnings: 'failing + warnings',
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
  /** The selection, by item key; the check id and index are fallbacks when a re-run or filter removes the item. */
  selectedKey?: string;
  selectedId?: string;
  selectedIndex: number;
  detailScroll: number;
  /** How far commands and values that do not fit are scrolled to the right (`>`), in columns. */
  hscroll: number;
}

export const initialView: ViewState = { mode: 'list', back: 'list', statusFilter: 'all', query: '', draft: '', selectedIndex: 0, detailScroll: 0, hscroll: 0 };

/**
 * Where a report opens: on what needs attention (failures, errors and warnings) when there is any, so a
 * healthy majority does not push it off the screen; on everything when all is well.
 */
export function initialViewFor(items: readonly Item[]): ViewState {
  const attention = items.some((i) => i.kind !== 'diagnosis' && matchesStatus(i, 'warnings'));
  return { ...initialView, statusFilter: attention ? 'warnings' : 'all' };
}

/** Index of the selected item among `visible` (-1 when nothing is shown). */
export function selectedIndex(visible: readonly Item[], view: ViewState): number {
  if (visible.length === 0) return -1;
  if (view.selectedKey !== undefined) {
    const i = visible.findIndex((r) => r.key === view.selectedKey);
    if (i >= 0) return i;
  }
  if (view.selectedId !== undefined) {
    const i = visible.findIndex((r) => r.checkId === view.selectedId);
    if (i >= 0) return i;
  }
  return Math.min(Math.max(0, view.selectedIndex), visible.length - 1);
}

/** After the list changed (a filter): the same item when it is still shown, else the first. */
function reselect(view: ViewState, visible: readonly Item[]): ViewState {
  const i = visible.findIndex((r) => r.key === view.selectedKey);
  return select(view, visible, i >= 0 ? i : 0);
}

function select(view: ViewState, visible: readonly Item[], index: number): ViewState {
  if (visible.length === 0) return { ...view, selectedIndex: 0 };
  const i = Math.min(Math.max(0, index), visible.length - 1);
  const item = visible[i]!;
  const { selectedId: _drop, ...rest } = view;
  return { ...rest, selectedIndex: i, selectedKey: item.key, ...(item.checkId ? { selectedId: item.checkId } : {}) };
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

export type KeyEffect =
  | { type: 'quit'; item?: Item }
  | { type: 'copy'; item: Item }
  | { type: 'rerun'; id: string }
  | { type: 'cancel' };

export interface KeyContext {
  /** Every item of the report. */
  items: readonly Item[];
  /** Rows the list shows at once (PgUp/PgDn step). */
  pageSize: number;
  /** How far the detail pane can scroll for an item. */
  maxDetailScroll: (item: Item) => number;
  /** How far its commands can scroll to the right (0: they fit). */
  maxHScroll: (item: Item) => number;
}

/** Columns one `<`/`>` moves commands by. */
export const HSCROLL_STEP = 20;

/** Enter on an item: an endpoint explained by an incident opens that incident; anything else opens its own details. */
function open(view: ViewState, items: readonly Item[], item: Item): ViewState {
  const base = { ...view, mode: 'detail' as const, detailScroll: 0, hscroll: 0 };
  const target = resolve(item, items);
  if (target === item) return base;
  // The incident may be hidden by the filters: show it (the list the details belong to must hold it).
  const shown = { ...base, query: matchesQuery(target, base.query) ? base.query : '', statusFilter: matchesStatus(target, base.statusFilter) ? base.statusFilter : ('all' as const) };
  const visible = visibleItems(items, shown);
  return select(shown, visible, visible.findIndex((i) => i.key === target.key));
}

/** Apply one key press. Pure: the caller stores the new view and carries out the effect. */
export function handleKey(view: ViewState, input: string, key: KeyPress, ctx: KeyContext): { view: ViewState; effect?: KeyEffect } {
  if (key.ctrl && input === 'c') return { view, effect: { type: 'cancel' } };
  const visible = visibleItems(ctx.items, view);
  const index = selectedIndex(visible, view);
  // Pin the selection to its item before anything else, so a re-run that re-sorts the report keeps it.
  if (index >= 0 && view.selectedKey !== visible[index]!.key) view = select(view, visible, index);
  const current = index >= 0 ? visible[index] : undefined;

  switch (view.mode) {
    case 'help':
      return { view: { ...view, mode: view.back } };

    case 'search': {
      if (key.return) {
        const applied = { ...view, mode: 'list' as const, query: view.draft.trim() };
        return { view: reselect(applied, visibleItems(ctx.items, applied)) };
      }
      if (key.escape) return { view: { ...view, mode: 'list', draft: '' } };
      if (key.backspace || key.delete) return { view: { ...view, draft: [...view.draft].slice(0, -1).join('') } };
      if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return { view };
      const text = input.replace(/[\u0000-\u001f\u007f]/g, '');
      return { view: text ? { ...view, draft: view.draft + text } : view };
    }

    case 'detail': {
      const max = current ? ctx.maxDetailScroll(current) : 0;
      const scroll = (to: number) => ({ view: { ...view, detailScroll: Math.min(Math.max(0, to), max) } });
      const hmax = current ? ctx.maxHScroll(current) : 0;
      if (input === '>' || input === '.') return { view: { ...view, hscroll: Math.min(hmax, view.hscroll + HSCROLL_STEP) } };
      if (input === '<' || input === ',') return { view: { ...view, hscroll: Math.max(0, view.hscroll - HSCROLL_STEP) } };
      if (key.leftArrow || key.escape || input === 'h') return { view: { ...view, mode: 'list', detailScroll: 0, hscroll: 0 } };
      if (key.upArrow || input === 'k') return scroll(view.detailScroll - 1);
      if (key.downArrow || input === 'j') return scroll(view.detailScroll + 1);
      if (key.pageUp) return scroll(view.detailScroll - ctx.pageSize);
      if (key.pageDown || input === ' ') return scroll(view.detailScroll + ctx.pageSize);
      if (key.home || input === 'g') return scroll(0);
      if (key.end || input === 'G') return scroll(max);
      if (input === 'n') return { view: { ...select(view, visible, index + 1), detailScroll: 0, hscroll: 0 } };
      if (input === 'p') return { view: { ...select(view, visible, index - 1), detailScroll: 0, hscroll: 0 } };
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
      if ((key.return || key.rightArrow || input === 'l') && current) return { view: open(select(view, visible, index), ctx.items, current) };
      if (input === 'f') {
        const i = STATUS_FILTER_CYCLE.indexOf(view.statusFilter);
        const next = { ...view, statusFilter: STATUS_FILTER_CYCLE[(i + 1) % STATUS_FILTER_CYCLE.length]! };
        return { view: reselect(next, visibleItems(ctx.items, next)) };
      }
      if (key.escape && view.query !== '') {
        const cleared = { ...view, query: '' };
        return { view: reselect(cleared, visibleItems(ctx.items, cleared)) };
      }
      return common(view, input, current);
    }
  }
}

/** Keys that work the same in the list and the detail pane. */
function common(view: ViewState, input: string, current: Item | undefined): { view: ViewState; effect?: KeyEffect } {
  const back = view.mode === 'detail' ? 'detail' : 'list';
  switch (input) {
    case 'q':
      return { view, effect: { type: 'quit', ...(current ? { item: current } : {}) } };
    case 'c':
      return current ? { view, effect: { type: 'copy', item: current } } : { view };
    case 'r':
      return current?.checkId ? { view, effect: { type: 'rerun', id: current.checkId } } : { view };
    case '/':
      return { view: { ...view, mode: 'search', back: 'list', draft: view.query } };
    case '?':
      return { view: { ...view, mode: 'help', back } };
    default:
      return { view };
  }
}
