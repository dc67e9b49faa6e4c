import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FatalError } from '../../src/engine/errors.js';
import { loadValuesFiles } from '../../src/sources/values/load.js';
import { describeTypeProblem, expectedType, findTypeProblem } from '../../src/sources/values/schema.js';

const REPO = resolve(import.meta.dirname, '../..');
let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'med-schema-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(text: string): Promise<string> {
  const p = join(dir, `v${n++}.yaml`);
  await writeFile(p, text);
  return p;
}

async function fatal(paths: string[], sets: string[] = []): Promise<FatalError> {
  try {
    await loadValuesFiles(paths, sets);
  } catch (e) {
    expect(e).toBeInstanceOf(FatalError);
    return e as FatalError;
  }
  throw new Error('expected a FatalError');
}

describe('known keys of the wrong type stop the run with file:line:col', () => {
  it.each<[string, string, string]>([
    ['config.values.infra a string', 'config:\n  values:\n    infra: aws\n', ':3:5: config.values.infra must be a map, got a string'],
    ['tag a map', 'context: prod\ntag:\n  name: abc\n', ':2:1: tag must be a scalar (string, number or boolean), got a map'],
    ['image a list', 'image:\n  - gatewayRepository: x\n', ':1:1: image must be a map, got a list'],
    ['nodeSelector a string', 'nodeSelector: node-lifecycle=normal\n', ':1:1: nodeSelector must be a map, got a string'],
    ['serviceAccount.annotations a list', 'serviceAccount:\n  annotations:\n    - eks.amazonaws.com/role-arn: arn\n', ':2:3: serviceAccount.annotations must be a map, got a list'],
    ['balloons not a list', 'balloons:\n  acceleratorName: nvidia-ampere-a10\n', ':1:1: balloons must be a list, got a map'],
    ['an unquoted annotation number', 'serviceAccount:\n  annotations:\n    "helm.sh/hook-weight": -2\n', ':3:5: serviceAccount.annotations["helm.sh/hook-weight"] must be a string, got a number'],
    ['a boolean node label', 'nodeSelector:\n  gpu: true\n', ':2:3: nodeSelector.gpu must be a string, got a boolean'],
    ['a balloon count as text', 'balloons:\n  - acceleratorName: cpu\n    replicaCount: "1"\n', ':3:5: balloons[0].replicaCount must be a number, got a string'],
    ['an infra field as a map', 'config:\n  values:\n    launch:\n      sqs_queue_policy_template:\n        Version: "2012-10-17"\n', ':4:7: config.values.launch.sqs_queue_policy_template must be a scalar (string, number or boolean), got a map'],
    ['utility image a string', 'utilityImages:\n  busybox: busybox:1.36\n', ':2:3: utilityImages.busybox must be a map, got a string'],
  ])('%s', async (_name, text, where) => {
    const p = await file(text);
    const err = await fatal([p]);
    expect(err.message).toBe(`${p}${where}`);
    expect(err.exitCode).toBe(2);
    expect(err.message).not.toContain('\n');
  });

  it('reports the first problem of the file that has it (later files too)', async () => {
    const good = resolve(REPO, 'fixtures/values/aws-good.yaml');
    const bad = await file('# overlay\ntag: x\nimage: registry/model-engine\ntolerations: {}\n');
    expect((await fatal([good, bad])).message).toBe(`${bad}:3:1: image must be a map, got a string`);
  });

  it('a --set that breaks a type is named as --set', async () => {
    const good = resolve(REPO, 'fixtures/values/onprem-good.yaml');
    expect((await fatal([good], ['config.values.infra=onprem'])).message).toBe('--set config.values.infra=onprem: config.values.infra must be a map, got a string');
  });

  it.each<[string, string]>([
    ['unknown keys of any type', 'myCompany:\n  - x\nfoo: {a: 1}\nconfig:\n  values:\n    infra:\n      not_a_field: {a: 1}\n'],
    ['null deletes, whatever the type', 'nodeSelector: null\nimage:\ntag:\n'],
    ['numbers and booleans are scalars', 'tag: 1234567\nconfig:\n  values:\n    launch:\n      istio_enabled: false\n      db_engine_pool_size: 10\n'],
    ['empty maps and lists', 'nodeSelector: {}\ntolerations: []\naffinity: {}\n'],
  ])('accepts %s', async (_name, text) => {
    await expect(loadValuesFiles([await file(text)], [])).resolves.toBeDefined();
  });

  it('accepts every fixture of the values checks', async () => {
    for (const f of ['aws-good', 'azure-good', 'gcp-good', 'onprem-good', 'values_sample', 'merge-a', 'merge-b']) {
      await expect(loadValuesFiles([resolve(REPO, `fixtures/values/${f}.yaml`)], [])).resolves.toBeDefined();
    }
  });

  it('validate: false skips the schema', async () => {
    const p = await file('tag:\n  a: 1\n');
    await expect(loadValuesFiles([p], [], { validate: false })).resolves.toBeDefined();
  });
});

describe('schema helpers', () => {
  it.each<[string[], string | undefined]>([
    [['config', 'values', 'infra'], 'map'],
    [['serviceAccount', 'annotations', 'eks.amazonaws.com/role-arn'], 'string'],
    [['utilityImages', 'busybox', 'repository'], 'string'],
    [['balloons', '3', 'gpuCount'], 'number'],
    [['azure', 'client_id'], 'scalar'],
    [['config', 'values', 'infra', 'unknown'], undefined],
    [['whatever'], undefined],
  ])('expectedType(%j) = %p', (path, type) => {
    expect(expectedType(path)).toBe(type);
  });

  it('describeTypeProblem without a line', () => {
    const p = findTypeProblem({ tag: ['a'] });
    expect(p).toEqual({ path: ['tag'], expected: 'scalar', actual: 'list' });
    expect(describeTypeProblem(p!, { file: 'release r revision 3 (user-supplied values)' })).toBe(
      'release r revision 3 (user-supplied values): tag must be a scalar (string, number or boolean), got a list',
    );
  });
});
