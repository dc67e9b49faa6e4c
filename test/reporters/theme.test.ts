import { describe, expect, it } from '@jest/globals';
import { SEVERITIES, STATUSES } from '../../src/engine/types.js';
import {
  colorEnabled,
  paint,
  SEVERITY_STYLES,
  severityLabel,
  STATUS_LABEL_WIDTH,
  STATUS_STYLES,
  statusLabel,
  stripAnsi,
} from '../../src/reporters/theme.js';

describe('theme', () => {
  it.each(STATUSES)('status %s has a distinct glyph and an upper-case word', (status) => {
    const s = STATUS_STYLES[status];
    expect(s.word).toBe(status.toUpperCase());
    expect(s.glyph).toHaveLength(1);
    const others = STATUSES.filter((o) => o !== status).map((o) => STATUS_STYLES[o].glyph);
    expect(others).not.toContain(s.glyph);
  });

  it('labels pair glyph and word', () => {
    expect(statusLabel('fail', false)).toBe('✖ FAIL');
    expect(statusLabel('warn', false)).toBe('▲ WARN');
    expect(statusLabel('pass', false)).toBe('✔ PASS');
    expect(statusLabel('skip', false)).toBe('○ SKIP');
    expect(statusLabel('error', false)).toBe('‼ ERROR');
    expect(STATUS_LABEL_WIDTH).toBe('‼ ERROR'.length);
  });

  it.each(SEVERITIES)('severity %s has its own word', (severity) => {
    expect(SEVERITY_STYLES[severity].word).toBe(severity);
    expect(severityLabel(severity, false)).toBe(severity);
  });

  it('paints only when enabled, and the paint strips back to the text', () => {
    expect(paint('x', 'red', false)).toBe('x');
    expect(paint('x', ['red', 'bold'], false)).toBe('x');
    expect(paint('x', 'red', true)).toBe('\u001b[31mx\u001b[39m');
    expect(paint('x', ['red', 'bold'], true)).toBe('\u001b[1m\u001b[31mx\u001b[39m\u001b[22m');
    expect(paint('', 'red', true)).toBe('');
    expect(stripAnsi(statusLabel('fail', true))).toBe('✖ FAIL');
  });

  it.each([
    [{ env: {}, isTTY: true }, true],
    [{ env: {}, isTTY: false }, false],
    [{ env: { NO_COLOR: '1' }, isTTY: true }, false],
    [{ env: { NO_COLOR: '' }, isTTY: true }, true],
    [{ env: { TERM: 'dumb' }, isTTY: true }, false],
    [{ env: { FORCE_COLOR: '1' }, isTTY: false }, true],
    [{ env: { FORCE_COLOR: '0' }, isTTY: true }, false],
    [{ env: { NO_COLOR: '1', FORCE_COLOR: '1' }, isTTY: true }, false],
    [{ env: {}, isTTY: true, flag: false }, false],
    [{ env: { FORCE_COLOR: '1' }, isTTY: true, flag: false }, false],
    [{ env: { NO_COLOR: '1' }, isTTY: false, flag: true }, true],
  ])('colorEnabled(%j) is %s', (input, expected) => {
    expect(colorEnabled(input)).toBe(expected);
  });
});
