/**
 * Values parsing at growing sizes (part of `npm run bench`): keys written once, then every key written again
 * (each duplicate a warning). Time must grow linearly with the number of keys; the quadratic check it replaced
 * took over 200 s at 100,000 keys.
 */
import { parseValuesFile } from '../src/sources/values/parse.js';

export async function valuesBench(): Promise<string[][]> {
  const rows: string[][] = [['values keys', 'duplicates', 'bytes', 'parse ms', 'ms per 1k keys']];
  for (const keys of [10_000, 50_000, 100_000]) {
    const lines = ['config:', '  values:', '    launch:'];
    for (let i = 0; i < keys / 2; i++) lines.push(`      key_${i}: value ${i}`);
    for (let i = 0; i < keys / 2; i++) lines.push(`      key_${i}: again ${i}`);
    const text = `${lines.join('\n')}\n`;
    const t0 = performance.now();
    const r = await parseValuesFile(text, 'bench.yaml');
    const ms = Math.round(performance.now() - t0);
    rows.push([String(keys), String(r.warnings.length + r.moreWarnings), String(text.length), String(ms), (ms / (keys / 1000)).toFixed(1)]);
  }
  return rows;
}
