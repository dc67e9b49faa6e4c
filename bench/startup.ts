/**
 * Start-up (issue 16): `--version` and `--help` through the bin launcher, and the first TUI frame of
 * `triage --snapshot fixtures/clusters/demo-aws` in a pseudo-terminal (util-linux `script`), from spawn to the first
 * write with visible text. Medians of several runs; wall time as a user sees it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/version.js';
import { median } from './proc.js';

const BIN = join(PACKAGE_ROOT, 'bin/model-engine-doctor.cjs');

function wall(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`model-engine-doctor ${args.join(' ')} exited ${r.status}`);
  return performance.now() - t0;
}

const visible = (s: string) => /[A-Za-z]/.test(s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''));

/**
 * ms from spawn to the TUI's first frame with text in it — the pre-frame the CLI paints before ink loads
 * (src/tui/pre-frame.ts) — and to the first frame ink itself draws (the live view's "starting in …" or "… checks
 * done"); the run is then quit with `q`.
 */
function firstFrame(): Promise<{ first: number; ink: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', COLUMNS: '120', LINES: '40' };
  delete env.CI;
  const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} triage --snapshot ${JSON.stringify(join(PACKAGE_ROOT, 'fixtures/clusters/demo-aws'))}`;
  const t0 = performance.now();
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let first: number | undefined;
    let ink: number | undefined;
    let seen = '';
    child.stdout.on('data', (d: Buffer) => {
      const now = performance.now() - t0;
      if (first === undefined && visible(d.toString())) first = now;
      seen += d.toString().replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
      if (ink === undefined && /starting in |checks done/.test(seen)) {
        ink = now;
        setTimeout(() => child.stdin.write('q'), 200);
      }
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', () => {
      clearTimeout(kill);
      if (first === undefined || ink === undefined) reject(new Error('the TUI drew nothing'));
      else resolve({ first, ink });
    });
  });
}

export async function startupBench(runs = 7): Promise<string[][]> {
  const rows = [['start-up (median of ' + runs + ')', 'wall ms', 'target']];
  rows.push(['--version', median(Array.from({ length: runs }, () => wall(['--version']))).toFixed(0), '≤ 150']);
  rows.push(['--help', median(Array.from({ length: runs }, () => wall(['--help']))).toFixed(0), '≤ 150']);
  rows.push(['node -e 0 (floor)', median(Array.from({ length: runs }, () => { const t0 = performance.now(); spawnSync(process.execPath, ['-e', '0']); return performance.now() - t0; })).toFixed(0), '']);
  if (spawnSync('script', ['--version']).status === 0) {
    const frames: { first: number; ink: number }[] = [];
    for (let i = 0; i < Math.min(runs, 5); i++) frames.push(await firstFrame());
    rows.push(['first TUI frame, triage --snapshot demo-aws (pre-frame)', median(frames.map((f) => f.first)).toFixed(0), '≤ 300']);
    rows.push(['first frame drawn by ink (the live view)', median(frames.map((f) => f.ink)).toFixed(0), '']);
  } else {
    rows.push(['first TUI frame', 'not measured: util-linux `script` (a pty) is missing', '≤ 300']);
  }
  return rows;
}
