/**
 * The TUI's pre-frame (src/tui/pre-frame.ts, issue 16): painted on a terminal only, erased exactly once — by the TUI
 * as it mounts or by the first write to stderr — with the cursor back where it started, and stderr left as it was.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { clearPreFrame, paintPreFrame, preFrameLines } from '../../src/tui/pre-frame.js';

class Term {
  text = '';
  constructor(
    public isTTY = true,
    public columns = 100,
  ) {}
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

afterEach(() => clearPreFrame());

/** Three rows up, each row erased and stepped over, back up to where the frame began. */
const CLEAR = '\u001b[3A\r\u001b[2K\u001b[B\u001b[2K\u001b[B\u001b[2K\u001b[B\u001b[3A';

describe('the pre-frame', () => {
  it('shows what the live view first shows: a blank line, starting · Ctrl-C cancels, the zero counts', () => {
    expect(preFrameLines(false)).toEqual(['', 'starting · Ctrl-C cancels', '✖ 0 FAIL  ‼ 0 ERROR  ▲ 0 WARN  ○ 0 SKIP  ✔ 0 PASS']);
    // With colour: the same text inside SGR escapes.
    expect(preFrameLines(true).map((l) => l.replace(/\u001b\[\d+m/g, ''))).toEqual(preFrameLines(false));
    expect(preFrameLines(true)[1]).toContain('\u001b[1m');
  });

  it('is painted on a terminal, and cleared once: each of its three rows erased, the cursor back where it began', () => {
    const out = new Term();
    const err = new Term();
    expect(paintPreFrame(out, err, false)).toBe(true);
    expect(out.text).toBe('\nstarting · Ctrl-C cancels\n✖ 0 FAIL  ‼ 0 ERROR  ▲ 0 WARN  ○ 0 SKIP  ✔ 0 PASS\n');
    expect(paintPreFrame(out, err, false)).toBe(false);
    clearPreFrame();
    expect(out.text.endsWith(CLEAR)).toBe(true);
    const after = out.text;
    clearPreFrame();
    expect(out.text).toBe(after);
  });

  it('is erased before the first write to stderr (an error, a warning), which then goes through, and stderr is restored', () => {
    const out = new Term();
    const err = new Term();
    const ownWrite = Object.hasOwn(err, 'write');
    paintPreFrame(out, err, false);
    err.write('model-engine-doctor: error: snapshot not found: /x\n');
    expect(out.text.endsWith(CLEAR)).toBe(true);
    expect(err.text).toBe('model-engine-doctor: error: snapshot not found: /x\n');
    expect(Object.hasOwn(err, 'write')).toBe(ownWrite);
    err.write('more\n');
    expect(out.text.split(CLEAR)).toHaveLength(2);
  });

  it('is not painted when stdout is not a terminal or too narrow for its counts line; a pty with no size counts as 80', () => {
    expect(paintPreFrame(new Term(false), new Term(), false)).toBe(false);
    expect(paintPreFrame(new Term(true, 40), new Term(), false)).toBe(false);
    const unsized = new Term(true, 0);
    expect(paintPreFrame(unsized, new Term(), false)).toBe(true);
    expect(unsized.text).toContain('starting · Ctrl-C cancels');
  });
});
