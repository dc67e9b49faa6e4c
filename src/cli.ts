#!/usr/bin/env node
/**
 * The command line. The only module that sets the process exit code; everything else returns or throws typed
 * errors (src/engine/errors.ts).
 */
import { realpathSync } from 'node:fs';
import { isSea } from 'node:sea';
import { fileURLToPath } from 'node:url';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ApiError, CancelledError, DeadlineError, EXIT, FatalError, type ExitCode } from './engine/errors.js';
import { redactText } from './engine/redact.js';
import { CLOUDS } from './engine/types.js';
import { formatDuration, parseDuration, type ParseDurationOptions } from './engine/duration.js';
// Types only: each command's module (and with it the checks, the engine and the SDKs) is imported when the command
// runs, so `--version` and `--help` load commander and this file alone (issue 16: ≤ 150 ms; see docs/performance.md).
import type { CommonOptions, Streams } from './commands/run.js';
import { programName } from './program-name.js';
import { chooseFormat, useColor } from './commands/format-choice.js';
import { clearPreFrame, paintPreFrame } from './tui/pre-frame.js';
import { VERSION } from './version.js';
import { slimKubeClient } from './sources/kube/slim-client.js';
import { tuneHeap } from './heap.js';

const EXIT_CODES_HELP = `
Exit codes:
  0    nothing failed
  1    internal error (rerun with --debug for the stack)
  2    bad input, or the tool could not run (unknown flag, unreadable values file, bad kubeconfig, unreachable
       cluster, Node.js older than 22)
  3    at least one check failed (or could not complete)
  4    warnings only, with --fail-on warn
  130  cancelled (Ctrl-C)`;

const EXAMPLES = `
Examples:
  $ model-engine-doctor demo                                   # triage the embedded demo cluster
  $ model-engine-doctor preflight -f values.yaml --cloud azure  # will helm install work with these values?
  $ model-engine-doctor triage                                 # what is broken now (current kube context)
  $ model-engine-doctor endpoint end_cq3ab1k2n8rs73d0bveg      # why is this endpoint not serving?
  $ model-engine-doctor triage --snapshot ./snap -o markdown    # offline, from a snapshot
  $ model-engine-doctor collect snap.tar.gz                    # write a redacted snapshot for a ticket
  $ model-engine-doctor mirror-plan -f values.yaml -o script > mirror.sh  # copy every image into your registry
  $ model-engine-doctor serve ./snap > kubeconfig.yaml         # serve a snapshot as a read-only Kubernetes API
  $ source <(model-engine-doctor completion bash)              # tab completion (also zsh, fish)

Durations (--timeout, --interval …) take a unit: 500ms, 10s, 2m, 1h, 1m30s; a bare number is seconds.
-v/--v N is kubectl's verbosity (6 and above log each Kubernetes API request); the version is --version or \`version\`.`;

const collect = (v: string, prev: string[] = []) => [...prev, v];
const csv = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
/** A duration option (`500ms`, `10s`, `2m`, `1h`; bare numbers in `opts.bare` units, seconds by default): milliseconds. */
const duration = (name: string, opts: ParseDurationOptions = {}) => (v: string) => {
  try {
    return parseDuration(v, opts);
  } catch (e) {
    throw new InvalidArgumentError(`${name}: ${(e as Error).message}`);
  }
};
/** `-v`/`--v` as kubectl takes it (`-v=6`, `-v 6`, `--v=6`): a level 0-10. */
function verbosityArg(v: string): number {
  const level = v.replace(/^=/, '');
  if (!/^\d+$/.test(level) || Number(level) > 10) {
    throw new InvalidArgumentError(`-v is kubectl's verbosity, a level from 0 to 10 (e.g. -v=6); for the version use --version or the version command`);
  }
  return Number(level);
}

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number`);
  return n;
};

/** `--gateway-url`: an http(s) URL (a bare host means http://host), checked when parsed so a typo is exit 2. */
const gatewayUrl = (v: string) => {
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : `http://${v}`);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new InvalidArgumentError(`${JSON.stringify(v.replace(/\/\/[^@/]*@/, '//'))} is not an http(s) URL, e.g. http://model-engine.model-engine.svc`);
  }
  return v;
};

function addClusterOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, a list whose missing entries are skipped, or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('--cluster <name>', "kubeconfig cluster to use instead of the context's")
    .option('--user <name>', "kubeconfig user to use instead of the context's")
    .option('--as <user>', 'user to impersonate for every request, as kubectl --as')
    .option('--as-group <group>', 'group to impersonate, with --as (repeatable)', collect)
    .option('--snapshot <path>', 'read a snapshot folder or .tar.gz instead of a live cluster')
    .option('-n, --namespace <ns>', 'control-plane namespace (default: where the model-engine Deployment runs)')
    .option('--endpoint-namespace <ns>', 'endpoint namespace (default: endpoint_namespace from the service ConfigMap)')
    .option('--request-timeout <duration>', 'give up on one API request after this long, e.g. 10s or 2m (0: never; default 15s)', duration('--request-timeout', { allowZero: true }));
}

/**
 * `--timeout`: a duration; a bare number is seconds, as for every other duration. It used to be milliseconds, so a
 * bare number of 1000 or more (over 16 minutes as seconds) is refused with the unit spelled out, rather than letting
 * an old `--timeout 30000` silently become eight hours.
 */
function timeoutArg(v: string): number {
  const ms = duration('--timeout')(v);
  if (/^\s*[\d.]+\s*$/.test(v) && Number(v) >= 1000) {
    throw new InvalidArgumentError(
      `--timeout ${v.trim()}: a bare number is seconds (${formatDuration(ms)}), no longer milliseconds — write the unit: --timeout ${formatDuration(Number(v))} or --timeout ${formatDuration(ms)}`,
    );
  }
  return ms;
}

/**
 * helm's values flags, with helm's meaning: `-f` takes a comma list (pflag's StringSlice) and `-` for stdin; the
 * `--set*` flags are applied after the files in helm's own order (--set-json, --set, --set-string, --set-file,
 * --set-literal), whatever their order here.
 */
function addValuesOptions(cmd: Command): Command {
  return cmd
    .option('-f, --values <files>', 'helm values file(s): repeatable or comma-separated, - for stdin; later files win, as helm merges', valuesFileList)
    .option('--set <key=value>', 'set values keys, as helm --set (repeatable)', collect)
    .option('--set-string <key=value>', 'set values keys as strings, as helm --set-string (repeatable)', collect)
    .option('--set-json <key=json>', 'set values keys from JSON (or merge a JSON object), as helm --set-json (repeatable)', collect)
    .option('--set-file <key=path>', "set a values key to a file's content, as helm --set-file (repeatable)", collect)
    .option('--set-literal <key=value>', 'set a values key to a literal string, as helm --set-literal (repeatable)', collect);
}

/** `-f a.yaml,b.yaml` split like pflag's StringSlice (a CSV record: quotes protect commas). */
function valuesFileList(v: string, prev: string[] = []): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '"' && (cur === '' || quoted)) {
      if (quoted && v[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (c === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return [...prev, ...out.filter((s) => s !== '')];
}

function addCheckOptions(cmd: Command): Command {
  return addValuesOptions(addClusterOptions(cmd))
    .option('--release <name>', 'helm release name, to read the installed values', 'model-engine')
    .option('--chart <path>', 'render this chart folder with `helm template` (same values, release and namespace) and check what it renders; needs helm ($HELM or PATH)')
    .addOption(new Option('--cloud <cloud>', 'cloud (default: detected from values, the service ConfigMap, or nodes)').choices([...CLOUDS]))
    .option('--only <ids>', 'run only these checks or areas (comma-separated, repeatable)', csv)
    .option('--skip <ids>', 'skip these checks or areas (comma-separated, repeatable)', csv)
    .addOption(new Option('-o, --output <format>', 'output format (default: tui on a terminal, else text; wide: text with every evidence item, command and skip reason)').choices(['tui', 'text', 'wide', 'json', 'markdown', 'junit']))
    .option('--no-color', 'no colour (also: NO_COLOR)')
    .option('--show-passed', 'list passing checks too in text, Markdown and the TUI (JSON and JUnit always have them)')
    .addOption(new Option('--fail-on <level>', 'exit non-zero on failures only, or on warnings too').choices(['fail', 'warn']).default('fail'))
    .option('--timeout <duration>', "timeout of every check, e.g. 30s or 2m, including checks that allow themselves longer (default: 30s, or the check's own; a bare number is seconds)", timeoutArg)
    .option('--deadline <duration>', 'finish the whole run within this long, e.g. 90s or 5m: what is left unfinished is reported as not run', duration('--deadline'))
    .option('--concurrency <n>', 'checks run at once', positiveInt('--concurrency'))
    .option('--canary', 'allow a short-lived probe pod in the endpoint namespace (off by default)')
    .option('--exec', 'allow probes run inside the gateway pod via kubectl exec (off by default)')
    .option('--cloud-api', 'allow read-only calls to the cloud provider APIs (off by default)')
    .option('--probes', 'probe the network (registries, Redis, cloud APIs) from a --snapshot run too (live runs do by default)')
    .option('--no-probes', 'no network probe at all: the cluster (or snapshot) and the values only')
    .addOption(extraOption('--llm-engine-repo <path>', 'local clone of scaleapi/llm-engine, to check which commits an image tag contains', 'llmEngineRepo', cmd))
    .addOption(extraListOption('--framework-tag <name=tag>', 'framework image tag to check, e.g. vllm=0.6.3 (repeatable; default: the inference-framework ConfigMap or inferenceFramework values)', 'frameworkTag', cmd));
}

/** A repeatable option whose values land comma-joined in `opts.extra[key]`. */
function extraListOption(flags: string, description: string, key: string, cmd: Command): Option {
  const option = new Option(flags, description);
  cmd.on(`option:${option.name()}`, (value: string) => {
    const extra = (cmd.getOptionValue('extra') as Record<string, string> | undefined) ?? {};
    cmd.setOptionValue('extra', { ...extra, [key]: extra[key] ? `${extra[key]},${value}` : value });
  });
  return option;
}

/** An option whose value lands in `opts.extra[key]` (read by checks as `ctx.options.extra[key]`). */
function extraOption(flags: string, description: string, key: string, cmd: Command): Option {
  const option = new Option(flags, description);
  cmd.on(`option:${option.name()}`, (value: string) => {
    cmd.setOptionValue('extra', { ...(cmd.getOptionValue('extra') as Record<string, string> | undefined), [key]: value });
  });
  return option;
}

interface GlobalState {
  debug: boolean;
  signal: AbortSignal;
  streams: Streams;
  setExit(code: ExitCode): void;
}

export function buildProgram(state: GlobalState): Command {
  const name = programName(process.argv[1]);
  const program = new Command(name)
    .description("A doctor for model-engine (Scale's LLM Engine) deployments on Kubernetes, on AWS, Azure, GCP and on-prem.")
    // No -v for the version: kubectl users type -v=6 for verbosity (it used to print the version and check nothing).
    .version(VERSION, '--version', 'print the version and exit (also: the version command)')
    .addOption(new Option('-v, --v <level>', "kubectl's verbosity: 6 and above log every Kubernetes API request on stderr").argParser(verbosityArg))
    .option('--debug', 'show stack traces for unexpected errors')
    .addHelpText('after', `${EXAMPLES.replaceAll('$ model-engine-doctor ', `$ ${name} `)}\n${EXIT_CODES_HELP}`)
    .showSuggestionAfterError()
    // Each command's --help lists -v and --debug too: they work after the command name, as in kubectl.
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => state.streams.stdout.write(s),
      writeErr: (s) => state.streams.stderr.write(redactText(s)),
      // `-v` alone used to print the version: say what it is now instead of commander's "argument missing".
      outputError: (s, write) =>
        write(/option '-v, --v <level>' argument missing/.test(s) ? `error: -v needs a level: it is kubectl's verbosity (e.g. -v=6); for the version use --version or the version command\n` : s),
    })
    .exitOverride();
  // Global flags reach every command's options: -v may come anywhere on the line, as in kubectl.
  program.hook('preAction', (_program, action) => {
    const level = program.opts<{ v?: number }>().v;
    if (level !== undefined) action.setOptionValue('verbosity', level);
  });

  // A run that will show the TUI paints its first frame now, before the second or so that loading ink and the
  // checks takes (src/tui/pre-frame.ts); the TUI erases it as it mounts, and so does any error written first.
  const preFrame = (opts: CommonOptions) => {
    if (chooseFormat(opts, state.streams) === 'tui') paintPreFrame(state.streams.stdout, state.streams.stderr, useColor(opts, state.streams));
  };

  const checkAction = (name: 'preflight' | 'triage') => async (opts: CommonOptions) => {
    preFrame(opts);
    const { runCheckCommand } = await import('./commands/run.js');
    const command = name === 'triage' ? (await import('./commands/triage.js')).TRIAGE_COMMAND : { name, scope: name, needCluster: false };
    state.setExit(
      await runCheckCommand(
        command,
        opts,
        state.streams,
        state.signal,
      ),
    );
  };

  addCheckOptions(
    program
      .command('preflight')
      .description('will `helm install` with these values work on this cluster and cloud? (offline with only -f)'),
  )
    .option('--offline', 'no kube context at all: check the values only (also what happens, with a note, when no cluster is configured or reachable)')
    .action(checkAction('preflight'));

  addCheckOptions(program.command('triage').description('what is broken right now, ranked, with evidence and the fix')).action(
    checkAction('triage'),
  );

  addCheckOptions(
    program
      .command('endpoint')
      .description('why is this endpoint not serving, and what exactly to change')
      .argument('<endpoint>', 'endpoint id (end_…) or name'),
  )
    .option('--watch', 're-evaluate until the endpoint is healthy or you quit')
    .option('--gateway-url <url>', "read the endpoint record from model-engine's API too", gatewayUrl)
    // endpoint.ts counts the interval in seconds; the flag takes any duration (a bare number is seconds, as before).
    .option('--interval <duration>', 'time between evaluations with --watch (e.g. 10s, 1m; a bare number is seconds)', (v: string) => duration('--interval')(v) / 1000, 5)
    .action(async (endpoint: string, opts: CommonOptions & { watch?: boolean; gatewayUrl?: string; interval?: number }) => {
      // --watch draws its own live view (src/tui/diagnosis-live.tsx), not the run's.
      if (!opts.watch) preFrame(opts);
      const { endpointCommand } = await import('./commands/endpoint.js');
      state.setExit(await endpointCommand(endpoint, opts, state.streams, state.signal));
    });

  addClusterOptions(program.command('collect').description('write a redacted snapshot of everything the checks read'))
    .argument('[path]', 'snapshot folder, or a path ending in .tar.gz')
    .option('--file <path>', 'the snapshot path (instead of the argument)')
    // -o means the output format everywhere else; as a path it is kept for one release, with a warning.
    .addOption(new Option('-o, --output <path>', 'deprecated: the snapshot path (use the argument or --file)').hideHelp())
    .option('--tail <lines>', 'log lines per container', positiveInt('--tail'), 500)
    .action(async (path: string | undefined, opts: import('./commands/collect.js').CollectArgs) => {
      const { collectCommand, collectPath } = await import('./commands/collect.js');
      state.setExit(await collectCommand({ ...opts, file: collectPath(path, opts, state.streams.stderr) }, state.streams, state.signal));
    });

  program
    .command('serve')
    .description('serve a snapshot as a read-only Kubernetes API and print a kubeconfig for it')
    .argument('<path>', 'snapshot folder or .tar.gz')
    .option('--host <host>', 'address to listen on (loopback by default)', '127.0.0.1')
    .option('--port <port>', 'port (default: any free port)', (v) => Number(v), 0)
    .option('--tls', 'serve HTTPS with a self-signed CA (its certificate goes into the kubeconfig)')
    .option('--token <token>', 'require this bearer token (implies --tls: kubectl sends tokens only over HTTPS)')
    .option('--deny <verb:resource[:namespace]>', 'answer 403 for these requests (repeatable), to rehearse RBAC gaps', collect)
    .option('--fault <kind[:path[:count[:arg]]]>', 'inject a fault (repeatable), to rehearse a flaky API server: 429, 500, reset, stall, nonjson, 404-all (docs/faults.md)', collect)
    .option('--kubeconfig-out <file>', 'write the kubeconfig to a file instead of stdout')
    .action(async (path: string, opts: Parameters<typeof import('./commands/serve.js').serveCommand>[1]) => {
      const { serveCommand } = await import('./commands/serve.js');
      state.setExit(await serveCommand(path, opts, state.streams, state.signal));
    });

  program
    .command('version')
    .description('print the version, with the Node.js version and platform')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { output: 'text' | 'json' }) => {
      const { versionCommand } = await import('./commands/version.js');
      state.setExit(versionCommand(opts, state.streams));
    });

  program
    .command('completion')
    .description('print a shell completion script: source <(model-engine-doctor completion bash)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      const { completionCommand } = await import('./commands/completion.js');
      state.setExit(completionCommand(shell, program, state.streams));
    });

  const mirrorPlan = addClusterOptions(
    program.command('mirror-plan').description('print the commands that copy every image the install pulls into your registry, and the values that point at it'),
  );
  addValuesOptions(mirrorPlan)
    .option('--release <name>', 'helm release name, to read the installed values', 'model-engine')
    .addOption(new Option('--cloud <cloud>', 'cloud (default: detected)').choices([...CLOUDS]))
    .option('--mirror-to <registry>', 'registry (and path) to copy into (default: docker_repo_prefix, unless it is one of Scale\'s)')
    .option('--offline', 'no kube context at all: plan from the values only')
    .option('--mirror-from <prefix>', 'where Scale\'s images are copied from (default: public.ecr.aws/b2z8n5q1)')
    .addOption(new Option('-o, --output <format>', 'text (default), a runnable bash script, json or markdown').choices(['text', 'script', 'json', 'markdown']).default('text'))
    .addOption(extraListOption('--framework-tag <name=tag>', 'framework image tag to mirror, e.g. vllm=0.6.3 (repeatable)', 'frameworkTag', mirrorPlan))
    .action(async (opts: Parameters<typeof import('./commands/mirror-plan.js').mirrorPlanCommand>[0]) => {
      const { mirrorPlanCommand } = await import('./commands/mirror-plan.js');
      state.setExit(await mirrorPlanCommand(opts, state.streams, state.signal));
    });

  program
    .command('checks')
    .description('list the checks, with their areas, clouds and docs')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .action(async (opts: { output: 'text' | 'json' | 'markdown' }) => {
      const { listChecksCommand } = await import('./commands/checks.js');
      state.setExit(listChecksCommand(opts, state.streams));
    });

  const demo = program
    .command('demo')
    .description('serve the embedded demo cluster snapshot and run triage against it over the Kubernetes API')
    .addOption(new Option('-o, --output <format>', 'output format (default: tui on a terminal, else text; wide: text with every evidence item, command and skip reason)').choices(['tui', 'text', 'wide', 'json', 'markdown', 'junit']))
    .option('--no-color', 'no colour (also: NO_COLOR)')
    .option('--show-passed', 'list passing checks too (text, Markdown, TUI)')
    .option('--only <ids>', 'run only these checks or areas', csv)
    .option('--skip <ids>', 'skip these checks or areas', csv)
    .action(async (opts: CommonOptions) => {
      preFrame(opts);
      const { demoCommand } = await import('./commands/demo.js');
      state.setExit(await demoCommand(opts, state.streams, state.signal));
    });
  void demo;
  return program;
}

/** Entry point: parse, run, map every outcome to a documented exit code. */
export async function main(argv: string[], streams: Streams = { stdout: process.stdout, stderr: process.stderr }): Promise<ExitCode> {
  const controller = new AbortController();
  const debug = argv.includes('--debug');
  let code: ExitCode = EXIT.ok;
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT.cancelled);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const program = buildProgram({ debug, signal: controller.signal, streams, setExit: (c) => (code = c) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; any parse problem is bad input (commander already printed one line).
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CancelledError || controller.signal.aborted) {
      streams.stderr.write('model-engine-doctor: cancelled\n');
      return EXIT.cancelled;
    }
    // Error messages can quote a kubeconfig's server URL or a credential plugin's output: redacted like any output.
    if (err instanceof ApiError || err instanceof DeadlineError) {
      // A read outside any check (collecting a snapshot, say) that the retries did not get past: exit 2, one line.
      streams.stderr.write(redactText(`model-engine-doctor: error: ${firstLine(err.message)}\nhint: see docs/faults.md for what is retried and how each failure looks\n`));
      if (debug && err.stack) streams.stderr.write(`${redactText(err.stack)}\n`);
      return EXIT.usage;
    }
    if (err instanceof FatalError) {
      streams.stderr.write(redactText(`model-engine-doctor: error: ${firstLine(err.message)}\n${err.hint ? `hint: ${firstLine(err.hint)}\n` : ''}`));
      if (debug && err.stack) streams.stderr.write(`${redactText(err.stack)}\n`);
      return err.exitCode;
    }
    const msg = err instanceof Error ? firstLine(err.message) : firstLine(String(err));
    streams.stderr.write(`model-engine-doctor: internal error: ${redactText(msg)}\n`);
    if (debug && err instanceof Error && err.stack) streams.stderr.write(`${redactText(err.stack)}\n`);
    else streams.stderr.write('hint: rerun with --debug to see the stack trace\n');
    return EXIT.internal;
  } finally {
    // A pre-frame no TUI replaced (the run ended before ink mounted, with nothing on stderr) goes too.
    clearPreFrame();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

/** One line of a message: errors are printed as one line (the rest, if any, is for --debug). */
const firstLine = (s: string) => s.split('\n')[0]!.trimEnd();

function invokedDirectly(): boolean {
  if (isSea()) return true; // the single executable's main is this module (scripts/build-sea.mjs)
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}
/** Run as the process: parse `argv`, then exit with the code once stdout has drained (piped JSON is never cut short). */
export async function runCli(argv: string[]): Promise<void> {
  // What the process is set up with, here and not in `main` (which tests and embedders call in their own process):
  // KubeConfig without client-node's generated API, installed before any command module loads
  // (src/sources/kube/client-node.ts); V8's heap sized for a short-lived process holding one read of a cluster
  // (src/heap.ts).
  slimKubeClient();
  tuneHeap();
  const code = await main(argv);
  // Between main's return and the exit (stdout draining), a second Ctrl-C must not fall to Node's default action
  // (death by signal, no exit code): it ends the process with the code already decided.
  const exitNow = () => process.exit(code);
  process.on('SIGINT', exitNow);
  process.on('SIGTERM', exitNow);
  process.stdout.write('', exitNow);
}

// `node dist/src/cli.js …` runs directly; the bin entry (bin/model-engine-doctor.cjs) checks the Node version first.
if (invokedDirectly()) await runCli(process.argv.slice(2));
