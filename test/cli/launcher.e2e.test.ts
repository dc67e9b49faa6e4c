/**
 * The bin entry (bin/model-engine-doctor.cjs): a Node.js older than 22 gets one line naming the version needed —
 * tested with the machine's own Node (Debian's /usr/bin/node, 20.x here) — and a current Node runs the CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, builtSkipReason, NODE, ROOT, runBuilt } from './built-cli.js';

const OLD_NODE = process.env.MED_OLD_NODE ?? '/usr/bin/node';
const oldVersion = existsSync(OLD_NODE) ? execFileSync(OLD_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim() : undefined;
const oldSkip = !oldVersion ? `${OLD_NODE} does not exist` : Number(oldVersion.split('.')[0]) >= 22 ? `${OLD_NODE} is ${oldVersion}, not older than 22` : undefined;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'med-launcher-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('the bin entry', () => {
  it('requires the Node.js major that package.json "engines" names', async () => {
    const engines = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; bin: Record<string, string> });
    expect(engines.bin['model-engine-doctor']).toBe('bin/model-engine-doctor.cjs');
    const launcher = await readFile(BIN, 'utf8');
    const required = /var REQUIRED_MAJOR = (\d+);/.exec(launcher)?.[1];
    expect(engines.engines.node).toBe(`>=${required}`);
  });

  (oldSkip ? it.skip : it)(
    oldSkip ? `skipped: ${oldSkip} (old Node.js check)` : `Node.js ${oldVersion} gets one line naming the version needed, exit 2, for any command`,
    async () => {
      for (const args of [['--version'], ['triage', '--snapshot', 'fixtures/clusters/demo-aws'], []]) {
        const r = await runBuilt(args, { node: OLD_NODE });
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe(`model-engine-doctor needs Node.js >= 22 (this is ${oldVersion})\n`);
      }
    },
  );

  (builtSkipReason ? it.skip : it)(builtSkipReason ? `skipped: ${builtSkipReason}` : 'a current Node.js runs the CLI through it, exit codes included', async () => {
    const version = await runBuilt(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const bad = await runBuilt(['triage', '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown option '--bogus'/);
  });

  it('says "not built" in one line when dist/ is missing', async () => {
    await mkdir(join(tmp, 'bin'));
    await copyFile(BIN, join(tmp, 'bin', 'model-engine-doctor.cjs'));
    const r = await runBuilt(['--version'], { node: NODE, entry: join(tmp, 'bin', 'model-engine-doctor.cjs') });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('model-engine-doctor: not built: run npm run build\n');
  });
});
