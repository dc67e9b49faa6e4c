// docs/tui.md shows screens captured from real runs (scripts/capture-tui.mjs: the built CLI in tmux panes over the
// demo snapshot). This captures them again and fails when the page no longer shows what the TUI draws.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NODE, ROOT, skipReason } from './real-terminal.js';

const SCRIPT = join(ROOT, 'scripts/capture-tui.mjs');
const DOC = join(ROOT, 'docs/tui.md');

function check(env: Record<string, string> = {}, ...names: string[]): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(NODE, [SCRIPT, '--check', ...names], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 240_000 }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

const BLOCKS = /<!-- capture:([\w-]+) -->\n```text\n([\s\S]*?)\n```\n<!-- \/capture -->/g;

describe('docs/tui.md', () => {
  it('has a captured block for every screen the script takes, and no other', async () => {
    const { SCREENS } = (await import(pathToFileURL(SCRIPT).href)) as { SCREENS: { name: string }[] };
    const doc = readFileSync(DOC, 'utf8');
    expect([...doc.matchAll(BLOCKS)].map((m) => m[1]).sort()).toEqual(SCREENS.map((s) => s.name).sort());
    expect(doc).not.toContain('(not captured yet)');
  });

  (skipReason ? it.skip : it)(
    skipReason ? `skipped: ${skipReason}` : 'shows what the TUI draws: every screen captured again from a real run matches',
    async () => {
      const r = await check();
      expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: expect.not.stringContaining('STALE') as unknown as string });
    },
    240_000,
  );

  (skipReason ? it.skip : it)(
    skipReason ? `skipped: ${skipReason}` : 'the check fails, with the difference, when a screen on the page is stale',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'med-tui-doc-'));
      try {
        const stale = join(dir, 'tui.md');
        // The page as it would be had the list said "Incidents" differently.
        writeFileSync(stale, readFileSync(DOC, 'utf8').replaceAll('Incidents  3 failing, 2 warnings', 'Findings  3 failing, 2 warnings'));
        const r = await check({ MED_TUI_DOC: stale }, 'triage-80x24');
        expect(r.code).toBe(1);
        expect(r.out).toContain('triage-80x24: STALE');
        expect(r.out).toContain('+++ captured\n');
        expect(r.out).toContain('Incidents  3 failing, 2 warnings');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
