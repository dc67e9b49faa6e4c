/**
 * The parts of @kubernetes/client-node the live path uses, imported from their own modules.
 *
 * The package's index re-exports its generated API (868 modules, 17 MB of source): importing it costs about 0.3 s and
 * 50 MB of resident memory, and the live path uses none of it. `KubeConfig`'s module imports the generated index for
 * two names only; {@link slimKubeClient} (installed by the CLI before any command module loads) points that one
 * import at ./client-node-gen.js, which exports those two names from their own modules. The probe pod (--canary) and
 * exec (--exec) need the generated API and import the whole package when asked for.
 */
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export { RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';
export { IsomorphicFetchHttpLibrary } from '@kubernetes/client-node/dist/gen/http/isomorphic-fetch.js';
