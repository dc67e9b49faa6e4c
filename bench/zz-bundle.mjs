import * as esbuild from 'esbuild';
const noDevtools = { name: 'nd', setup(b) { b.onResolve({ filter: /^react-devtools-core$/ }, (a) => ({ path: a.path, namespace: 'nd' })); b.onLoad({ filter: /.*/, namespace: 'nd' }, () => ({ contents: 'export default {initialize(){},connectToDevTools(){}};', loader: 'js' })); } };
const t0 = Date.now();
await esbuild.build({ entryPoints: ['src/cli.ts'], outfile: 'dist/src/cli.bundle.mjs', bundle: true, platform: 'node', format: 'esm', target: 'node22', minify: true, keepNames: true, legalComments: 'none', define: { 'process.env.NODE_ENV': '"production"' }, plugins: [noDevtools],
  banner: { js: "import { createRequire as __r } from 'node:module'; import { fileURLToPath as __f } from 'node:url'; import { dirname as __d } from 'node:path'; const require = __r(import.meta.url); const __filename = __f(import.meta.url); const __dirname = __d(__filename);" }, logLevel: 'warning' });
console.log('bundled in', Date.now() - t0, 'ms');
