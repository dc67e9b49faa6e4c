#!/usr/bin/env node
/**
 * The command line. The only module that sets the process exit code; everything else returns or throws typed
 * errors (src/engine/errors.ts).
 */
import { realpathSync } from 'node:fs';
import { isSea } from 'node:sea';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CancelledError, EXIT, FatalError, type ExitCode } from './engine/errors.js';
import { CLOUDS } from './engine/types.js';
import { runCheckCommand, type CommonOptions, type Streams } from './commands/run.js';
import { TRIAGE_COMMAND } from './commands/triage.js';
import { programName } from './program-name.js';
import { VERSION } from './version.js';

const EXIT_CODES_HELP = `
Exit codes:
  0    nothing failed
  1    internal error (rerun with --debug for the stack)
  2    bad input, or the tool could not run (unreadable values file, bad kubeconfig, unreachable cluster)
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
  $ model-engine-doctor collect -o snap.tar.gz                 # write a redacted snapshot for a ticket
  $ model-engine-doctor mirror-plan -f values.yaml -o script > mirror.sh  # copy every image into your registry
  $ model-engine-doctor serve ./snap > kubeconfig.yaml         # serve a snapshot as a read-only Kubernetes API`;

const collect = (v: string, prev: string[] = []) => [...prev, v];
const csv = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number`);
  return n;
};

function addClusterOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('--snapshot <path>', 'read a snapshot folder or .tar.gz instead of a live cluster')
    .option('-n, --namespace <ns>', 'control-plane namespace (default: where the model-engine Deployment runs)')
    .option('--endpoint-namespace <ns>', 'endpoint namespace (default: endpoint_namespace from the service ConfigMap)');
}

function addCheckOptions(cmd: Command): Command {
  return addClusterOptions(cmd)
    .option('-f, --values <file>', 'helm values file (repeatable; later files win, as helm merges)', collect)
    .option('--set <key=value>', 'set a values key, as helm --set (repeatable)', collect)
    .option('--release <name>', 'helm release name, to read the installed values', 'model-engine')
    .addOption(new Option('--cloud <cloud>', 'cloud (default: detected from values, the service ConfigMap, or nodes)').choices([...CLOUDS]))
    .option('--only <ids>', 'run only these checks or areas (comma-separated, repeatable)', csv)
    .option('--skip <ids>', 'skip these checks or areas (comma-separated, repeatable)', csv)
    .addOption(new Option('-o, --output <format>', 'output format (default: tui on a terminal, else text)').choices(['tui', 'text', 'json', 'markdown', 'junit']))
    .option('--no-color', 'no colour (also: NO_COLOR)')
    .addOption(new Option('--fail-on <level>', 'exit non-zero on failures only, or on warnings too').choices(['fail', 'warn']).default('fail'))
    .option('--timeout <ms>', 'default per-check timeout in ms', positiveInt('--timeout'))
    .option('--concurrency <n>', 'checks run at once', positiveInt('--concurrency'))
    .option('--canary', 'allow a short-lived probe pod in the endpoint namespace (off by default)')
    .option('--exec', 'allow probes run inside the gateway pod via kubectl exec (off by default)')
    .option('--cloud-api', 'allow read-only calls to the cloud provider APIs (off by default)')
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
    .version(VERSION, '-v, --version')
    .option('--debug', 'show stack traces for unexpected errors')
    .addHelpText('after', `${EXAMPLES.replaceAll('$ model-engine-doctor ', `$ ${name} `)}\n${EXIT_CODES_HELP}`)
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (s) => state.streams.stdout.write(s),
      writeErr: (s) => state.streams.stderr.write(s),
    })
    .exitOverride();

  const checkAction = (name: 'preflight' | 'triage') => async (opts: CommonOptions) => {
    state.setExit(
      await runCheckCommand(
        name === 'triage' ? TRIAGE_COMMAND : { name, scope: name, needCluster: false },
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
  ).action(checkAction('preflight'));

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
    .option('--gateway-url <url>', "read the endpoint record from model-engine's API too")
    .option('--interval <seconds>', 'seconds between evaluations with --watch', (v: string) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('--interval must be a positive number of seconds');
      return n;
    }, 5)
    .action(async (endpoint: string, opts: CommonOptions & { watch?: boolean; gatewayUrl?: string; interval?: number }) => {
      const { endpointCommand } = await import('./commands/endpoint.js');
      state.setExit(await endpointCommand(endpoint, opts, state.streams, state.signal));
    });

  addClusterOptions(program.command('collect').description('write a redacted snapshot of everything the checks read'))
    .requiredOption('-o, --output <path>', 'snapshot folder, or a path ending in .tar.gz')
    .option('--tail <lines>', 'log lines per container', positiveInt('--tail'), 500)
    .action(async (opts: Parameters<typeof import('./commands/collect.js').collectCommand>[0]) => {
      const { collectCommand } = await import('./commands/collect.js');
      state.setExit(await collectCommand(opts, state.streams, state.signal));
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
    .option('--kubeconfig-out <file>', 'write the kubeconfig to a file instead of stdout')
    .action(async (path: string, opts: Parameters<typeof import('./commands/serve.js').serveCommand>[1]) => {
      const { serveCommand } = await import('./commands/serve.js');
      state.setExit(await serveCommand(path, opts, state.streams, state.signal));
    });

  const mirrorPlan = addClusterOptions(
    program.command('mirror-plan').description('print the commands that copy every image the install pulls into your registry, and the values that point at it'),
  );
  mirrorPlan
    .option('-f, --values <file>', 'helm values file (repeatable; later files win, as helm merges)', collect)
    .option('--set <key=value>', 'set a values key, as helm --set (repeatable)', collect)
    .option('--release <name>', 'helm release name, to read the installed values', 'model-engine')
    .addOption(new Option('--cloud <cloud>', 'cloud (default: detected)').choices([...CLOUDS]))
    .option('--mirror-to <registry>', 'registry (and path) to copy into (default: docker_repo_prefix, unless it is one of Scale\'s)')
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
    .addOption(new Option('-o, --output <format>', 'output format (default: tui on a terminal, else text)').choices(['tui', 'text', 'json', 'markdown', 'junit']))
    .option('--no-color', 'no colour (also: NO_COLOR)')
    .option('--only <ids>', 'run only these checks or areas', csv)
    .option('--skip <ids>', 'skip these checks or areas', csv)
    .action(async (opts: CommonOptions) => {
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
    if (err instanceof FatalError) {
      streams.stderr.write(`model-engine-doctor: error: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
      if (debug && err.stack) streams.stderr.write(`${err.stack}\n`);
      return err.exitCode;
    }
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    streams.stderr.write(`model-engine-doctor: internal error: ${msg}\n`);
    if (debug && err instanceof Error && err.stack) streams.stderr.write(`${err.stack}\n`);
    else streams.stderr.write('hint: rerun with --debug to see the stack trace\n');
    return EXIT.internal;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

function invokedDirectly(): boolean {
  if (isSea()) return true; // the single executable's main is this module (scripts/build-sea.mjs)
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}
if (invokedDirectly()) {
  const code = await main(process.argv.slice(2));
  // Let stdout drain before exiting so piped JSON is never cut short.
  process.stdout.write('', () => process.exit(code));
}
