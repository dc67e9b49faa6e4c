import { describe, expect, it } from '@jest/globals';
import { cloneReport } from '../reporters/fixture-report.js';
import { handleKey, initialView, keyedRows, matchesQuery, selectedIndex, visibleRows, type KeyPress, type ViewState } from '../../src/tui/view-state.js';

const rows = keyedRows(cloneReport().results);
const ctx = { rows, pageSize: 5, maxDetailScroll: () => 12 };
const run = (keys: (string | KeyPress)[], from: ViewState = initialView) =>
  keys.reduce<{ view: ViewState; effects: unknown[] }>(
    (acc, k) => {
      const { view, effect } = typeof k === 'string' ? handleKey(acc.view, k, {}, ctx) : handleKey(acc.view, '', k, ctx);
      return { view, effects: effect ? [...acc.effects, effect] : acc.effects };
    },
    { view: from, effects: [] },
  );
const selected = (v: ViewState) => visibleRows(rows, v)[selectedIndex(visibleRows(rows, v), v)]?.result;

describe('keys', () => {
  it('keys rows uniquely even when a check reports the same object twice', () => {
    const doubled = keyedRows([...cloneReport().results, cloneReport().results[0]!]);
    expect(new Set(doubled.map((r) => r.key)).size).toBe(doubled.length);
  });

  it.each([
    ['redis', ['redis/auth', 'redis/tls', 'endpoints/keda-trigger-auth']],
    ['REDIS auth', ['redis/auth', 'endpoints/keda-trigger-auth']],
    ['x2x7q', ['nodes/lifecycle-label']], // a pod name found only in event evidence
    ['values-prod.yaml:41', []], // file:line is rendered with its column only as evidence text "values-prod.yaml:41:7"
  ])('matchesQuery(%s)', (q, ids) => {
    const hits = rows.filter((r) => matchesQuery(r.result, q)).map((r) => r.result.id);
    for (const id of ids) expect(hits).toContain(id);
    if (ids.length === 0) expect(hits).toEqual(['redis/auth']);
  });

  it('moves by page and to the ends, clamped', () => {
    expect(selected(run([{ pageDown: true }]).view)?.id).toBe('redis/tls'); // 5 rows down, in the order shown
    expect(selected(run([{ pageDown: true }, { pageUp: true }]).view)?.id).toBe('nodes/lifecycle-label');
    expect(selected(run(['G']).view)?.id).toBe('config/service-config');
    expect(selected(run(['G', 'j', 'j']).view)?.id).toBe('config/service-config');
    expect(selected(run(['k', { upArrow: true }]).view)?.id).toBe('nodes/lifecycle-label');
  });

  it('the detail pane scrolls within bounds and closes with ←, Esc or h', () => {
    const open = run([{ return: true }]).view;
    expect(open.mode).toBe('detail');
    expect(run(['j', 'j', 'k'], open).view.detailScroll).toBe(1);
    expect(run([{ pageDown: true }, { pageDown: true }, { pageDown: true }], open).view.detailScroll).toBe(12);
    expect(run(['G', 'g'], open).view.detailScroll).toBe(0);
    for (const close of [{ leftArrow: true }, { escape: true }, 'h']) expect(run([close], open).view.mode).toBe('list');
  });

  it('typing after / edits a draft; Enter applies it, Esc drops it', () => {
    const typing = run(['/', 'r', 'e', 'd', 'x', { backspace: true }]).view;
    expect(typing).toMatchObject({ mode: 'search', draft: 'red', query: '' });
    expect(run([{ return: true }], typing).view).toMatchObject({ mode: 'list', query: 'red' });
    expect(run([{ escape: true }], typing).view).toMatchObject({ mode: 'list', query: '' });
    // q, r and ? are text while typing, not commands.
    const { view, effects } = run(['q', 'r', '?'], typing);
    expect(view.draft).toBe('redqr?');
    expect(effects).toEqual([]);
  });

  it('q, r and Ctrl-C produce effects for the selected finding', () => {
    expect(run(['j', 'j', 'r', 'q']).effects).toEqual([
      { type: 'rerun', id: 'images/mirrored' },
      { type: 'quit', result: rows.find((r) => r.result.id === 'images/mirrored')!.result },
    ]);
    expect(run([{ ctrl: true }, 'c']).effects).toEqual([]);
    expect(handleKey(initialView, 'c', { ctrl: true }, ctx).effect).toEqual({ type: 'cancel' });
  });

  it('? remembers where it came from', () => {
    const fromDetail = run([{ return: true }, '?']).view;
    expect(fromDetail).toMatchObject({ mode: 'help', back: 'detail' });
    expect(run(['x'], fromDetail).view.mode).toBe('detail');
  });
});
