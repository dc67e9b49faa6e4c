/**
 * Which output a run gets and whether it is coloured: decided from the options and the terminal alone, in a module
 * light enough for the CLI to consult before it loads a command (the TUI's pre-frame, src/tui/pre-frame.ts).
 */
import type { OutputFormat } from '../reporters/index.js';
import { colorEnabled } from '../reporters/theme.js';
import type { CommonOptions, Streams } from './run.js';

export function chooseFormat(opts: CommonOptions, streams: Streams): OutputFormat | 'tui' {
  if (opts.output) return opts.output;
  const ci = process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
  return streams.stdout.isTTY && !ci ? 'tui' : 'text';
}

export function useColor(opts: CommonOptions, streams: Streams): boolean {
  // Commander defaults `color` to true for `--no-color`; only an explicit `--no-color` is a flag.
  return colorEnabled({ env: process.env, isTTY: Boolean(streams.stdout.isTTY), flag: opts.color === false ? false : undefined });
}
