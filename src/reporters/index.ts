/**
 * The non-interactive reporters: pure functions from the final {@link Report} to a string. The ink TUI is
 * not here; the CLI loads it by dynamic import so machine formats never load React.
 */
import type { Report } from '../engine/types.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderText } from './text.js';

/** `wide` is `text` with everything (kubectl's `-o wide`): every evidence item, command, view, skip reason and message id. */
export type OutputFormat = 'text' | 'wide' | 'json' | 'markdown' | 'junit';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'wide', 'json', 'markdown', 'junit'];

/** Options a renderer may use; machine formats ignore them (they never carry ANSI). */
export interface RenderOptions {
  /** ANSI colour in `text` output. Default false: callers decide with `colorEnabled` from the theme. */
  color?: boolean;
  /** Wrap width for `text` (default 100). */
  width?: number;
  /** `text` with everything (what `-o wide` is). */
  verbose?: boolean;
  /** List passes in `text` and `markdown` (`--show-passed`); JSON and JUnit always carry them. */
  showPassed?: boolean;
}

export type Renderer = (report: Report, opts: RenderOptions) => string;

export const RENDERERS: Readonly<Record<OutputFormat, Renderer>> = {
  text: (report, opts) => renderText(report, { color: opts.color ?? false, width: opts.width, verbose: opts.verbose, showPassed: opts.showPassed }),
  wide: (report, opts) => renderText(report, { color: opts.color ?? false, width: opts.width, verbose: true, showPassed: opts.showPassed }),
  json: (report) => renderJson(report),
  markdown: (report, opts) => renderMarkdown(report, { showPassed: opts.showPassed }),
  junit: (report) => renderJunit(report),
};

export function isOutputFormat(value: string): value is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(value);
}

/** Render a report in the given format. */
export function render(format: OutputFormat, report: Report, opts: RenderOptions = {}): string {
  return RENDERERS[format](report, opts);
}

export { renderJson, renderJunit, renderMarkdown, renderText };
export type { TextOptions } from './text.js';
export { colorEnabled, paint, STATUS_STYLES, SEVERITY_STYLES } from './theme.js';
export type { Colour, Style, StatusStyle, SeverityStyle } from './theme.js';
