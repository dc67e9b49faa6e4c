// Preloaded into a child process (NODE_OPTIONS=--import=…): records every module the process loads and writes the
// list (one URL a line) to $MED_TEST_MODULES_OUT when it exits. Used to prove what the built CLI does not load.
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';

const loaded = [];
registerHooks({
  load(url, context, next) {
    loaded.push(url);
    return next(url, context);
  },
});
process.on('exit', () => writeFileSync(process.env.MED_TEST_MODULES_OUT, loaded.join('\n')));
