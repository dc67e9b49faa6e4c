/**
 * `completion bash|zsh|fish` end to end: the script printed by the built CLI, loaded into a real shell.
 * bash: `complete -p` and the completion function driven with COMP_WORDS/COMP_CWORD, as readline drives it.
 * zsh and fish: a syntax check, then a real interactive shell in tmux where Tab lists the candidates.
 * The expected candidates come from the CLI's own definition (buildProgram) and the check registry, so a new flag or
 * check shows up in the completion without touching this test.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { allChecks } from '../../checks/index.js';
import { buildProgram } from '../../src/cli.js';
import { CLOUDS } from '../../src/engine/types.js';
import { builtSkipReason, runBuilt } from './built-cli.js';
import { onPath, toolAvailable } from '../support/tools.js';

const d = builtSkipReason ? describe.skip : describe;
if (builtSkipReason) it(`skipped: ${builtSkipReason}`, () => undefined);

/** Whether a program the completion tests drive is here (under CI=true its absence fails the file: tools.ts). */
function has(cmd: 'zsh' | 'fish' | 'tmux' | 'kubectl'): boolean {
  return toolAvailable(cmd, onPath(cmd), 'the shell completion tests');
}

const program: Command = buildProgram({
  debug: false,
  signal: new AbortController().signal,
  streams: { stdout: process.stdout, stderr: process.stderr },
  setExit: () => undefined,
});
const sub = (name: string) => program.commands.find((c) => c.name() === name)!;
const choicesOf = (cmd: string, long: string) => [...(sub(cmd).options.find((o) => o.long === long)?.argChoices ?? [])];
const longFlags = (cmd: string) => sub(cmd).options.filter((o) => !o.hidden).map((o) => o.long!);
const checkIds = allChecks.map((c) => c.meta.id);
const areas = [...new Set(checkIds.map((id) => id.split('/')[0]!))];

let tmp: string;
const scripts: Record<'bash' | 'zsh' | 'fish', string> = { bash: '', zsh: '', fish: '' };

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'med-completion-'));
  if (builtSkipReason) return;
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    const r = await runBuilt(['completion', shell]);
    expect(r.code).toBe(0);
    scripts[shell] = join(tmp, `completion.${shell}`);
    await writeFile(scripts[shell], r.stdout);
  }
  // A kubeconfig with two contexts, for --context completion through kubectl.
  await writeFile(
    join(tmp, 'kubeconfig'),
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c1', cluster: { server: 'https://127.0.0.1:1' } }],
      users: [{ name: 'u1', user: {} }],
      contexts: ['ctx-prod', 'ctx-staging'].map((name) => ({ name, context: { cluster: 'c1', user: 'u1' } })),
      'current-context': 'ctx-prod',
    }),
  );
  await mkdir(join(tmp, 'work'));
  await writeFile(join(tmp, 'work', 'values-prod.yaml'), 'a: 1\n');
  await writeFile(join(tmp, 'work', 'values-dev.yaml'), 'a: 1\n');
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

d('bash', () => {
  /** Run the completion function for each command line (the last word is the one being completed). */
  function complete<const L extends readonly string[][]>(lines: L): { -readonly [K in keyof L]: string[] } {
    const quote = (w: string) => `'${w.replace(/'/g, "'\\''")}'`;
    const script = [
      `source ${quote(scripts.bash)}`,
      'q() { COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=(); _model_engine_doctor; echo "@@"; printf "%s\\n" "${COMPREPLY[@]}"; }',
      ...lines.map((l) => `q ${l.map(quote).join(' ')}`),
    ].join('\n');
    const out = execFileSync('bash', ['--norc', '--noprofile', '-c', script], {
      encoding: 'utf8',
      cwd: join(tmp, 'work'),
      env: { ...process.env, KUBECONFIG: join(tmp, 'kubeconfig') },
    });
    return out
      .split('@@\n')
      .slice(1)
      .map((block) => block.split('\n').filter(Boolean)) as { -readonly [K in keyof L]: string[] };
  }

  it('registers the function for the command (complete -p)', () => {
    const out = execFileSync('bash', ['--norc', '--noprofile', '-c', `source '${scripts.bash}'; complete -p model-engine-doctor`], { encoding: 'utf8' });
    expect(out.trim()).toBe('complete -F _model_engine_doctor model-engine-doctor');
  });

  it('completes commands, flags and flag values with their choices', () => {
    const [commands, tr, triageFlags, noFlags, output, mirrorOutput, cloud, cloudEq, failOn, verbosity, shells] = complete([
      ['model-engine-doctor', ''],
      ['model-engine-doctor', 'tr'],
      ['model-engine-doctor', 'triage', '--'],
      ['model-engine-doctor', 'triage', '--no-'],
      ['model-engine-doctor', 'triage', '-o', ''],
      ['model-engine-doctor', 'mirror-plan', '--output', ''],
      ['model-engine-doctor', '--debug', 'preflight', '-f', 'v.yaml', '--cloud', ''],
      ['model-engine-doctor', 'triage', '--cloud', '=', 'a'],
      ['model-engine-doctor', 'triage', '--fail-on', ''],
      ['model-engine-doctor', 'triage', '-v', ''],
      ['model-engine-doctor', 'completion', ''],
    ]);
    expect(commands).toEqual(program.commands.map((c) => c.name()));
    expect(tr).toEqual(['triage']);
    expect(triageFlags).toEqual(expect.arrayContaining([...longFlags('triage'), '--help']));
    expect(triageFlags).toEqual(expect.arrayContaining(['--no-probes', '--probes', '--as', '--as-group', '--cluster', '--user', '--timeout']));
    expect(noFlags.sort()).toEqual(longFlags('triage').filter((f) => f.startsWith('--no-')).sort());
    expect(output).toEqual(choicesOf('triage', '--output'));
    expect(mirrorOutput).toEqual(choicesOf('mirror-plan', '--output'));
    expect(mirrorOutput).toContain('script');
    expect(cloud).toEqual([...CLOUDS]);
    expect(cloudEq).toEqual(CLOUDS.filter((c) => c.startsWith('a')));
    expect(failOn).toEqual(['fail', 'warn']);
    expect(verbosity).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(shells).toEqual(['bash', 'zsh', 'fish']);
  });

  it('completes check ids and areas for --only/--skip, item by item in a comma list', () => {
    const [all, area, afterComma, eq] = complete([
      ['model-engine-doctor', 'triage', '--only', ''],
      ['model-engine-doctor', 'triage', '--skip', 'red'],
      ['model-engine-doctor', 'triage', '--only', 'gpu,redis/c'],
      ['model-engine-doctor', 'demo', '--skip', '=', 'images/c'],
    ]);
    expect(all.sort()).toEqual([...areas, ...checkIds].sort());
    expect(area).toEqual(['redis', ...checkIds.filter((id) => id.startsWith('red'))]);
    expect(afterComma).toEqual(checkIds.filter((id) => id.startsWith('redis/c')).map((id) => `gpu,${id}`));
    expect(afterComma.length).toBeGreaterThan(0);
    expect(eq).toEqual(checkIds.filter((id) => id.startsWith('images/c')));
  });

  it('completes file names for file flags and path arguments', () => {
    const [values, snapshot, path] = complete([
      ['model-engine-doctor', 'preflight', '-f', 'values-'],
      ['model-engine-doctor', 'triage', '--snapshot', 'values-p'],
      ['model-engine-doctor', 'serve', 'val'],
    ]);
    expect(values.sort()).toEqual(['values-dev.yaml', 'values-prod.yaml']);
    expect(snapshot).toEqual(['values-prod.yaml']);
    expect(path.sort()).toEqual(['values-dev.yaml', 'values-prod.yaml']);
  });

  (has('kubectl') ? it : it.skip)(has('kubectl') ? 'completes --context from kubectl config' : 'skipped: kubectl is not installed (--context completion)', () => {
    const [contexts, staging] = complete([
      ['model-engine-doctor', 'triage', '--context', ''],
      ['model-engine-doctor', 'triage', '--context', 'ctx-s'],
    ]);
    expect(contexts).toEqual(['ctx-prod', 'ctx-staging']);
    expect(staging).toEqual(['ctx-staging']);
  });
});

// ------------------------------------------------------------------------------------------------------------
// zsh and fish, in a real terminal

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An interactive shell in a tmux pane: type, press Tab, read the screen. */
function terminal(name: string, command: string) {
  const session = `med-compl-${name}-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
  return {
    start: () => tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '40', '-c', join(tmp, 'work'), command),
    stop: () => {
      try {
        tmux('kill-session', '-t', session);
      } catch {
        // already gone
      }
    },
    type: (text: string) => tmux('send-keys', '-t', session, '-l', text),
    key: (k: string) => tmux('send-keys', '-t', session, k),
    screen: () => tmux('capture-pane', '-p', '-t', session),
    async waitFor(what: string, cond: (s: string) => boolean, ms = 15_000): Promise<string> {
      const end = Date.now() + ms;
      let s = '';
      while (Date.now() < end) {
        s = this.screen();
        if (cond(s)) return s;
        await sleep(150);
      }
      throw new Error(`timed out waiting for ${what}; the screen was:\n${s}`);
    },
    /** Type a command line, press Tab, wait for the candidates, then clear the line. */
    async tab(line: string, expected: string[], clear = 'C-u'): Promise<string> {
      this.type(line);
      await sleep(200);
      this.key('Tab');
      const s = await this.waitFor(`candidates ${expected.join(' ')}`, (screen) => expected.every((e) => screen.includes(e)));
      this.key(clear);
      this.key('C-l');
      await sleep(300);
      return s;
    },
  };
}

const shellSkip = (shell: 'zsh' | 'fish') =>
  builtSkipReason ? builtSkipReason : !has(shell) ? `${shell} is not installed` : !has('tmux') ? 'tmux is not installed' : undefined;

d.each(['zsh', 'fish'] as const)('%s', (shell) => {
  const skip = shellSkip(shell);

  (has(shell) ? it : it.skip)(has(shell) ? `the script passes ${shell}'s syntax check` : `skipped: ${shell} is not installed (syntax check)`, () => {
    const r = spawnSync(shell, shell === 'zsh' ? ['-n', scripts.zsh] : ['--no-execute', scripts.fish], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  (skip ? it.skip : it)(`${skip ? `skipped: ${skip}: ` : ''}Tab in an interactive ${shell} lists commands, -o formats, --cloud choices and check ids`, async () => {
    const t = terminal(shell, shell === 'zsh' ? 'env -i TERM=xterm PATH=/usr/bin:/bin HOME=/tmp zsh -f' : 'env -i TERM=xterm PATH=/usr/bin:/bin HOME=/tmp fish --no-config');
    t.start();
    try {
      await sleep(1000);
      t.type(shell === 'zsh' ? `autoload -U compinit && compinit -u && source ${scripts.zsh}` : `source ${scripts.fish}`);
      t.key('Enter');
      await sleep(1000);
      const clear = shell === 'zsh' ? 'C-u' : 'C-c';
      await t.tab('model-engine-doctor mirror', ['mirror-plan'], clear);
      await t.tab('model-engine-doctor triage -o ', choicesOf('triage', '--output'), clear);
      await t.tab('model-engine-doctor triage --cloud ', [...CLOUDS], clear);
      const ids = checkIds.filter((id) => id.startsWith('redis/c'));
      await t.tab('model-engine-doctor triage --only gpu,redis/c', ids, clear);
      await t.tab('model-engine-doctor triage --as-', ['--as-group'], clear);
    } finally {
      t.stop();
    }
  });
});
