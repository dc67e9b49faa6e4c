#!/usr/bin/env node
// The bin entry. Plain CommonJS in old syntax, so any Node.js can parse it: an old Node gets one line naming the
// version needed instead of a stack trace from a module it cannot load. Then it loads the real CLI.
'use strict';
var REQUIRED_MAJOR = 22; // keep in step with "engines" in package.json (a test checks it)
var version = String(process.versions.node);
if (!(parseInt(version.split('.')[0], 10) >= REQUIRED_MAJOR)) {
  process.stderr.write('model-engine-doctor needs Node.js >= ' + REQUIRED_MAJOR + ' (this is ' + version + ')\n');
  process.exit(2);
}
import('../dist/src/cli.js').then(
  function (cli) {
    return cli.runCli(process.argv.slice(2));
  },
  function (err) {
    var notBuilt = err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).indexOf('dist/src/cli.js') !== -1;
    process.stderr.write(
      'model-engine-doctor: ' + (notBuilt ? 'not built: run npm run build' : 'cannot start: ' + String((err && err.message) || err).split('\n')[0]) + '\n'
    );
    process.exit(notBuilt ? 2 : 1);
  }
);
