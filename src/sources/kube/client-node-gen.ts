/**
 * What @kubernetes/client-node's `dist/config.js` imports from its generated index (`./gen/index.js`), taken from the
 * modules that define it. {@link slimKubeClient} resolves that one import here; test/kube/slim-client.test.ts fails
 * when config.js imports anything else from the index (a new client-node version).
 */
export { createConfiguration } from '@kubernetes/client-node/dist/gen/configuration.js';
export { ServerConfiguration } from '@kubernetes/client-node/dist/gen/servers.js';
