import { describe, expect, it, jest } from '@jest/globals';
import { MissingToolError, toolAvailable, TOOLS } from '../support/tools.js';

describe('a missing test tool', () => {
  it('under CI=true fails, naming the tool and the command that installs it', () => {
    const call = () => toolAvailable('redis-server', false, 'the redis probe tests', { CI: 'true' });
    expect(call).toThrow(MissingToolError);
    expect(call).toThrow('redis-server is missing, and CI=true does not skip the redis probe tests: install it with `apt-get install redis-server` (scripts/test-all.sh does)');
  });

  it('elsewhere skips, saying so on stderr once', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(toolAvailable('tmux', false, 'the tmux tests', {})).toBe(false);
      expect(toolAvailable('tmux', false, 'the tmux tests', { CI: 'false' })).toBe(false);
      expect(write.mock.calls.map((c) => String(c[0]))).toEqual(['\n*** SKIPPED: the tmux tests: tmux is missing (install: apt-get install tmux) ***\n']);
    } finally {
      write.mockRestore();
    }
  });

  it('present is present, CI or not', () => {
    expect(toolAvailable('helm', true, 'x', { CI: 'true' })).toBe(true);
  });

  it('every apt package scripts/test-all.sh must install is one it installs', async () => {
    const { readFile } = await import('node:fs/promises');
    const script = await readFile(new URL('../../scripts/test-all.sh', import.meta.url), 'utf8');
    const packages = Object.values(TOOLS).flatMap((how) => /^apt-get install (\S+)$/.exec(how)?.[1] ?? []);
    for (const p of packages) expect(script).toContain(`missing+=(${p})`);
    expect(script).toMatch(/^export CI=true$/m);
  });
});
