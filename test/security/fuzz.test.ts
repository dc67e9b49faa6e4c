/**
 * Property-based fuzzing (fast-check) of everything a user hands the doctor: snapshot folders and tarballs (real
 * fixtures with fields set to the wrong type or deleted, hostile names, stray and broken files, truncated archives),
 * kubeconfigs and values files, each through the real CLI in process. Every input must end in exit 0/2/3/4, one
 * error line when it is bad input, no `error` result or stderr line holding JavaScript internals, and `collect` must
 * never write outside its folder.
 *
 * Bounded for `npm test` (a few dozen inputs per property); `FUZZ_RUNS=2000` for a long run, `FUZZ_SEED=<n>` to
 * replay one. The random properties run inside `unrecorded()`: what they happen to produce does not count for the
 * messageId parity (test/setup/message-log.ts); the fixed regression cases do. Counterexamples it found are kept as regression cases in `fuzz-regressions.ts` (replayed first).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { kubeconfigCase, runKubeconfigCase, runSnapshotCase, runValuesCase, setUpFuzz, snapshotCase, tearDownFuzz, valuesCase } from './fuzz-cases.js';
import {
  KUBECONFIG_KNOWN_OPEN,
  KUBECONFIG_REGRESSIONS,
  SNAPSHOT_REGRESSIONS,
  VALUES_FIXED,
  VALUES_KNOWN_OPEN,
  VALUES_REGRESSIONS,
  knownOpenKubeconfig,
  knownOpenValues,
} from './fuzz-regressions.js';
import { unrecorded } from '../support/unrecorded.js';
import { CI_FUZZ_SEED, fuzzParams } from './support.js';

jest.setTimeout(300_000);

beforeAll(setUpFuzz);
afterAll(tearDownFuzz);

describe('fuzz seeds', () => {
  it('CI replays one seed; a developer run draws; FUZZ_SEED replays or forces a draw; FUZZ_RUNS scales', () => {
    expect(fuzzParams(30, { MED_TEST_CI: 'true' })).toEqual({ numRuns: 30, seed: CI_FUZZ_SEED, verbose: 1 });
    expect(fuzzParams(30, {})).toEqual({ numRuns: 30, verbose: 1 });
    expect(fuzzParams(30, { MED_TEST_CI: 'false' })).toEqual({ numRuns: 30, verbose: 1 });
    expect(fuzzParams(30, { MED_TEST_CI: 'true', FUZZ_SEED: '-163507003' })).toEqual({ numRuns: 30, seed: -163507003, verbose: 1 });
    expect(fuzzParams(30, { MED_TEST_CI: 'true', FUZZ_SEED: 'random' })).toEqual({ numRuns: 30, verbose: 1 });
    expect(fuzzParams(20, { FUZZ_RUNS: '2000' })).toEqual({ numRuns: 2000, verbose: 1 });
  });
});

// ─── the properties ──────────────────────────────────────────────────────────────────────────────────────────────

describe('fuzz: snapshot folders and tarballs', () => {
  for (const [i, c] of SNAPSHOT_REGRESSIONS.entries()) it(`regression ${i}: ${JSON.stringify(c).slice(0, 80)}`, () => runSnapshotCase(c));

  it('every snapshot ends in 0/2/3/4, one error line, no internals, nothing written outside collect\'s folder', async () => {
    await fc.assert(fc.asyncProperty(snapshotCase, (c) => unrecorded(() => runSnapshotCase(c))), fuzzParams(30));
  });
});

describe('fuzz: kubeconfigs', () => {
  for (const [i, c] of KUBECONFIG_REGRESSIONS.entries()) it(`regression ${i}: ${JSON.stringify(c).slice(0, 80)}`, () => runKubeconfigCase(c));

  for (const [i, c] of KUBECONFIG_KNOWN_OPEN.entries()) it.failing(`known open ${i} (exec plugin output, fault-handling work): ${c.exec}`, () => runKubeconfigCase(c));

  it('every kubeconfig ends in 0/2/3/4, one error line, no internals, no credential echoed', async () => {
    await fc.assert(
      fc.asyncProperty(kubeconfigCase, async (c) => {
        fc.pre(!knownOpenKubeconfig(c));
        await unrecorded(() => runKubeconfigCase(c));
      }),
      fuzzParams(20),
    );
  });
});

describe('fuzz: values files through the CLI', () => {
  for (const [i, c] of VALUES_REGRESSIONS.entries()) it(`regression ${i}: ${JSON.stringify(c).slice(0, 80)}`, () => runValuesCase(c));

  for (const [i, c] of VALUES_FIXED.entries()) it(`fixed ${i} (values parser hardening): ${JSON.stringify(c.text)}`, () => runValuesCase(c));
  for (const [i, c] of VALUES_KNOWN_OPEN.entries()) it.failing(`known open ${i} (values parser hardening): ${JSON.stringify(c.text)}`, () => runValuesCase(c));

  it('every values file ends in 0/2/3/4, one error line, no internals', async () => {
    await fc.assert(
      fc.asyncProperty(valuesCase, async (c) => {
        fc.pre(!knownOpenValues(c));
        await unrecorded(() => runValuesCase(c));
      }),
      fuzzParams(30),
    );
  });
});
