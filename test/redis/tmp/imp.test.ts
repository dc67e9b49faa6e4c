import { it, expect, beforeAll } from '@jest/globals';
import { writeSync } from 'node:fs';
import { SecretString } from '../../../src/engine/ports/secret.js';
import { redisTargetFromUrl } from '../../../src/engine/ports/redis.js';
import { RedisSource } from '../../../src/sources/redis/probe.js';
import { makeCa, startRedis } from '../../support/redis-servers.js';
const log = (s: string) => writeSync(2, s + '\n');
let port = 0;
beforeAll(async () => {
  log('A'); const ca = makeCa(); log('B');
  const s = await startRedis({ args: ['--requirepass', 'pw'] }); port = s.port; log('C ' + port);
});
it('x', async () => {
  const t = redisTargetFromUrl(`redis://:pw@127.0.0.1:${port}/3`, (s) => new SecretString(s))!;
  log('D');
  const r = await new RedisSource({from: 'x'}).probe(t, {});
  log('E ' + JSON.stringify(r.steps.map(s => s.name)));
});
