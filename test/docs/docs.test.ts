/**
 * Every command and option the README, the docs pages and `--help` show, checked against the real CLI:
 * - each `model-engine-doctor …` command is run (in process, against the demo snapshot served on loopback as the
 *   current kube context, or the fixtures), and must exit with a documented code for a run (0, 3, 4; 130 for the
 *   ones that run until Ctrl-C) — never 1 (internal error) or 2 (bad input: an unknown option, a missing argument);
 * - each subcommand mention (`triage --snapshot x`) names flags that command has;
 * - each lone flag (`--no-probes`, `-o tui|text|json`) is an option of some command, with the values shown among
 *   its choices — unless another tool's command in the docs uses that flag, or it is listed in FOREIGN below.
 * A doc example that does not run fails the suite: fix the doc or the code.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Command, Option } from 'commander';
import { buildProgram } from '../../src/cli.js';
import { runMain } from '../support/capture.js';
import { demoServer } from '../support/demo-server.js';
import { testChart, testHelm } from '../support/helm.js';
import { extractDoc, extractDocs, shellWords, type DocExtract } from './doc-commands.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DEMO = join(ROOT, 'fixtures/clusters/demo-aws');
const VALUES = join(ROOT, 'fixtures/values/aws-good.yaml');
const DEMO_ENDPOINT = 'end_ct4p8uhn2ojg00a4qkgg';
/** model-engine's real chart (the shared reference copy) for the commands that show `--chart charts/model-engine`. */
const chart = testChart();
/** The helm those commands run: the repository's own build (test/control-plane/bin), $HELM or PATH's. */
const helm = testHelm();

/** Flags the docs show that belong to something other than the doctor, and why. */
const FOREIGN: Record<string, string> = {
  '--broker-type': "model-engine's celery forwarder flag (docs/checks/broker/queues.md, values/broker.md)",
  '-sb': 'an Azure resource-name suffix (docs/checks/values/azure.md)',
  '-mgmt': 'an Azure resource-name suffix (docs/checks/values/azure.md)',
  '--check': 'a flag of node scripts/make-demo-release.mjs (docs/snapshot-format.md)',
  '--optimize-for-size': 'a V8 setting tried and not kept (docs/performance.md)',
  '--random-seed': 'a V8 setting of the single-executable builder, tried and not kept (docs/performance.md)',
};

/** What `<…>` placeholders and sample names stand for when a documented command is run. */
const PLACEHOLDERS: [RegExp, string][] = [
  [/^<(end_….*|id|endpoint-id.*|endpoint)>$/, DEMO_ENDPOINT],
  [/^<command>$/, 'triage'],
];

// ------------------------------------------------------------------------------------------------------------
// The CLI's definition

const program: Command = buildProgram({ debug: false, signal: new AbortController().signal, streams: { stdout: process.stdout, stderr: process.stderr }, setExit: () => undefined });
const globalOptions = program.options;
const optionsOf = (cmd: Command): readonly Option[] => [...cmd.options, ...globalOptions];
/** `--set*` in the docs stands for the options that start with `--set` (there must be at least one). */
const named = (o: Option, flag: string) =>
  flag.endsWith('*') ? !!o.long?.startsWith(flag.slice(0, -1)) : o.long === flag || o.short === flag || flag === '-h' || flag === '--help';
const HELP = ['-h', '--help'];

/** Problems with the flags and mentions of one extract (empty when the docs agree with the CLI). */
export function flagProblems(x: DocExtract): string[] {
  const problems: string[] = [];
  const all = program.commands.flatMap((c) => optionsOf(c));
  for (const f of x.flags) {
    for (const flag of f.flags) {
      const options = all.filter((o) => named(o, flag));
      if (!options.length && !HELP.includes(flag)) {
        if (!x.foreignFlags.has(flag) && !FOREIGN[flag]) problems.push(`${f.file}:${f.line}: \`${f.source}\`: ${flag} is not an option of any command`);
        continue;
      }
      const choices = new Set(options.flatMap((o) => o.argChoices ?? []));
      if (!choices.size) continue;
      for (const v of f.values) if (!choices.has(v)) problems.push(`${f.file}:${f.line}: \`${f.source}\`: "${v}" is not a value of ${flag} (${[...choices].join(', ')})`);
    }
  }
  for (const m of x.mentions) {
    const cmd = program.commands.find((c) => c.name() === m.command);
    if (!cmd) {
      problems.push(`${m.file}:${m.line}: \`${m.source}\`: no command ${m.command}`);
      continue;
    }
    for (const flag of m.flags) {
      if (!HELP.includes(flag) && !optionsOf(cmd).some((o) => named(o, flag))) problems.push(`${m.file}:${m.line}: \`${m.source}\`: ${m.command} has no option ${flag}`);
    }
  }
  return problems;
}

// ------------------------------------------------------------------------------------------------------------
// Running documented commands


let tmp: string;
let kubeconfig: string;

interface Prepared {
  argv: string[];
  /** Commands that run until Ctrl-C get one after this long. */
  interruptAfterMs?: number;
}

/** A documented argv made runnable here: placeholders and sample file names replaced by fixtures and temp paths. */
function prepare(argv: string[], n: number): Prepared {
  const out: string[] = [];
  const command = argv.find((w) => !w.startsWith('-'));
  for (let i = 0; i < argv.length; i++) {
    let w = argv[i]!;
    const prev = argv[i - 1];
    for (const [re, value] of PLACEHOLDERS) if (re.test(w)) w = value;
    if (/^<.*>$/.test(w)) throw new Error(`unknown placeholder ${w}: add it to PLACEHOLDERS in test/docs/docs.test.ts`);
    const missing = !existsSync(resolve(ROOT, w));
    const writes = (command === 'collect' && (prev === '--file' || prev === '-o' || (i > 0 && !w.startsWith('-') && w !== 'collect' && !prev?.startsWith('-')))) || prev === '--kubeconfig-out';
    if (writes) w = join(tmp, `${n}-${basename(w)}`);
    else if (prev === '--chart' && missing) w = chart ?? w;
    else if ((prev === '-f' || prev === '--values') && missing) w = chart && /^(\.\/)?charts\/model-engine\//.test(w) ? join(chart, w.replace(/^(\.\/)?charts\/model-engine\//, '')) : VALUES;
    else if ((prev === '--snapshot' || (command === 'serve' && w !== 'serve' && !w.startsWith('-') && !prev?.startsWith('-'))) && missing) w = DEMO;
    else if (prev === '--kubeconfig' && missing) w = kubeconfig;
    else if (prev === '--llm-engine-repo' && missing) w = join(tmp, 'llm-engine');
    out.push(w);
  }
  const longRunning = command === 'serve' || argv.includes('--watch');
  return { argv: out, ...(longRunning ? { interruptAfterMs: 2000 } : {}) };
}

/** Run a prepared command in process, with the demo cluster (served on loopback) as the current kube context. */
function runDoc(p: Prepared) {
  return runMain(p.argv, { KUBECONFIG: kubeconfig, HOME: tmp, CI: 'true', NO_COLOR: '1', ...(helm ? { HELM: helm } : {}) }, p.interruptAfterMs ? { interruptAfterMs: p.interruptAfterMs } : {});
}

/** The `$ model-engine-doctor …` examples of `--help`, as documented commands. */
async function helpExamples(): Promise<DocExtract['commands']> {
  const r = await runDoc({ argv: ['--help'] });
  return r.stdout
    .split('\n')
    .map((l, i) => ({ l, i }))
    .filter(({ l }) => /^\s*\$ /.test(l))
    .flatMap(({ l, i }) => extractDoc('--help', `\`\`\`sh\n${l}\n\`\`\``).commands.map((c) => ({ ...c, line: i + 1 })));
}

const demo = demoServer();
beforeAll(async () => {
  tmp = demo.tmp();
  kubeconfig = demo.kubeconfig();
  await mkdir(join(tmp, 'llm-engine'));
});

const docs = extractDocs(ROOT);

describe('the docs agree with the CLI', () => {
  it('finds the commands and flags the docs show (the extractor works on this repository)', () => {
    expect(docs.commands.length).toBeGreaterThan(20);
    expect(docs.flags.length).toBeGreaterThan(50);
    expect(docs.commands.some((c) => c.file === 'README.md' && c.argv[0] === 'preflight')).toBe(true);
  });

  it('every lone flag and subcommand mention is an option the CLI has', () => {
    expect(flagProblems(docs)).toEqual([]);
  });

  it('every documented command runs and exits with a documented code', async () => {
    const commands = [...docs.commands, ...(await helpExamples())];
    const seen = new Set<string>();
    const failures: string[] = [];
    let ran = 0;
    for (const [n, c] of commands.entries()) {
      const p = prepare(c.argv, n);
      const key = JSON.stringify(c.argv);
      if (seen.has(key)) continue;
      seen.add(key);
      if ((!chart || !helm) && c.argv.includes('--chart')) {
        const need = !chart ? "model-engine's chart (set $MODEL_ENGINE_CHART or provide ../shared/reference/model-engine-chart)" : 'helm (set $HELM, build test/control-plane/bin/helm, or put helm on PATH)';
        console.warn(`\n*** SKIPPED: ${c.file}:${c.line} \`${c.source}\` needs ${need} ***\n`);
        continue;
      }
      const r = await runDoc(p);
      ran++;
      if (process.env.MED_DOCS_DEBUG) process.stderr.write(`${r.code} ${c.file}:${c.line} ${JSON.stringify(p.argv)}\n`);
      const allowed = p.interruptAfterMs ? [0, 3, 130] : [0, 3, 4];
      // A deprecated spelling still runs (with a warning), but the docs must show the current one.
      if (!allowed.includes(r.code) || /unknown (option|command)|error: (missing|too many)|deprecated/.test(r.stderr)) {
        failures.push(`${c.file}:${c.line}: \`${c.source}\` exited ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' / ')}`);
      }
    }
    expect(failures).toEqual([]);
    expect(ran).toBeGreaterThan(15);
  }, 600_000);
});

describe('the docs check itself catches what it should', () => {
  const bad = extractDoc(
    'bad.md',
    [
      '```sh',
      'model-engine-doctor triage --bogus-flag | jq .',
      '$ model-engine-doctor endpoint \\',
      '    <end_… or name> --watch',
      'kubectl logs pod --previous',
      '```',
      '| `--no-such-option` | a flag nobody defined |',
      '| `-o tui\\|text\\|yaml` | a value -o does not take |',
      'A `--set*` flag is a family; `--nope*` is none.',
      'Then `triage --snapshot x --nope` and `gcloud x --node-labels=a` and `--node-labels`, `--previous`.',
      'The program `model-engine-doctor` named in prose is no command.',
    ].join('\n'),
  );

  it('extracts commands (pipes cut, continuations joined), mentions and flags', () => {
    expect(bad.commands.map((c) => c.argv)).toEqual([
      ['triage', '--bogus-flag'],
      ['endpoint', '<end_… or name>', '--watch'],
    ]);
    expect(bad.foreignFlags).toEqual(new Set(['--previous', '--node-labels']));
    expect(shellWords(`a 'b c' "d \\"e\\"" f\\ g # comment`)).toEqual(['a', 'b c', 'd "e"', 'f g']);
  });

  it('reports an option nobody defined, a value not among the choices, and a subcommand without that flag', () => {
    expect(flagProblems(bad)).toEqual([
      'bad.md:7: `--no-such-option`: --no-such-option is not an option of any command',
      'bad.md:8: `-o tui|text|yaml`: "yaml" is not a value of -o (tui, text, wide, json, markdown, junit, script)',
      'bad.md:9: `--nope*`: --nope* is not an option of any command',
      'bad.md:10: `triage --snapshot x --nope`: triage has no option --nope',
    ]);
  });

  it('a documented command with an unknown option exits 2, which the run check rejects', async () => {
    const r = await runDoc(prepare(bad.commands[0]!.argv, 0));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--bogus-flag'/);
  });
});
