// The TUI's state outside React: run events and re-run outcomes go in, immutable snapshots come out for
// `useSyncExternalStore`. The engine runs in `run-tui.tsx` and only ever talks to this store.
import { groupIncidents } from '../model-engine/incidents.js';
import { compareResults, countByStatus } from '../engine/runner.js';
import type { CheckResult, Report, ReportTarget, RunEvent, Status } from '../engine/types.js';
import { STATUSES } from '../engine/types.js';
import { STATUS_STYLES } from '../reporters/theme.js';

export type Phase = 'running' | 'cancelling' | 'finalizing' | 'done';

export interface RunningCheck {
  id: string;
  title: string;
  area: string;
  /** The latest `check:progress` text. */
  progress?: string;
  startedAt: number;
}

export interface FinishedCheck {
  id: string;
  title: string;
  area: string;
  results: CheckResult[];
  durationMs: number;
}

export interface RunState {
  phase: Phase;
  /** Checks the run will execute. */
  planned: number;
  running: readonly RunningCheck[];
  /** In completion order (the `<Static>` rows). */
  finished: readonly FinishedCheck[];
  counts: Readonly<Record<Status, number>>;
  startedAt: number;
  endedAt?: number;
  target?: ReportTarget;
  /** The final report (after `finalize`), updated in place by re-runs. */
  report?: Report;
  /** A re-run in flight. */
  rerun?: { id: string; progress?: string };
  /** One line for the footer (outcome of the last re-run). */
  notice?: { text: string; status?: Status };
}

export function initialRunState(now: number): RunState {
  return { phase: 'running', planned: 0, running: [], finished: [], counts: countByStatus([]), startedAt: now };
}

/** Fold one engine event into the state. Pure. */
export function reduceRunEvent(state: RunState, event: RunEvent, now: number): RunState {
  switch (event.type) {
    case 'run:start':
      return { ...state, planned: event.checks.length, target: event.target, startedAt: now };
    case 'check:start':
      return {
        ...state,
        running: [...state.running.filter((c) => c.id !== event.id), { id: event.id, title: event.title, area: event.area, startedAt: now }],
      };
    case 'check:progress':
      return { ...state, running: state.running.map((c) => (c.id === event.id ? { ...c, progress: event.text } : c)) };
    case 'check:end': {
      const was = state.running.find((c) => c.id === event.id);
      const first = event.results[0];
      const counts = { ...state.counts };
      for (const r of event.results) counts[r.status] += 1;
      return {
        ...state,
        running: state.running.filter((c) => c.id !== event.id),
        finished: [
          ...state.finished,
          {
            id: event.id,
            title: was?.title ?? first?.title ?? event.id,
            area: was?.area ?? first?.area ?? '',
            results: event.results,
            durationMs: event.durationMs,
          },
        ],
        counts,
      };
    }
    case 'run:end':
      // The report still goes through `finalize` (e.g. the endpoint diagnosis) before it is shown.
      return { ...state, phase: state.phase === 'cancelling' ? state.phase : 'finalizing', running: [], counts: event.report.counts, endedAt: now };
  }
}

/** The worst status among results (fail before error before warn …), `pass` for none. */
export function worstStatus(results: readonly CheckResult[]): Status {
  let best = STATUSES.length - 1;
  for (const r of results) best = Math.min(best, STATUSES.indexOf(r.status));
  return results.length === 0 ? 'pass' : STATUSES[best]!;
}

/** The report with one check's results replaced by a re-run's, re-sorted, re-counted and re-grouped into incidents. Pure. */
export function withRerunResults(report: Report, id: string, results: readonly CheckResult[]): Report {
  const all = [...report.results.filter((r) => r.id !== id), ...results].sort(compareResults);
  return { ...report, results: all, counts: countByStatus(all), incidents: groupIncidents(all) };
}

type Listener = () => void;

export class RunStore {
  #state: RunState;
  readonly #listeners = new Set<Listener>();

  constructor(private readonly clock: () => number = Date.now) {
    this.#state = initialRunState(clock());
  }

  getState = (): RunState => this.#state;

  subscribe = (listener: Listener): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  #set(next: RunState): void {
    this.#state = next;
    for (const l of this.#listeners) l();
  }

  dispatch = (event: RunEvent): void => this.#set(reduceRunEvent(this.#state, event, this.clock()));

  cancelling(): void {
    if (this.#state.phase === 'running' || this.#state.phase === 'finalizing') this.#set({ ...this.#state, phase: 'cancelling' });
  }

  setReport(report: Report): void {
    this.#set({ ...this.#state, phase: 'done', report, counts: report.counts, running: [], endedAt: this.#state.endedAt ?? this.clock() });
  }

  rerunStart(id: string): void {
    this.#set({ ...this.#state, rerun: { id }, notice: undefined });
  }

  rerunProgress(id: string, text: string): void {
    if (this.#state.rerun?.id === id) this.#set({ ...this.#state, rerun: { id, progress: text } });
  }

  rerunEnd(id: string, results: readonly CheckResult[]): void {
    const report = this.#state.report;
    if (!report) return;
    const before = worstStatus(report.results.filter((r) => r.id === id));
    const after = worstStatus(results);
    const next = withRerunResults(report, id, results);
    this.#set({
      ...this.#state,
      report: next,
      counts: next.counts,
      rerun: undefined,
      notice: { text: rerunNotice(id, before, after), status: after },
    });
  }

  /** A line for the footer that leaves a re-run in flight alone (e.g. "copied … to the clipboard"). */
  say(text: string): void {
    this.#set({ ...this.#state, notice: { text } });
  }

  /** A notice with no re-run outcome (e.g. the check is not part of this run). */
  notify(text: string): void {
    this.#set({ ...this.#state, rerun: undefined, notice: { text } });
  }
}

export function rerunNotice(id: string, before: Status, after: Status): string {
  return before === after ? `re-ran ${id}: still ${STATUS_STYLES[after].word}` : `re-ran ${id}: ${STATUS_STYLES[before].word} → ${STATUS_STYLES[after].word}`;
}
