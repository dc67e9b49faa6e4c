import { spawn } from 'node:child_process';
const visible = (s) => /[A-Za-z]/.test(s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''));
function firstFrame(entry) {
  const env = { ...process.env, TERM: 'xterm-256color', COLUMNS: '120', LINES: '40' }; delete env.CI;
  const cmd = `${process.execPath} ${entry} triage --snapshot /work/main/fixtures/clusters/demo-aws`;
  const t0 = performance.now();
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  return new Promise((resolve) => { let at; child.stdout.on('data', (d) => { if (at !== undefined || !visible(d.toString())) return; at = performance.now() - t0; setTimeout(() => child.stdin.write('q'), 200); }); child.once('exit', () => resolve(at)); });
}
for (const e of process.argv.slice(2)) { const xs = []; for (let i = 0; i < 5; i++) xs.push(await firstFrame(e)); xs.sort((a, b) => a - b); console.log(e, xs.map((x) => x.toFixed(0)).join(' '), 'median', xs[2].toFixed(0)); }
