import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Report } from '../../src/engine/types.js';
import { itemsOf, matchesQuery, resolve, resultKeys, visibleItems, type Item } from '../../src/tui/items.js';
import { handleKey, initialView, initialViewFor, selectedIndex, type KeyPress, type ViewState } from '../../src/tui/view-state.js';
import { endpointReport, triageReport } from '../reporters/fixture-report.js';

let demo: Report;
let items: Item[];
beforeAll(async () => {
  demo = await triageReport();
  items = itemsOf(demo);
}, 60_000);

const ctx = () => ({ items, pageSize: 5, maxDetailScroll: () => 12, maxHScroll: () => 30 });
const run = (keys: (string | KeyPress)[], from: ViewState = initialView) =>
  keys.reduce<{ view: ViewState; effects: unknown[] }>(
    (acc, k) => {
      const { view, effect } = typeof k === 'string' ? handleKey(acc.view, k, {}, ctx()) : handleKey(acc.view, '', k, ctx());
      return { view, effects: effect ? [...acc.effects, effect] : acc.effects };
    },
    { view: from, effects: [] },
  );
const selected = (v: ViewState) => {
  const visible = visibleItems(items, v);
  return visible[selectedIndex(visible, v)];
};
const name = (i: Item | undefined) => {
  if (!i) return undefined;
  switch (i.kind) {
    case 'diagnosis':
      return 'diagnosis';
    case 'endpoint':
      return `endpoint ${i.row.name}`;
    case 'incident':
      return `#${i.incident.rank} ${i.lead.id}`;
    case 'result':
      return `${i.result.status} ${i.result.id}`;
  }
};

describe('items', () => {
  it('are the endpoints (failing first), the incidents by rank, then the skips; passes only when asked', () => {
    expect(items.map(name)).toEqual([
      'endpoint llama-3-70b',
      'endpoint mixtral-8x7b',
      'endpoint embeddings-cpu',
      'endpoint llama-3-8b-instruct',
      '#1 endpoints/serving',
      '#2 endpoints/serving',
      '#3 redis/log-errors',
      '#4 values/scheduling',
      '#5 values/image-tag',
      ...demo.results.filter((r) => r.status === 'skip').map((r) => `skip ${r.id}`),
    ]);
    expect(itemsOf(demo, { showPassed: true }).filter((i) => i.section === 'passed')).toHaveLength(demo.counts.pass);
  });

  it('keys results uniquely even when a check reports the same object twice', () => {
    const keys = resultKeys([...demo.results, demo.results[0]!]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('link a failing endpoint to the incident that explains it', () => {
    const llama = items.find((i) => i.kind === 'endpoint' && i.row.name === 'llama-3-70b')!;
    expect(name(resolve(llama, items))).toBe('#1 endpoints/serving');
    const healthy = items.find((i) => i.kind === 'endpoint' && i.row.name === 'embeddings-cpu')!;
    expect(resolve(healthy, items)).toBe(healthy);
  });

  it('put the endpoint diagnosis first when the report has one', async () => {
    const report = await endpointReport('llama-3-70b');
    expect(itemsOf(report)[0]).toMatchObject({ kind: 'diagnosis', status: 'fail', key: 'diagnosis' });
  });

  it.each([
    ['cacher', ['#3 redis/log-errors', '#4 values/scheduling', '#5 values/image-tag']],
    ['H100 capacity', ['#1 endpoints/serving']], // "capacity" only in gpu/capacity, one of #1's other views
    ['g9c9j', ['endpoint llama-3-70b', '#1 endpoints/serving']], // a pod name found in event evidence and the summary
    ['cloud-api', ['skip redis/connectivity', 'skip broker/queues', 'skip broker/queues', 'skip identity/cloud-trust']],
  ])('matchesQuery(%s)', (q, expected) => {
    expect(items.filter((i) => matchesQuery(i, q)).map(name)).toEqual(expected);
  });
});

describe('keys', () => {
  it('open on failing + warnings when anything needs attention', () => {
    expect(initialViewFor(items).statusFilter).toBe('warnings');
    expect(initialViewFor(items.filter((i) => i.status === 'pass' || i.status === 'skip')).statusFilter).toBe('all');
  });

  it('move by page and to the ends, clamped', () => {
    const from = initialViewFor(items);
    expect(name(selected(run([{ pageDown: true }], from).view))).toBe('#4 values/scheduling'); // 5 down, in the order shown
    expect(name(selected(run([{ pageDown: true }, { pageUp: true }], from).view))).toBe('endpoint llama-3-70b');
    expect(name(selected(run(['G'], from).view))).toBe('#5 values/image-tag');
    expect(name(selected(run(['G', 'j', 'j'], from).view))).toBe('#5 values/image-tag');
    expect(name(selected(run(['k', { upArrow: true }], from).view))).toBe('endpoint llama-3-70b');
  });

  it('Enter on a failing endpoint opens its incident, even one the filters hide', () => {
    const open = run([{ return: true }], initialViewFor(items)).view;
    expect(open.mode).toBe('detail');
    expect(name(selected(open))).toBe('#1 endpoints/serving');
    // A text filter that hides the incident is dropped to show it.
    const filtered = run(['/', 'l', 'l', 'a', 'm', 'a', '-', '3', '-', '7', '0', 'b', { return: true }], initialViewFor(items)).view;
    expect(filtered.query).toBe('llama-3-70b');
    expect(name(selected(run([{ return: true }], filtered).view))).toBe('#1 endpoints/serving');
  });

  it('the detail pane scrolls within bounds, scrolls commands with < >, and closes with ←, Esc or h', () => {
    const open = run(['j', 'j', { return: true }], initialViewFor(items)).view;
    expect(open.mode).toBe('detail');
    expect(run(['j', 'j', 'k'], open).view.detailScroll).toBe(1);
    expect(run([{ pageDown: true }, { pageDown: true }, { pageDown: true }], open).view.detailScroll).toBe(12);
    expect(run(['G', 'g'], open).view.detailScroll).toBe(0);
    expect(run(['>'], open).view.hscroll).toBe(20);
    expect(run(['>', '>', '>'], open).view.hscroll).toBe(30); // as far as the widest command goes
    expect(run(['>', '<', '<'], open).view.hscroll).toBe(0);
    expect(run(['>', 'n'], open).view.hscroll).toBe(0); // a new item starts at the left edge
    for (const close of [{ leftArrow: true }, { escape: true }, 'h']) expect(run([close], open).view.mode).toBe('list');
  });

  it('typing after / edits a draft; Enter applies it, Esc drops it', () => {
    const typing = run(['/', 'r', 'e', 'd', 'x', { backspace: true }]).view;
    expect(typing).toMatchObject({ mode: 'search', draft: 'red', query: '' });
    expect(run([{ return: true }], typing).view).toMatchObject({ mode: 'list', query: 'red' });
    expect(run([{ escape: true }], typing).view).toMatchObject({ mode: 'list', query: '' });
    // q, c, r and ? are text while typing, not commands.
    const { view, effects } = run(['q', 'c', 'r', '?'], typing);
    expect(view.draft).toBe('redqcr?');
    expect(effects).toEqual([]);
  });

  it('q, c, r and Ctrl-C produce effects for the selected item', () => {
    const from = initialViewFor(items);
    const { effects } = run(['j', 'j', 'j', 'j', 'c', 'r', 'q'], from);
    const three = items.find((i) => i.kind === 'incident' && i.incident.rank === 3)!;
    expect(effects).toEqual([{ type: 'copy', item: three }, { type: 'rerun', id: 'redis/log-errors' }, { type: 'quit', item: three }]);
    // On an endpoint: r re-runs the check leading its incident.
    expect(run(['r'], from).effects).toEqual([{ type: 'rerun', id: 'endpoints/serving' }]);
    // Ctrl alone, then c: a copy, not a cancel.
    expect(run([{ ctrl: true }, 'c']).effects.map((e) => (e as { type: string }).type)).toEqual(['copy']);
    expect(handleKey(initialView, 'c', { ctrl: true }, ctx()).effect).toEqual({ type: 'cancel' });
  });

  it('? remembers where it came from', () => {
    const fromDetail = run([{ return: true }, '?']).view;
    expect(fromDetail).toMatchObject({ mode: 'help', back: 'detail' });
    expect(run(['x'], fromDetail).view.mode).toBe('detail');
  });
});
