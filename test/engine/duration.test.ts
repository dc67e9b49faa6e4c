import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DurationError, formatDuration, parseDuration } from '../../src/engine/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['1.5s', 1500],
    ['.5s', 500],
    [' 10s ', 10_000],
    ['10', 10_000],
    ['0.25', 250],
  ])('%j → %d ms (bare numbers are seconds by default)', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('refuses a bare number where the option asks for a unit, and still takes one with a unit there', () => {
    expect(parseDuration('30s', { bare: 'reject' })).toBe(30_000);
    expect(() => parseDuration('30', { bare: 'reject' })).toThrow(/needs a unit/);
  });

  it.each(['', 'abc', '-5', '-5s', '10x', '10 s', '5s10', 's', '1d', 'ms', '1e3', 'Infinity', 'NaN'])('%j is not a duration', (text) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
  });

  it('zero is refused unless the option allows it', () => {
    expect(() => parseDuration('0s')).toThrow(/longer than zero/);
    expect(parseDuration('0', { allowZero: true })).toBe(0);
  });

  it('refuses what Node timers cannot wait for (they would fire at once)', () => {
    expect(() => parseDuration('600h')).toThrow(/too long: at most 24 days/);
    expect(parseDuration('596h')).toBe(596 * 3_600_000);
  });

  it('errors are one line naming the accepted forms', () => {
    expect(() => parseDuration('soon')).toThrow(/^"soon" is not a duration \(e\.g\. 500ms, 10s, 2m, 1h, 1m30s; a bare number is seconds\)$/);
  });
});

describe('formatDuration', () => {
  it.each([
    [500, '500ms'],
    [10_000, '10s'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [0, '0s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration for any whole number of milliseconds', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10 * 24 * 3_600_000 }), (ms) => parseDuration(formatDuration(ms)) === ms));
  });
});
