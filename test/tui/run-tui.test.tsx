// The whole session: runTui runs real checks through the real runner, draws with ink on a fake terminal and
// answers keys, the way `src/commands/run.ts` calls it.
import { describe, expect, it } from '@jest/globals';
import { defineCheck, fail, pass } from '../../src/engine/define-check.js';
import { CancelledError } from '../../src/engine/errors.js';
import type { RunInput } from '../../src/engine/runner.js';
import type { Check, Report } from '../../src/engine/types.js';
import { runTui } from '../../src/tui/run-tui.js';
import { baseContext } from '../support/context.js';
import { imagePull } from './fixture-diagnosis.js';
import { FakeStdin, FakeStdout } from '../support/terminal.js';
import { KEY, tick } from './helpers.js';

/** The fake keyboard implements only what ink uses of a ReadStream. */
const keyboard = (k: FakeStdin) => k as unknown as NonNullable<Parameters<typeof runTui>[0]['stdin']>;

const CSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
const SGR = /\u001b\[[0-9;]*m/;
const screen = (out: FakeStdout) => out.text.replace(CSI, '');

const context = baseContext({ matrix: undefined, now: new Date('2026-07-01T10:04:12Z') });

const meta = (id: string, severity: Check['meta']['severity'], messages: Record<string, string>) => ({
  id,
  title: `${id} title`,
  description: 'test check',
  clouds: 'all' as const,
  severity,
  needs: [] as const,
  messages,
});

/**
 * Fails on its first run and passes from then on: someone fixed the cluster between `r` presses. A re-run waits for
 * `rerunGate` (the test opens it once it has seen the re-run's progress), however slow the machine draws frames.
 */
function flakyRedis(rerunGate: Promise<void> = Promise.resolve()) {
  let runs = 0;
  return defineCheck({
    meta: meta('redis/auth', 'high', { rejected: 'Redis at {{host}} rejected the credentials', accepted: 'Redis at {{host}} accepted the credentials' }),
    async run(ctx) {
      runs += 1;
      ctx.progress('waiting for redis 127.0.0.1:6380…');
      if (runs > 1) await rerunGate;
      const data = { host: '127.0.0.1:6380' };
      return runs === 1
        ? fail('rejected', {
            data,
            object: { kind: 'ConfigMap', namespace: 'model-engine', name: 'model-engine-service-config' },
            remediation: {
              summary: 'Put the auth token in Secrets Manager and name it in cache_redis_aws_secret_name',
              commands: ['aws secretsmanager describe-secret --secret-id prod/llm-engine/redis'],
              values: 'config:\n  values:\n    launch:\n      cache_redis_aws_secret_name: prod/llm-engine/redis\n',
            },
          })
        : pass('accepted', { data });
    },
  });
}

const steady = defineCheck({
  meta: meta('config/cloud-provider', 'critical', { matches: 'cloud_provider is aws and the nodes run on aws' }),
  run: async () => pass('matches'),
});

/** Waits until cancelled, reporting what it waits for. */
const hanging = defineCheck({
  meta: meta('images/mirrored', 'high', { never: 'never' }),
  run: (ctx) =>
    new Promise((_, reject) => {
      ctx.progress('probing https://public.ecr.aws/v2/ from a pod…');
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
    }),
});

function input(checks: Check[], signal?: AbortSignal): RunInput {
  return {
    command: 'triage',
    toolVersion: '0.1.0',
    checks,
    context,
    target: { mode: 'snapshot', snapshot: 'fixtures/clusters/demo-aws', cloud: 'aws', cloudSource: 'nodes', namespaces: context.namespaces, valuesFiles: [] },
    cancelGraceMs: 200,
    ...(signal ? { signal } : {}),
  };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick(10);
  }
}

describe('runTui', () => {
  it('re-runs the selected check with r and returns the report as last shown', async () => {
    const stdout = new FakeStdout();
    const stdin = new FakeStdin();
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const done = runTui({ runInput: input([flakyRedis(gate), steady]), color: false, streams: { stdout, stderr: new FakeStdout() }, stdin: keyboard(stdin) });
    await until(() => screen(stdout).includes('1/1 · filter failing + warnings'), 'the report');
    expect(screen(stdout)).toContain('❯ #1  ✖ FAIL   high      redis/auth  Redis at 127.0.0.1:6380 rejected the credentials');

    stdin.press('r');
    await until(() => screen(stdout).includes('re-running redis/auth…  waiting for redis 127.0.0.1:6380…'), 'the re-run progress');
    openGate();
    await until(() => screen(stdout).includes('re-ran redis/auth: FAIL → PASS'), 'the re-run outcome');
    stdin.press('q');
    const report = await done;
    expect(report.results.find((r) => r.id === 'redis/auth')?.status).toBe('pass');
    expect(report.counts).toEqual({ pass: 2, warn: 0, fail: 0, skip: 0, error: 0 });
    // Nothing needs attention any more: the list says so, and quitting with nothing selected prints nothing.
    expect(screen(stdout)).toContain('✔ Everything passed: 2 passed check results (--show-passed lists them).');
    expect(screen(stdout)).not.toContain('# fix:');
    expect(stdout.text).not.toMatch(SGR);
  });

  it("on q prints the selected incident's fix as plain text after the UI is gone", async () => {
    const stdout = new FakeStdout();
    const stdin = new FakeStdin();
    const done = runTui({ runInput: input([flakyRedis(), steady]), color: true, streams: { stdout, stderr: new FakeStdout() }, stdin: keyboard(stdin) });
    await until(() => screen(stdout).includes('1/1 · filter failing + warnings'), 'the report');
    const before = stdout.chunks.length;
    stdin.press('q');
    const report = await done;
    expect(report.counts.fail).toBe(1);
    const after = stdout.chunks.slice(before).join('');
    const printed = after.slice(after.indexOf('# ✖ FAIL'));
    expect(printed).toBe(
      [
        '# ✖ FAIL redis/auth · ConfigMap model-engine/model-engine-service-config',
        '# fix: Put the auth token in Secrets Manager and name it in cache_redis_aws_secret_name',
        'aws secretsmanager describe-secret --secret-id prod/llm-engine/redis',
        '# values snippet (for your values file):',
        'config:',
        '  values:',
        '    launch:',
        '      cache_redis_aws_secret_name: prod/llm-engine/redis',
        '# docs: docs/checks/redis/auth.md',
        '',
      ].join('\n'),
    );
    expect(printed).not.toMatch(SGR); // colour was on for the UI, never for the copyable text
  });

  it('c writes the selected fix to the terminal as an OSC 52 clipboard escape, and says so', async () => {
    const stdout = new FakeStdout();
    const stdin = new FakeStdin();
    const done = runTui({ runInput: input([flakyRedis(), steady]), color: false, streams: { stdout, stderr: new FakeStdout() }, stdin: keyboard(stdin) });
    await until(() => screen(stdout).includes('1/1 · filter failing + warnings'), 'the report');
    stdin.press('c');
    await until(() => screen(stdout).includes('copied the fix of incident #1 (redis/auth) (OSC 52)'), 'the copy notice');
    const osc = [...stdout.text.matchAll(/\u001b\]52;c;([A-Za-z0-9+/=]+)\u0007/g)];
    expect(osc).toHaveLength(1);
    const copied = Buffer.from(osc[0]![1]!, 'base64').toString('utf8');
    expect(copied.split('\n').slice(0, 3)).toEqual([
      '# ✖ FAIL redis/auth · ConfigMap model-engine/model-engine-service-config',
      '# fix: Put the auth token in Secrets Manager and name it in cache_redis_aws_secret_name',
      'aws secretsmanager describe-secret --secret-id prod/llm-engine/redis',
    ]);
    stdin.press('q');
    await done;
  });

  it('shows progress while running, and Ctrl-C cancels the run with CancelledError', async () => {
    const stdout = new FakeStdout();
    const stdin = new FakeStdin();
    const cancelled: string[] = [];
    const done = runTui({
      runInput: input([hanging, steady]),
      color: false,
      streams: { stdout, stderr: new FakeStdout() },
      stdin: keyboard(stdin),
      cancel: () => cancelled.push('cancel'),
    });
    const outcome = done.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await until(() => screen(stdout).includes('probing https://public.ecr.aws/v2/ from a pod…'), 'the progress text');
    expect(screen(stdout)).toContain('1/2 checks done');
    stdin.press(KEY.ctrlC);
    expect(await outcome).toBeInstanceOf(CancelledError);
    expect(cancelled).toEqual(['cancel']);
  });

  it('the CLI signal (SIGINT/SIGTERM) ends the session while the report is open', async () => {
    const stdout = new FakeStdout();
    const controller = new AbortController();
    const done = runTui({ runInput: input([steady], controller.signal), color: false, streams: { stdout, stderr: new FakeStdout() }, stdin: keyboard(new FakeStdin()) });
    const outcome = done.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await until(() => screen(stdout).includes('Everything passed: 1 passed check result'), 'the report');
    controller.abort();
    expect(await outcome).toBeInstanceOf(CancelledError);
  });

  it('applies finalize (the endpoint diagnosis) and, without a keyboard, draws the report once and returns', async () => {
    const stdout = new FakeStdout();
    stdout.columns = 120;
    const report: Report = await runTui({
      runInput: input([steady]),
      color: false,
      finalize: async (r) => ({ ...r, diagnosis: imagePull }),
      streams: { stdout, stderr: new FakeStdout() },
      stdin: keyboard(new FakeStdin(false)),
    });
    expect(report.diagnosis).toBe(imagePull);
    expect(screen(stdout)).toContain('❯ ✖ IMAGE_PULL  llm-engine/llama-3-8b-instruct (end_cq3kd0s2rxy5g2r0lsh0)');
    expect(screen(stdout)).toContain('fix: Push the image tag, or update the endpoint to a tag that exists');
  });
});
