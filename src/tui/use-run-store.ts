import { useStdout } from 'ink';
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { RunState, RunStore } from './store.js';

/** The store's current snapshot; re-renders on every change. */
export function useRunStore(store: RunStore): RunState {
  return useSyncExternalStore(store.subscribe, store.getState, store.getState);
}

export interface TerminalSize {
  columns: number;
  rows: number;
}

export const DEFAULT_SIZE: TerminalSize = { columns: 80, rows: 24 };

/** The terminal's size (80×24 when unknown), updated on resize. */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({ columns: stdout.columns || DEFAULT_SIZE.columns, rows: stdout.rows || DEFAULT_SIZE.rows });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    onResize();
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

/** The current time, refreshed every `ms` while `active` (elapsed-time counters). */
export function useNow(ms: number, active: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms, active]);
  return now;
}
