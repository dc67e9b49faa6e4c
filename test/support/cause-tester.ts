/**
 * CauseTester, the CheckTester of diagnosis causes: each cause gets cases where it matches (over a named snapshot,
 * collected as `endpoint <id>` collects it, optionally edited) with the phrases its verdict must carry, and cases
 * where it must not match. A matching case also runs the whole registry and, unless told otherwise, expects this
 * cause to be the root cause — so a cause that matches but is always outranked fails its own tests.
 */
import { describe, expect, it } from '@jest/globals';
import { diagnose, DIAGNOSES } from '../../diagnoses/index.js';
import type { Diagnosis, KubeEvent, Verdict, VerdictLevel } from '../../src/engine/index.js';
import type { GatewayEndpointRecord, GatewayPort } from '../../src/engine/ports/gateway.js';
import { collectEndpointFacts, type CollectInput, type EndpointFacts } from '../../src/model-engine/endpoint-facts.js';
import { endpointView, type EndpointCause } from '../../src/model-engine/endpoint-view.js';
import { MATRIX } from '../../src/matrix/index.js';
import { SnapshotKube, type Denial } from '../../src/sources/kube/snapshot-kube.js';
import { loadSnapshot, type Snapshot } from '../../src/sources/snapshot/load.js';
import { fixture } from './check-tester.js';

export interface CauseCase {
  name: string;
  /** Snapshot folder under `fixtures/clusters/` (e.g. `endpoint-image-pull`). */
  snapshot: string;
  /** What the user types: an id, a name or an object name. */
  endpoint: string;
  /** More collection input: ports (`gateway`, `registry`, `cloud`), hints. */
  collect?: Partial<CollectInput>;
  /** Reads the snapshot port refuses with 403, as RBAC would (`{ verb: 'list', resource: 'pods', namespace: 'llm-engine' }`). */
  deny?: Denial[];
  /** Edit the collected facts: a variation of a real snapshot (say what it simulates in the case name). */
  edit?: (f: EndpointFacts) => EndpointFacts;
}

export interface MatchCase extends CauseCase {
  level?: VerdictLevel;
  /** Phrases the verdict's summary must contain. */
  summary?: string[];
  /** Phrases some remediation command must contain. */
  commands?: string[];
  /** Phrases the values snippet must contain. */
  values?: string[];
  /** Phrases some evidence item must contain (rendered as JSON). */
  evidence?: string[];
  /** Another cause outranks this one here (default: this cause is the diagnosis). */
  root?: false;
}

const snapshots = new Map<string, Promise<Snapshot>>();
export function snapshotOf(name: string): Promise<Snapshot> {
  let s = snapshots.get(name);
  if (!s) snapshots.set(name, (s = loadSnapshot(fixture(`fixtures/clusters/${name}`))));
  return s;
}

/** The facts of one endpoint of a snapshot, collected through the snapshot kube port as the `endpoint` command does. */
export async function factsOf(c: CauseCase): Promise<EndpointFacts> {
  const snap = await snapshotOf(c.snapshot);
  const facts = await collectEndpointFacts({
    kube: new SnapshotKube(snap, c.deny ?? []),
    query: c.endpoint,
    namespace: 'llm-engine',
    controlPlaneNamespace: 'model-engine',
    now: snap.now,
    signal: new AbortController().signal,
    hints: { cloud: 'aws', nodePool: MATRIX.aws.nodePool!, context: 'arn:aws:eks:us-east-1:111122223333:cluster/ml-prod' },
    ...c.collect,
  });
  return c.edit ? c.edit(facts) : facts;
}

const json = (x: unknown) => JSON.stringify(x);

function expectVerdict(v: Verdict, c: MatchCase): void {
  if (c.level) expect(v.level).toBe(c.level);
  for (const phrase of c.summary ?? []) expect(v.summary).toContain(phrase);
  const commands = (v.remediation.commands ?? []).join('\n');
  for (const phrase of c.commands ?? []) expect(commands).toContain(phrase);
  for (const phrase of c.values ?? []) expect(v.remediation.values ?? '').toContain(phrase);
  for (const phrase of c.evidence ?? []) expect(json(v.evidence)).toContain(phrase);
  expect(v.remediation.summary.length).toBeGreaterThan(10);
}

/** Run one cause over a case: its verdict (or undefined) and the whole registry's diagnosis. */
export async function runCause(cause: EndpointCause, c: CauseCase): Promise<{ verdict: Verdict | undefined; diagnosis: Diagnosis }> {
  const facts = await factsOf(c);
  return { verdict: cause.match(endpointView(facts)), diagnosis: diagnose(facts) };
}

export function testCause(cause: EndpointCause, cases: { matches: MatchCase[]; misses: CauseCase[] }): void {
  const { code } = cause.meta;
  describe(code, () => {
    it('is registered, and has at least one matching and one missing case', () => {
      expect(DIAGNOSES).toContain(cause);
      expect(cases.matches.length).toBeGreaterThan(0);
      expect(cases.misses.length).toBeGreaterThan(0);
    });
    it.each(cases.matches.map((c) => [c.name, c] as const))('matches: %s', async (_n, c) => {
      const { verdict, diagnosis } = await runCause(cause, c);
      if (!verdict) throw new Error(`${code} did not match; the diagnosis says ${diagnosis.cause}: ${diagnosis.summary}`);
      expect(verdict.cause).toBe(code);
      expect(verdict.remediation.docs).toBe(cause.meta.docs);
      expectVerdict(verdict, c);
      if (c.root !== false) {
        if (diagnosis.cause !== code) throw new Error(`${code} matched but the diagnosis says ${diagnosis.cause}: ${diagnosis.summary}`);
        expect(diagnosis.remediation.docs).toBe(cause.meta.docs);
      }
    });
    it.each(cases.misses.map((c) => [c.name, c] as const))('misses: %s', async (_n, c) => {
      const { verdict, diagnosis } = await runCause(cause, c);
      if (verdict) throw new Error(`${code} matched (${verdict.summary}); expected no match (the diagnosis says ${diagnosis.cause})`);
      expect(diagnosis.cause).not.toBe(code);
    });
  });
}

/** An edit that moves the facts' time: a simulated earlier or later look at the same cluster. */
export const shiftNow =
  (deltaMs: number) =>
  (f: EndpointFacts): EndpointFacts => ({ ...f, now: new Date(Date.parse(f.now) + deltaMs).toISOString() });

/**
 * An edit that adds an event about a pod (or one of its containers), `agoMs` before the facts' time, as the kubelet
 * writes it: a simulated moment the snapshot did not catch.
 */
export const withPodEvent =
  (e: { pod: string; container?: string; reason: string; message: string; type?: 'Normal' | 'Warning'; agoMs: number; count?: number }) =>
  (f: EndpointFacts): EndpointFacts => {
    const at = new Date(Date.parse(f.now) - e.agoMs).toISOString().replace(/\.\d+Z$/, 'Z');
    const event: KubeEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${e.pod}.${e.reason.toLowerCase()}`, namespace: f.namespace, creationTimestamp: at },
      involvedObject: { kind: 'Pod', name: e.pod, namespace: f.namespace, ...(e.container ? { fieldPath: `spec.containers{${e.container}}` } : {}) },
      reason: e.reason,
      message: e.message,
      type: e.type ?? 'Normal',
      count: e.count ?? 1,
      firstTimestamp: at,
      lastTimestamp: at,
    };
    return { ...f, events: [...f.events, event] };
  };

/** An edit that replaces the ReplicaSet's `FailedCreate` message: another admission controller's answer (simulated). */
export const withFailedCreate =
  (message: string) =>
  (f: EndpointFacts): EndpointFacts => ({ ...f, events: f.events.map((e) => (e.reason === 'FailedCreate' ? { ...e, message } : e)) });

/**
 * A stand-in for model-engine's API that answers one record (the real client is tested against a recorded server in
 * test/gateway): cases that use it say "API answer stubbed" in their names.
 */
export function gatewayAnswering(record: GatewayEndpointRecord): GatewayPort {
  const baseUrl = 'http://127.0.0.1:5000';
  return { baseUrl, endpoint: async () => ({ state: 'found', record, url: `${baseUrl}/v1/model-endpoints/${record.id}` }) };
}
