/**
 * KubeConfig without @kubernetes/client-node's generated API (src/sources/kube/client-node.ts, slim-client.ts): the
 * hook sends exactly one import elsewhere, the module it sends it to exports what that import asks for, and the built
 * CLI reads a cluster as before without loading the generated API.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveSlim, SLIM_GEN_INDEX } from '../../src/sources/kube/slim-client.js';
import * as slimGen from '../../src/sources/kube/client-node-gen.js';
import { builtSkipReason, demoServer, ROOT, runBuilt } from '../cli/built-cli.js';

const CONFIG_JS = join(ROOT, 'node_modules/@kubernetes/client-node/dist/config.js');
const CONFIG_URL = pathToFileURL(CONFIG_JS).href;
const RECORDER = pathToFileURL(join(ROOT, 'test/support/record-modules.mjs')).href;
/** Modules only the generated API loads (its 60 API classes and 800 models). */
const GENERATED = /\/@kubernetes\/client-node\/dist\/gen\/(apis|models|types)\//;

describe('the resolve hook', () => {
  const next = (specifier: string) => ({ url: `next:${specifier}` });

  it("sends config.js's import of the generated index to the slim one, and nothing else", () => {
    expect(resolveSlim('./gen/index.js', { parentURL: CONFIG_URL }, next)).toEqual({ url: SLIM_GEN_INDEX, shortCircuit: true });
    // The same specifier from any other module of the package, or another specifier from config.js: untouched.
    expect(resolveSlim('./gen/index.js', { parentURL: CONFIG_URL.replace('config.js', 'index.js') }, next)).toEqual({ url: 'next:./gen/index.js' });
    expect(resolveSlim('./gen/index.js', { parentURL: CONFIG_URL.replace('client-node', 'client-nodes') }, next)).toEqual({ url: 'next:./gen/index.js' });
    expect(resolveSlim('./exec_auth.js', { parentURL: CONFIG_URL }, next)).toEqual({ url: 'next:./exec_auth.js' });
    expect(resolveSlim('./gen/index.js', {}, next)).toEqual({ url: 'next:./gen/index.js' });
  });

  it('sends it to a module that exports every name config.js imports from the generated index (fails on a client-node that imports more)', async () => {
    const source = await readFile(CONFIG_JS, 'utf8');
    const imports = [...source.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]\.\/gen\/index\.js['"]/g)];
    expect(imports).toHaveLength(1);
    // No other form of import of the index (namespace, default, re-export) that the slim module would not satisfy.
    expect(source.match(/['"]\.\/gen\/index\.js['"]/g)).toHaveLength(1);
    const names = imports[0]![1]!.split(',').map((n) => n.trim().split(/\s+as\s+/)[0]!).filter(Boolean);
    expect(names.sort()).toEqual(Object.keys(slimGen).sort());
    for (const n of names) expect(typeof (slimGen as Record<string, unknown>)[n]).toBe('function');
  });
});

const d = builtSkipReason ? describe.skip : describe;
if (builtSkipReason) it(`skipped: ${builtSkipReason}`, () => undefined);

d('the built CLI', () => {
  const demo = demoServer();

  it('reads a live cluster without loading the generated API; importing the package whole would load it', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'med-slim-'));
    try {
      const out = join(tmp, 'modules.txt');
      const env = { NODE_OPTIONS: `--import=${RECORDER}`, MED_TEST_MODULES_OUT: out };
      const r = await runBuilt(['triage', '--kubeconfig', demo.kubeconfig(), '-o', 'json'], { env });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(3); // the demo's failures, as every other triage of it
      expect(JSON.parse(r.stdout).counts.fail).toBeGreaterThan(0);
      const loaded = (await readFile(out, 'utf8')).split('\n');
      expect(loaded).toContain(CONFIG_URL);
      expect(loaded.filter((u) => GENERATED.test(u))).toEqual([]);
      expect(loaded).toContain(pathToFileURL(join(ROOT, 'dist/src/sources/kube/client-node-gen.js')).href);
      // The recorder sees the generated API when something does load it: the package's own index.
      const whole = await runBuilt(['--input-type=module', '-e', "await import('@kubernetes/client-node')"], { env, entry: '--no-warnings' });
      expect(whole.code).toBe(0);
      expect((await readFile(out, 'utf8')).split('\n').filter((u) => GENERATED.test(u)).length).toBeGreaterThan(500);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
