/**
 * A fake terminal for the TUI run in process: a TTY-shaped stdout that keeps every chunk ink writes, and a keyboard
 * ink reads as it reads process.stdin ('readable' + read(), raw mode).
 */
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';

/** A terminal's output: a real Writable (ink writes to it as to process.stdout) that keeps what it got. */
export class FakeStdout extends Writable {
  isTTY = true;
  chunks: string[] = [];
  constructor(
    public columns = 100,
    public rows = 40,
  ) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(String(chunk));
    cb();
  }
  get text() {
    return this.chunks.join('');
  }
}

/** A terminal's keyboard, as ink reads it ('readable' + read(), raw mode). */
export class FakeStdin extends EventEmitter {
  isTTY: boolean;
  private data: string | null = null;
  constructor(tty = true) {
    super();
    this.isTTY = tty;
  }
  press = (s: string) => {
    this.data = s;
    this.emit('readable');
    this.emit('data', s);
  };
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

/** Cursor and colour escapes removed: what the terminal shows, frame after frame. */
export const screenText = (out: FakeStdout) => out.text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

/** The payloads of the OSC 52 clipboard escapes written so far, decoded. */
export const osc52Copies = (out: FakeStdout) => [...out.text.matchAll(/\u001b\]52;c;([A-Za-z0-9+/=]+)\u0007/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('utf8'));
