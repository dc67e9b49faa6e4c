/**
 * Loads @kubernetes/client-node's `KubeConfig` without its generated API (see ./client-node.ts): a module resolution
 * hook sends `dist/config.js`'s import of `./gen/index.js` to ./client-node-gen.js. Every other import, of that
 * package or any other, resolves as usual. Node's synchronous hooks (`module.registerHooks`) arrived in Node 22.15;
 * on an older Node, or a host that refuses hooks, nothing is installed and the whole package loads, as before.
 *
 * The redirect is taken only when the `config.js` being loaded imports from the generated index exactly the names
 * the slim index exports, read from its source the first time: an installed client-node whose `config.js` imports
 * more (a newer release, since npm resolves our `^2.0.1` afresh on each install) loads its whole index, as before,
 * instead of failing at start-up.
 */
import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';

const CONFIG_MODULE = /\/@kubernetes\/client-node\/dist\/config\.js$/;
const GEN_INDEX = './gen/index.js';

/** What ./client-node-gen.ts exports (sorted); test/kube/slim-client.test.ts holds the two equal. */
export const SLIM_NAMES: readonly string[] = ['ServerConfiguration', 'createConfiguration'];

type Context = { parentURL?: string };
type Resolve = (specifier: string, context: Context, next: (specifier: string, context: Context) => unknown) => unknown;
type RegisterHooks = (hooks: { resolve: Resolve }) => unknown;

let installed: boolean | undefined;

/** Where the slim index lives: beside this module (src/ under the tests, dist/ when built). */
export const SLIM_GEN_INDEX = new URL(`./client-node-gen${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

/**
 * The names `source` (a module's text) imports from `./gen/index.js`, sorted; undefined when it refers to that module
 * in any other way too (a namespace or default import, a re-export, a second import) or not at all.
 */
export function importsFromGenIndex(source: string): string[] | undefined {
  const mentions = source.match(/['"]\.\/gen\/index\.js['"]/g) ?? [];
  const named = [...source.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]\.\/gen\/index\.js['"]/g)];
  if (mentions.length !== 1 || named.length !== 1) return undefined;
  const names = named[0]![1]!.split(',').map((n) => n.trim()).filter(Boolean);
  if (names.some((n) => !/^[A-Za-z_$][\w$]*$/.test(n))) return undefined; // `a as b`, `type x`: not the shape we know
  return names.sort();
}

const verdicts = new Map<string, boolean>();

/** Whether the `config.js` at `url` imports from the generated index exactly {@link SLIM_NAMES} (read once). */
function slimFits(url: string): boolean {
  let fits = verdicts.get(url);
  if (fits === undefined) {
    try {
      fits = importsFromGenIndex(readFileSync(new URL(url), 'utf8'))?.join() === SLIM_NAMES.join();
    } catch {
      fits = false;
    }
    verdicts.set(url, fits);
  }
  return fits;
}

/** The resolve hook alone (exported for its test): `config.js`'s generated index → the slim one, when it fits. */
export const resolveSlim: Resolve = (specifier, context, next) =>
  specifier === GEN_INDEX && context.parentURL !== undefined && CONFIG_MODULE.test(context.parentURL) && slimFits(context.parentURL)
    ? { url: SLIM_GEN_INDEX, shortCircuit: true }
    : next(specifier, context);

/** Installs the hook once; true when it is in place. Call it before anything imports `KubeConfig`. */
export function slimKubeClient(): boolean {
  if (installed !== undefined) return installed;
  const register = (nodeModule as unknown as { registerHooks?: RegisterHooks }).registerHooks;
  try {
    installed = typeof register === 'function';
    if (installed) register!({ resolve: resolveSlim });
  } catch {
    // A host that refuses hooks (Jest's sandbox does): the whole package loads, as before.
    installed = false;
  }
  return installed;
}
