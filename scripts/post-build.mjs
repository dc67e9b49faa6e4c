// Make the CLI executable and copy non-TS assets (the embedded demo snapshot stays in fixtures/); then stamp dist/
// with the hash of the sources it was built from (scripts/build-if-changed.mjs skips builds that would change nothing).
import { chmodSync, existsSync } from 'node:fs';
import { writeStamp } from './build-if-changed.mjs';
const cli = new URL('../dist/src/cli.js', import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);
writeStamp();
