/**
 * KubeConfig without @kubernetes/client-node's generated API (src/sources/kube/client-node.ts, slim-client.ts): the
 * hook sends exactly one import elsewhere, and only when the module it sends it to exports what that import asks for;
 * the built CLI reads a cluster as before without loading the generated API.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importsFromGenIndex, resolveSlim, SLIM_GEN_INDEX, SLIM_NAMES } from '../../src/sources/kube/slim-client.js';
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

  it('leaves the import alone when that config.js imports other names than the slim index has (another client-node release)', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'med-slim-cfg-'));
    try {
      const write = async (name: string, source: string) => {
        const dir = join(tmp, name, 'node_modules/@kubernetes/client-node/dist');
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, 'config.js'), source);
        return pathToFileURL(join(dir, 'config.js')).href;
      };
      const fits = await write('a', "import { createConfiguration, ServerConfiguration, } from './gen/index.js';\n");
      const more = await write('b', "import { createConfiguration, ServerConfiguration, ObjectSerializer } from './gen/index.js';\n");
      const star = await write('c', "import { createConfiguration, ServerConfiguration } from './gen/index.js';\nexport * from './gen/index.js';\n");
      expect(resolveSlim('./gen/index.js', { parentURL: fits }, next)).toEqual({ url: SLIM_GEN_INDEX, shortCircuit: true });
      expect(resolveSlim('./gen/index.js', { parentURL: more }, next)).toEqual({ url: 'next:./gen/index.js' });
      expect(resolveSlim('./gen/index.js', { parentURL: star }, next)).toEqual({ url: 'next:./gen/index.js' });
      expect(resolveSlim('./gen/index.js', { parentURL: fits.replace('/a/', '/missing/') }, next)).toEqual({ url: 'next:./gen/index.js' });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('reads the names a module imports from the generated index, and nothing from any other shape', () => {
    expect(importsFromGenIndex("import { b, a } from './gen/index.js';")).toEqual(['a', 'b']);
    expect(importsFromGenIndex('import {\n  createConfiguration,\n  ServerConfiguration,\n} from "./gen/index.js"')).toEqual(['ServerConfiguration', 'createConfiguration']);
    expect(importsFromGenIndex("import * as gen from './gen/index.js';")).toBeUndefined();
    expect(importsFromGenIndex("import { a as b } from './gen/index.js';")).toBeUndefined();
    expect(importsFromGenIndex("import { a } from './gen/index.js'; import { b } from './gen/index.js';")).toBeUndefined();
    expect(importsFromGenIndex("import { a } from './gen/other.js';")).toBeUndefined();
  });

  it("the slim index exports what the installed client-node's config.js imports, as functions", async () => {
    expect(importsFromGenIndex(await readFile(CONFIG_JS, 'utf8'))).toEqual(SLIM_NAMES);
    expect(Object.keys(slimGen).sort()).toEqual(SLIM_NAMES);
    for (const n of SLIM_NAMES) expect(typeof (slimGen as Record<string, unknown>)[n]).toBe('function');
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
