/**
 * Loads @kubernetes/client-node's `KubeConfig` without its generated API (see ./client-node.ts): a module resolution
 * hook sends `dist/config.js`'s import of `./gen/index.js` to ./client-node-gen.js. Every other import, of that
 * package or any other, resolves as usual. Node's synchronous hooks (`module.registerHooks`) arrived in Node 22.15;
 * on an older Node, or a host that refuses hooks, nothing is installed and the whole package loads, as before.
 */
import * as nodeModule from 'node:module';

const CONFIG_MODULE = /\/@kubernetes\/client-node\/dist\/config\.js$/;
const GEN_INDEX = './gen/index.js';

type Resolve = (specifier: string, context: { parentURL?: string }, next: (specifier: string, context: { parentURL?: string }) => unknown) => unknown;
type RegisterHooks = (hooks: { resolve: Resolve }) => unknown;

let installed: boolean | undefined;

/** Where the slim index lives: beside this module (src/ under the tests, dist/ when built). */
export const SLIM_GEN_INDEX = new URL(`./client-node-gen${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

/** The resolve hook alone (exported for its test): `config.js`'s generated index → the slim one. */
export const resolveSlim: Resolve = (specifier, context, next) =>
  specifier === GEN_INDEX && context.parentURL !== undefined && CONFIG_MODULE.test(context.parentURL)
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
