// Make the CLI executable and copy non-TS assets (the embedded demo snapshot stays in fixtures/).
import { chmodSync, existsSync } from 'node:fs';
const cli = new URL('../dist/src/cli.js', import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);
