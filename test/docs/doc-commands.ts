/**
 * What the docs show a user typing: every `model-engine-doctor …` command in a shell code block (```sh, bash,
 * shell, console) or an inline code span, every subcommand mention (`triage --snapshot x`), and every lone flag
 * span (`--no-probes`, `-o tui|text|json`). Also the flags other tools' commands use in the docs (`gcloud …
 * --node-labels=…`), so a span naming one of those is not mistaken for a doctor option.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Where {
  file: string;
  line: number;
}

/** A full doctor command: `argv` without the program name; `source` as written. */
export interface DocCommand extends Where {
  source: string;
  argv: string[];
}

/** A span that names a subcommand and some of its flags without the program name (`triage --snapshot x`). */
export interface DocMention extends Where {
  source: string;
  command: string;
  flags: string[];
}

/** A lone flag span: `--fail-on warn`, `-n/--namespace NS`, `-o tui|text|json`. */
export interface DocFlag extends Where {
  source: string;
  flags: string[];
  /** Alternatives written as `a|b|c` after the flag, when the span lists its values. */
  values: string[];
}

export interface DocExtract {
  commands: DocCommand[];
  mentions: DocMention[];
  flags: DocFlag[];
  /** Flags of other tools' commands shown in the docs (kubectl, aws, gcloud, helm …). */
  foreignFlags: Set<string>;
}

const PROGRAM = /^(?:model-engine-doctor|node dist\/src\/cli\.js)(?=\s|$)/;
const SHELL_BLOCK = /^(sh|bash|shell|console|zsh|fish)$/;
export const SUBCOMMANDS = ['preflight', 'triage', 'endpoint', 'collect', 'serve', 'mirror-plan', 'checks', 'demo', 'version', 'completion'];

/** README.md and every page under docs/, repository-relative. */
export function docFiles(root: string): string[] {
  const pages = readdirSync(join(root, 'docs'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f));
  return ['README.md', ...pages.sort()];
}

/** Markdown's inline code spans of one line (backtick runs paired as CommonMark pairs them). */
export function codeSpans(line: string): string[] {
  const out: string[] = [];
  const re = /(`+)([\s\S]*?[^`])\1(?!`)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[2]!.trim());
  return out;
}

/**
 * Shell words of a command line up to the end of the first command: an unquoted `|`, `>`, `;`, `&&`, `)`, or a
 * `#` comment ends it. Quotes and backslashes as sh reads them. `<…>` placeholders stay one word.
 */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let has = false;
  const push = () => {
    if (has) words.push(cur);
    cur = '';
    has = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      cur += text.slice(i + 1, end < 0 ? undefined : end);
      has = true;
      i = end < 0 ? text.length : end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) cur += text[j] === '\\' && j + 1 < text.length ? text[++j] : text[j];
      has = true;
      i = j;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      has = true;
    } else if (c === '<' && text[i + 1] !== '(') {
      const end = text.indexOf('>', i);
      cur += text.slice(i, end < 0 ? undefined : end + 1);
      has = true;
      i = end < 0 ? text.length : end;
    } else if (/\s/.test(c)) push();
    else if (c === '|' || c === '>' || c === ';' || c === ')' || (c === '&' && text[i + 1] === '&') || (c === '#' && !has)) break;
    else {
      cur += c;
      has = true;
    }
  }
  push();
  return words;
}

/** The doctor commands in one shell line: at its start (after a `$ ` prompt), after `<(`, `|`, `&&` or `;`. */
function commandsInShellLine(line: string): string[] {
  const out: string[] = [];
  const text = line.replace(/^\s*\$\s+/, '');
  const starts = [0, ...[...text.matchAll(/(?:<\(|\|\s*|&&\s*|;\s*|\$\()/g)].map((m) => m.index + m[0].length)];
  for (const s of starts) {
    const rest = text.slice(s).trimStart();
    if (PROGRAM.test(rest)) out.push(rest);
  }
  return out;
}

const isFlag = (w: string) => /^--?[A-Za-z]/.test(w);
const flagName = (w: string) => w.replace(/=.*$/, '');

/** `[--cloud azure]` is optional in prose: run it with the optional part. */
const unbracket = (words: string[]) => words.map((w) => w.replace(/^\[(?=-)/, '').replace(/(?<=\S)\]$/, '')).filter((w) => w !== '[' && w !== ']');

function toCommand(source: string, where: Where): DocCommand {
  const words = unbracket(shellWords(source));
  const skip = words[0] === 'node' ? 2 : 1;
  return { ...where, source, argv: words.slice(skip) };
}

/** Every shell line of a file with its line number (continuations joined), split into shell code and prose. */
function lines(text: string): { shell: { line: number; text: string }[]; prose: { line: number; text: string }[] } {
  const shell: { line: number; text: string }[] = [];
  const prose: { line: number; text: string }[] = [];
  let fence: string | undefined;
  let lang = '';
  let pending: { line: number; text: string } | undefined;
  text.split('\n').forEach((raw, i) => {
    const fenceMatch = /^\s*(```+|~~~+)\s*([\w-]*)/.exec(raw);
    if (fenceMatch && (!fence || fenceMatch[1]!.startsWith(fence))) {
      if (fence) fence = undefined;
      else [fence, lang] = [fenceMatch[1]!, fenceMatch[2]!];
      return;
    }
    if (!fence) {
      prose.push({ line: i + 1, text: raw });
      return;
    }
    if (!SHELL_BLOCK.test(lang)) return;
    const joined = pending ? { line: pending.line, text: `${pending.text} ${raw.trim()}` } : { line: i + 1, text: raw };
    if (/\\$/.test(raw)) pending = { ...joined, text: joined.text.replace(/\\$/, '') };
    else {
      pending = undefined;
      shell.push(joined);
    }
  });
  return { shell, prose };
}

export function extractDoc(file: string, text: string): DocExtract {
  const out: DocExtract = { commands: [], mentions: [], flags: [], foreignFlags: new Set() };
  const { shell, prose } = lines(text);
  const foreign = (source: string) => {
    for (const w of shellWords(source)) if (isFlag(w)) out.foreignFlags.add(flagName(w));
  };
  for (const l of shell) {
    const found = commandsInShellLine(l.text);
    for (const c of found) out.commands.push(toCommand(c, { file, line: l.line }));
    if (!found.length && /^\s*\$?\s*[a-z]/.test(l.text)) foreign(l.text.replace(/^\s*\$\s+/, ''));
  }
  for (const l of prose) {
    // Table cells escape pipes as \| inside code spans.
    for (const span of codeSpans(l.text).map((s) => s.replace(/\\\|/g, '|'))) {
      const where = { file, line: l.line };
      // The program's bare name in prose names the program (`model-engine-doctor` installs as …), not a command to run.
      if (PROGRAM.test(span) && shellWords(span).length > 1) out.commands.push(toCommand(span, where));
      else if (PROGRAM.test(span)) continue;
      else if (isFlag(span)) {
        const [first = '', ...rest] = span.split(/\s+/);
        const values = rest.length === 1 && rest[0]!.includes('|') ? rest[0]!.split('|') : [];
        out.flags.push({ ...where, source: span, flags: first.split('/').filter(isFlag).map(flagName), values });
      } else if (SUBCOMMANDS.some((c) => span.startsWith(`${c} `)) && shellWords(span).some(isFlag)) {
        const words = unbracket(shellWords(span));
        out.mentions.push({ ...where, source: span, command: words[0]!, flags: words.filter(isFlag).map(flagName) });
      } else if (/^[a-z][\w.-]* /.test(span) && shellWords(span).some(isFlag)) foreign(span);
    }
  }
  return out;
}

/** All of the docs at once. */
export function extractDocs(root: string): DocExtract {
  const all: DocExtract = { commands: [], mentions: [], flags: [], foreignFlags: new Set() };
  for (const f of docFiles(root)) {
    const one = extractDoc(relative(root, join(root, f)), readFileSync(join(root, f), 'utf8'));
    all.commands.push(...one.commands);
    all.mentions.push(...one.mentions);
    all.flags.push(...one.flags);
    for (const x of one.foreignFlags) all.foreignFlags.add(x);
  }
  return all;
}
