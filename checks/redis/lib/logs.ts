/**
 * Log evidence for the redis and broker checks: read the tail of control-plane (and forwarder) container logs
 * through the kube port, count lines matching a pattern, and keep the first/last timestamps and a few samples.
 */
import { ForbiddenError, str, type Evidence, type KubePort, type Pod } from '../../../src/engine/index.js';
import { LOG_SIGNATURES } from '../../../src/model-engine/log-signatures.js';

export const LOG_TAIL_LINES = 2000;

export interface LogText {
  namespace: string;
  pod: string;
  container: string;
  previous: boolean;
  text: string;
}

export interface LogHit {
  line: string;
  lineNumber: number;
  time?: string;
}

export interface LogCount {
  namespace: string;
  pod: string;
  container: string;
  count: number;
  first?: string;
  last?: string;
  samples: LogHit[];
}

const TS = /(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})?/;

/**
 * The time a log line was written, as ISO-8601 UTC: the JSON logger's `time`/`timestamp` field (model-engine's
 * CustomJSONFormatter in Kubernetes), else a leading timestamp (kubectl --timestamps, Python logging, Celery's
 * `[2026-03-30 10:00:00,123: ERROR/…]`). Zone-less times are taken as UTC, which is what the pods log in.
 */
export function lineTime(line: string): string | undefined {
  let candidate: string | undefined;
  const trimmed = line.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      const j: unknown = JSON.parse(trimmed);
      candidate = str(j, 'time') ?? str(j, 'timestamp') ?? str(j, 'asctime');
    } catch {
      // not JSON after all
    }
  }
  const m = TS.exec(candidate ?? line.slice(0, 80));
  if (!m) return undefined;
  const frac = m[3] ? `.${m[3].slice(0, 3).padEnd(3, '0')}` : '.000';
  const zone = !m[4] || m[4] === 'Z' ? 'Z' : m[4].includes(':') ? m[4] : `${m[4].slice(0, 3)}:${m[4].slice(3)}`;
  const d = new Date(`${m[1]}T${m[2]}${frac}${zone}`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** A long line (a JSON log with a traceback) cut to a window around the match, so the evidence shows it. */
export function excerpt(line: string, re: RegExp, max = 400): string {
  if (line.length <= max) return line;
  const at = Math.max(0, line.search(re));
  const start = Math.max(0, Math.min(at - 120, line.length - max));
  return `${start > 0 ? '…' : ''}${line.slice(start, start + max)}${start + max < line.length ? '…' : ''}`;
}

/** Count the lines matching `re`, with first/last time and up to `maxSamples` sample lines (first and last). */
export function countMatches(text: string, re: RegExp, maxSamples = 2): { count: number; first?: string; last?: string; samples: LogHit[] } {
  const hits: LogHit[] = [];
  let count = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!re.test(line)) continue;
    count++;
    const time = lineTime(line);
    const hit = { line: excerpt(line, re), lineNumber: i + 1, ...(time ? { time } : {}) };
    if (hits.length < maxSamples) hits.push(hit);
    else hits[hits.length - 1] = hit; // keep the latest as the last sample
  }
  const times = lines.filter((l) => re.test(l)).map(lineTime).filter((t): t is string => !!t).sort();
  return { count, ...(times[0] ? { first: times[0] } : {}), ...(times.length ? { last: times[times.length - 1]! } : {}), samples: hits };
}

/** Containers of a pod whose logs matter (sidecars like istio-proxy carry none of model-engine's lines). */
export function appContainers(p: Pod): string[] {
  return (p.spec.containers ?? []).map((c) => c.name).filter((n) => n !== 'istio-proxy' && n !== 'linkerd-proxy');
}

/**
 * Read the current (and previous, if any) log of each app container of the pods. Returns what exists; `denied`
 * is set when RBAC forbids pods/log, so callers can skip with the permission named.
 */
export async function readLogs(kube: KubePort, pods: Pod[], tailLines = LOG_TAIL_LINES): Promise<{ logs: LogText[]; denied?: string }> {
  const logs: LogText[] = [];
  for (const p of pods) {
    const ns = p.metadata.namespace ?? '';
    for (const container of appContainers(p)) {
      for (const previous of [false, true]) {
        const restarted = (p.status?.containerStatuses ?? []).some((cs) => cs.name === container && (cs.restartCount ?? 0) > 0);
        if (previous && !restarted) continue;
        try {
          const text = await kube.logs(ns, p.metadata.name, container, { tailLines, previous });
          if (text) logs.push({ namespace: ns, pod: p.metadata.name, container, previous, text });
        } catch (e) {
          if (e instanceof ForbiddenError) return { logs, denied: e.message };
          // One unreadable log (container gone, node unreachable) must not hide the others.
        }
      }
    }
  }
  return { logs };
}

/** Count `re` in each log; only logs with at least one match are returned. */
export function countInLogs(logs: LogText[], re: RegExp): LogCount[] {
  const out: LogCount[] = [];
  for (const l of logs) {
    const c = countMatches(l.text, re);
    if (c.count === 0) continue;
    out.push({ namespace: l.namespace, pod: l.pod, container: l.previous ? `${l.container} (previous)` : l.container, ...c });
  }
  return out;
}

/** Earliest and latest of several counts' first/last times. */
export function span(counts: LogCount[]): { first?: string; last?: string } {
  const firsts = counts.map((c) => c.first).filter((t): t is string => !!t).sort();
  const lasts = counts.map((c) => c.last).filter((t): t is string => !!t).sort();
  return { ...(firsts[0] ? { first: firsts[0] } : {}), ...(lasts.length ? { last: lasts[lasts.length - 1]! } : {}) };
}

/** Redis authentication failures as redis-py, kombu and the Redis server word them (the log-signature table's `redis-auth`). */
export const REDIS_AUTH_RE: RegExp = LOG_SIGNATURES.find((s) => s.id === 'redis-auth')!.re;

/** Evidence lines for counts: one per log, with count and time span, then a sample line. */
export function countEvidence(counts: LogCount[]): Evidence[] {
  const out: Evidence[] = [];
  for (const c of counts) {
    out.push({ type: 'note', text: `${c.namespace}/${c.pod} [${c.container}]: ${c.count} line(s)${c.first ? `, ${c.first} … ${c.last}` : ''}` });
    const s = c.samples[c.samples.length - 1];
    if (s) out.push({ type: 'log', namespace: c.namespace, pod: c.pod, container: c.container.replace(/ \(previous\)$/, ''), line: s.line, lineNumber: s.lineNumber });
  }
  return out;
}
