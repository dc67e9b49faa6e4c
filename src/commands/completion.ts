/**
 * `completion bash|zsh|fish`: a shell completion script generated from the CLI's own definition (commands, flags,
 * the choices of flags such as `-o` and `--cloud`, file arguments) and the check registry (ids and areas for
 * `--only`/`--skip`, comma lists included). Contexts, clusters and users come from `kubectl config` when kubectl is
 * installed, as kubectl's own completion offers them. Static otherwise: a tab never runs the doctor.
 */
import type { Command, Option } from 'commander';
import { allChecks } from '../../checks/index.js';
import { EXIT, type ExitCode } from '../engine/errors.js';
import { areaOf } from '../engine/registry.js';
import type { Streams } from './run.js';

export type Shell = 'bash' | 'zsh' | 'fish';

/** How a flag's value (or a positional argument) completes. */
type ValueKind =
  | { kind: 'none' }
  | { kind: 'free' }
  | { kind: 'file' }
  | { kind: 'dir' }
  | { kind: 'choices'; values: string[] }
  | { kind: 'checks' }
  | { kind: 'kubectl'; what: 'contexts' | 'clusters' | 'users' };

interface FlagSpec {
  short?: string;
  long?: string;
  description: string;
  value: ValueKind;
  repeatable: boolean;
}

interface CommandSpec {
  name: string;
  description: string;
  flags: FlagSpec[];
  /** How positional arguments complete (the first registered argument's kind). */
  positional: ValueKind;
}

export interface CompletionModel {
  program: string;
  globals: FlagSpec[];
  commands: CommandSpec[];
  checks: string[];
}

const FILE_FLAGS = new Set(['--kubeconfig', '--values', '--snapshot', '--file', '--kubeconfig-out', '--set-file']);
const DIR_FLAGS = new Set(['--llm-engine-repo']);
const KUBECTL_FLAGS: Record<string, 'contexts' | 'clusters' | 'users'> = { '--context': 'contexts', '--cluster': 'clusters', '--user': 'users' };
const CHECK_FLAGS = new Set(['--only', '--skip']);
const FILE_ARGS = new Set(['path']);

function valueOf(o: Option): ValueKind {
  if (!o.required && !o.optional) return { kind: 'none' };
  if (o.argChoices?.length) return { kind: 'choices', values: [...o.argChoices] };
  const long = o.long ?? '';
  if (CHECK_FLAGS.has(long)) return { kind: 'checks' };
  if (FILE_FLAGS.has(long)) return { kind: 'file' };
  if (DIR_FLAGS.has(long)) return { kind: 'dir' };
  if (KUBECTL_FLAGS[long]) return { kind: 'kubectl', what: KUBECTL_FLAGS[long] };
  if (long === '--v') return { kind: 'choices', values: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10'] };
  return { kind: 'free' };
}

function flagOf(o: Option): FlagSpec {
  return {
    ...(o.short ? { short: o.short } : {}),
    ...(o.long ? { long: o.long } : {}),
    description: o.description,
    value: valueOf(o),
    repeatable: /repeatable/.test(o.description) || CHECK_FLAGS.has(o.long ?? ''),
  };
}

const HELP: FlagSpec = { short: '-h', long: '--help', description: 'show help', value: { kind: 'none' }, repeatable: false };

/** The completion model of a commander program: what the scripts below are generated from. */
export function completionModel(program: Command): CompletionModel {
  const ids = allChecks.map((c) => c.meta.id);
  return {
    program: program.name(),
    globals: [...program.options.filter((o) => !o.hidden).map(flagOf), HELP],
    commands: program.commands.map((cmd) => {
      const arg = cmd.registeredArguments[0];
      const positional: ValueKind = !arg
        ? { kind: 'none' }
        : arg.argChoices?.length
          ? { kind: 'choices', values: [...arg.argChoices] }
          : FILE_ARGS.has(arg.name())
            ? { kind: 'file' }
            : { kind: 'free' };
      return { name: cmd.name(), description: cmd.description(), flags: [...cmd.options.filter((o) => !o.hidden).map(flagOf), HELP], positional };
    }),
    checks: [...new Set([...ids.map(areaOf), ...ids])],
  };
}

/** kubectl commands that list the kubeconfig's names, one a line (the same in every shell). */
const KUBECTL_LIST: Record<'contexts' | 'clusters' | 'users', string> = {
  contexts: 'kubectl config get-contexts -o name',
  clusters: "kubectl config view -o jsonpath='{range .clusters[*]}{.name}{\"\\n\"}{end}'",
  users: "kubectl config view -o jsonpath='{range .users[*]}{.name}{\"\\n\"}{end}'",
};

const names = (f: FlagSpec) => [f.short, f.long].filter((x): x is string => !!x);
const fnName = (program: string) => `_${program.replace(/[^A-Za-z0-9]/g, '_')}`;

// ------------------------------------------------------------------------------------------------------------
// bash


function bashValue(v: ValueKind, fn: string): string {
  switch (v.kind) {
    case 'choices':
      return `COMPREPLY=($(compgen -W "${v.values.join(' ')}" -- "$cur"))`;
    case 'checks':
      return `${fn}_list "${fn}_checks" "$cur"`;
    case 'file':
      return 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))';
    case 'dir':
      return 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur"))';
    case 'kubectl':
      return `COMPREPLY=($(compgen -W "$(${KUBECTL_LIST[v.what]} 2>/dev/null)" -- "$cur"))`;
    case 'free':
    case 'none':
      return 'COMPREPLY=()';
  }
}

/** Case arms, one per command and action: `"cmd --flag"|"cmd -f") action ;;`. */
function bashArms(entries: { pattern: string; action: string }[]): string {
  const arms = new Map<string, { action: string; patterns: string[] }>();
  for (const e of entries) {
    const key = `${e.pattern.split(' ')[0]}\0${e.action}`;
    const arm = arms.get(key) ?? { action: e.action, patterns: [] };
    arm.patterns.push(e.pattern);
    arms.set(key, arm);
  }
  return [...arms.values()].map((a) => `    ${a.patterns.map((p) => `"${p}"`).join('|')}) ${a.action} ;;`).join('\n');
}

export function bashScript(m: CompletionModel): string {
  const fn = fnName(m.program);
  const valued = (cmd: string, flags: FlagSpec[]) => flags.filter((f) => f.value.kind !== 'none').flatMap((f) => names(f).map((n) => ({ pattern: `${cmd} ${n}`, flag: f })));
  const globalValued = m.globals.filter((f) => f.value.kind !== 'none');
  const valueEntries = [
    ...valued('', m.globals),
    ...m.commands.flatMap((c) => [...valued(c.name, c.flags), ...valued(c.name, globalValued)]),
  ];
  const optionArms = [
    `    "") echo "${m.globals.flatMap(names).join(' ')}" ;;`,
    ...m.commands.map((c) => `    ${c.name}) echo "${c.flags.flatMap(names).join(' ')}" ;;`),
  ].join('\n');
  const positionalArms = bashArms(m.commands.filter((c) => c.positional.kind !== 'none').map((c) => ({ pattern: c.name, action: bashValue(c.positional, fn) })));
  return `# bash completion for ${m.program}
# Generated by \`${m.program} completion bash\`. Load it with:  source <(${m.program} completion bash)
# or install it:  ${m.program} completion bash > /etc/bash_completion.d/${m.program}

${fn}_checks="${m.checks.join(' ')}"

# The options of a command ("" for the top level).
${fn}_options() {
  case "$1" in
${optionArms}
  esac
}

# Whether "$1 $2" (command, flag) takes a value.
${fn}_takes_value() {
  case "$1 $2" in
${bashArms(valueEntries.map((e) => ({ pattern: e.pattern, action: 'return 0' })))}
  esac
  return 1
}

# Complete one item of a comma-separated list: the words named by $1, after the last comma of $2.
${fn}_list() {
  local prefix="" last="$2" w
  if [[ "$2" == *,* ]]; then prefix="\${2%,*},"; last="\${2##*,}"; fi
  COMPREPLY=()
  for w in \${!1}; do
    [[ "$w" == "$last"* ]] && COMPREPLY+=("$prefix$w")
  done
  compopt -o nospace 2>/dev/null
}

# Complete the value of flag $2 of command $1 (cur is the word so far).
${fn}_value() {
  case "$1 $2" in
${bashArms(valueEntries.map((e) => ({ pattern: e.pattern, action: bashValue(e.flag.value, fn) })))}
    *) COMPREPLY=() ;;
  esac
}

${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmd="" flag="" i w
  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # The command is the first word that is neither a flag nor a flag's value (--flag=value splits at "=").
  for (( i = 1; i < COMP_CWORD; i++ )); do
    w="\${COMP_WORDS[i]}"
    case "$w" in
      -*=*) ;;
      -*)
        if ${fn}_takes_value "$cmd" "$w" || ${fn}_takes_value "" "$w"; then
          if [[ "\${COMP_WORDS[i+1]}" == "=" ]]; then (( i += 2 )); else (( i++ )); fi
        fi ;;
      =) ;;
      *) [[ -z "$cmd" ]] && cmd="$w" ;;
    esac
  done
  # The flag whose value is being typed: "--flag value", "--flag=value" or "--flag=".
  if [[ "$cur" == "=" ]]; then flag="$prev"; cur=""
  elif [[ "$prev" == "=" ]] && (( COMP_CWORD > 1 )); then flag="\${COMP_WORDS[COMP_CWORD-2]}"
  elif [[ "$cur" == -*=* ]]; then flag="\${cur%%=*}"; cur="\${cur#*=}"
  elif [[ "$prev" == -* ]] && { ${fn}_takes_value "$cmd" "$prev" || ${fn}_takes_value "" "$prev"; }; then flag="$prev"
  fi
  if [[ -n "$flag" ]]; then
    if ${fn}_takes_value "$cmd" "$flag"; then ${fn}_value "$cmd" "$flag"; else ${fn}_value "" "$flag"; fi
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(${fn}_options "$cmd")" -- "$cur"))
  elif [[ -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W "${m.commands.map((c) => c.name).join(' ')}" -- "$cur"))
  else
    case "$cmd" in
${positionalArms || '      __none__) ;;'}
      *) COMPREPLY=() ;;
    esac
  fi
  return 0
}

complete -F ${fn} ${m.program}
`;
}

// ------------------------------------------------------------------------------------------------------------
// zsh

/** Text inside a single-quoted zsh `_arguments` spec description: brackets and colons escaped. */
const zshDesc = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "'\\''").replace(/([[\]:])/g, '\\$1');


function zshAction(v: ValueKind, fn: string): string {
  switch (v.kind) {
    case 'choices':
      return `(${v.values.join(' ')})`;
    case 'checks':
      return `${fn}_checks`;
    case 'file':
      return '_files';
    case 'dir':
      return '_files -/';
    case 'kubectl':
      return `${fn}_kubectl_${v.what}`;
    case 'free':
    case 'none':
      return ' ';
  }
}

function zshSpec(f: FlagSpec, fn: string): string {
  const ns = names(f);
  const desc = `[${zshDesc(f.description)}]`;
  const value = f.value.kind === 'none' ? '' : `:${(f.long ?? f.short ?? 'value').replace(/^-+/, '')}:${zshAction(f.value, fn).replace(/'/g, "'\\''")}`;
  const repeat = f.repeatable ? '*' : '';
  if (ns.length === 1) return `'${repeat}${ns[0]}${desc}${value}'`;
  const exclusion = f.repeatable ? '' : `'(${ns.join(' ')})'`;
  return `${exclusion}${repeat ? "'*'" : ''}{${ns.join(',')}}'${desc}${value}'`;
}

export function zshScript(m: CompletionModel): string {
  const fn = fnName(m.program);
  const kubectl = (['contexts', 'clusters', 'users'] as const)
    .map((what) => `${fn}_kubectl_${what}() {\n  local -a items\n  items=(\${(f)"$(${KUBECTL_LIST[what]} 2>/dev/null)"})\n  _describe '${what.slice(0, -1)}' items\n}`)
    .join('\n\n');
  const commandArms = m.commands
    .map((c) => {
      const specs = [...c.flags.map((f) => zshSpec(f, fn))];
      if (c.positional.kind !== 'none') specs.push(`'1:${c.name === 'completion' ? 'shell' : 'argument'}:${zshAction(c.positional, fn)}'`);
      return `        ${c.name})\n          _arguments -s \\\n            ${specs.join(' \\\n            ')}\n          ;;`;
    })
    .join('\n');
  return `#compdef ${m.program}
# zsh completion for ${m.program}
# Generated by \`${m.program} completion zsh\`. Load it with:  source <(${m.program} completion zsh)
# or install it as _${m.program} in a directory of your $fpath.

${fn}_checks() {
  _values -s , 'check or area' ${m.checks.map((c) => `'${c}'`).join(' ')}
}

${kubectl}

${fn}() {
  local curcontext="$curcontext" state line
  typeset -A opt_args
  local -a commands
  commands=(
${m.commands.map((c) => `    '${c.name}:${zshDesc(c.description).replace(/\\\[/g, '[').replace(/\\\]/g, ']')}'`).join('\n')}
  )
  _arguments -C \\
    ${m.globals.map((f) => zshSpec(f, fn)).join(' \\\n    ')} \\
    '1: :->command' \\
    '*:: :->args'
  case $state in
    command)
      _describe -t commands 'command' commands
      ;;
    args)
      case $words[1] in
${commandArms}
      esac
      ;;
  esac
}

if [[ "$funcstack[1]" == "${fn}" ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${m.program}
fi
`;
}

// ------------------------------------------------------------------------------------------------------------
// fish

const fishQuote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;


function fishFlag(p: string, condition: string, f: FlagSpec, fn: string): string {
  const parts = [`complete -c ${p} -n ${fishQuote(condition)}`];
  if (f.short) parts.push(`-s ${f.short.replace(/^-/, '')}`);
  if (f.long) parts.push(`-l ${f.long.replace(/^--/, '')}`);
  const v = f.value;
  switch (v.kind) {
    case 'none':
      break;
    case 'choices':
      parts.push(`-x -a ${fishQuote(v.values.join(' '))}`);
      break;
    case 'checks':
      parts.push(`-x -a '(${fn}_checks)'`);
      break;
    case 'file':
      parts.push('-r -F');
      break;
    case 'dir':
      parts.push("-x -a '(__fish_complete_directories)'");
      break;
    case 'kubectl':
      parts.push(`-x -a ${fishQuote(`(${KUBECTL_LIST[v.what]} 2>/dev/null)`)}`);
      break;
    case 'free':
      parts.push('-x');
      break;
  }
  parts.push(`-d ${fishQuote(f.description)}`);
  return parts.join(' ');
}

export function fishScript(m: CompletionModel): string {
  const p = m.program;
  const fn = fnName(p);
  const lines = [
    `# fish completion for ${p}`,
    `# Generated by \`${p} completion fish\`. Load it with:  ${p} completion fish | source`,
    `# or install it:  ${p} completion fish > ~/.config/fish/completions/${p}.fish`,
    '',
    '# One item of a comma-separated list of check ids or areas, after what is already typed.',
    `function ${fn}_checks`,
    "    set -l token (string replace -r -- '^--?[^=]*=' '' (commandline -ct))",
    "    set -l prefix (string replace -r -- '[^,]*$' '' $token)",
    `    for id in ${m.checks.join(' ')}`,
    '        echo $prefix$id',
    '    end',
    'end',
    '',
    `complete -c ${p} -f`,
    ...m.globals.map((f) => fishFlag(p, '__fish_use_subcommand', f, fn)),
    ...m.commands.map((c) => `complete -c ${p} -n __fish_use_subcommand -a ${c.name} -d ${fishQuote(c.description)}`),
  ];
  for (const c of m.commands) {
    const when = `__fish_seen_subcommand_from ${c.name}`;
    lines.push('', ...c.flags.map((f) => fishFlag(p, when, f, fn)));
    if (c.positional.kind === 'file') lines.push(`complete -c ${p} -n ${fishQuote(when)} -F`);
    if (c.positional.kind === 'choices') lines.push(`complete -c ${p} -n ${fishQuote(when)} -x -a ${fishQuote(c.positional.values.join(' '))}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `completion <shell>`: the script on stdout. */
export function completionCommand(shell: Shell, program: Command, streams: Streams): ExitCode {
  const model = completionModel(program);
  streams.stdout.write(shell === 'bash' ? bashScript(model) : shell === 'zsh' ? zshScript(model) : fishScript(model));
  return EXIT.ok;
}
