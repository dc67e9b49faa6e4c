import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import check, { chartFullname, selectorState } from '../../../checks/values/scheduling.js';
import { loadValuesFiles } from '../../../src/sources/values/load.js';
import { fixture, runCase, testCheck } from '../../support/check-tester.js';

const v = (name: string) => `fixtures/values/${name}.yaml`;

testCheck(check, {
  valid: [
    { name: 'aws-good.yaml (node-lifecycle: normal written explicitly)', values: [v('aws-good')] },
    { name: 'azure-good.yaml', values: [v('azure-good')] },
    { name: 'gcp-good.yaml (selectors cleared with null)', values: [v('gcp-good')] },
    { name: 'onprem-good.yaml (selectors cleared with null)', values: [v('onprem-good')] },
    { name: 'fullnameOverride equal to the chart name', values: [v('aws-good')], set: ['fullnameOverride=model-engine'] },
  ],
  invalid: [
    {
      name: 'selectors "cleared" with {}',
      values: [v('gcp-good'), v('scheduling-empty-map')],
      errors: [
        { messageId: 'emptyMapKeepsDefault', status: 'warn', object: { kind: 'HelmValues', name: 'nodeSelector' } },
        { messageId: 'emptyMapKeepsDefault', status: 'warn', object: { kind: 'HelmValues', name: 'balloonNodeSelector' } },
      ],
    },
    {
      name: 'values_sample.yaml (nodeSelector: { })',
      values: [v('values_sample')],
      errors: [{ messageId: 'emptyMapKeepsDefault', status: 'warn', object: { kind: 'HelmValues', name: 'nodeSelector' } }],
    },
    {
      name: 'fullnameOverride renames the PriorityClasses',
      values: [v('aws-good'), v('scheduling-fullname')],
      errors: [{ messageId: 'fullnameOverride', status: 'fail', object: { kind: 'HelmValues', name: 'fullnameOverride' } }],
    },
    {
      name: 'serviceIdentifier skips the PriorityClasses',
      values: [v('azure-good'), v('scheduling-service-identifier')],
      errors: [{ messageId: 'serviceIdentifier', status: 'fail', object: { kind: 'HelmValues', name: 'serviceIdentifier' } }],
    },
    {
      name: "the self-hosting guide's nvidia-tesla-a10",
      values: [v('aws-good'), v('scheduling-gpu-typo')],
      errors: [{ messageId: 'unknownGpuType', status: 'warn', object: { kind: 'HelmValues', name: 'balloons[0].acceleratorName' } }],
    },
  ],
});

describe('values/scheduling findings', () => {
  it('an empty map: says which pods need the label, where {} was written, and that null is the fix', async () => {
    const rs = await runCase(check, { name: '', values: [v('gcp-good'), v('scheduling-empty-map')] });
    const r = rs.find((x) => x.messageId === 'emptyMapKeepsDefault' && x.object?.name === 'nodeSelector')!;
    expect(r.message).toContain('every control-plane pod');
    expect(r.message).toContain('every endpoint pod');
    expect(r.message).toContain('node-lifecycle=normal');
    expect(r.evidence[0]).toMatchObject({ path: 'nodeSelector', source: { file: expect.stringContaining('scheduling-empty-map.yaml'), line: 2 } });
    expect(r.evidence[1]).toMatchObject({ path: 'nodeSelector.node-lifecycle', value: 'normal', source: { file: expect.stringContaining('chart defaults') } });
    expect(r.status === 'warn' && parse(r.remediation.values!)).toEqual({ nodeSelector: null });
  });

  it('fullnameOverride: names both the names the chart creates and those the code uses', async () => {
    const rs = await runCase(check, { name: '', values: [v('aws-good'), v('scheduling-fullname')] });
    const r = rs.find((x) => x.messageId === 'fullnameOverride')!;
    expect(r.message).toContain('llm-engine-default-priority');
    expect(r.message).toContain('model-engine-default-priority');
    expect(r.status === 'fail' && r.remediation.commands).toContain('kubectl create priorityclass model-engine-high-priority --value=100000 --description="model-engine"');
  });

  it('the GPU typo suggests the GpuType', async () => {
    const rs = await runCase(check, { name: '', values: [v('aws-good'), v('scheduling-gpu-typo')] });
    expect(rs.find((x) => x.messageId === 'unknownGpuType')!.message).toContain('did you mean nvidia-ampere-a10?');
  });
});

describe('selectorState', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'med-sched-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  it.each<[string, string, string]>([
    ['silent: chart default', 'tag: x\n', 'default'],
    ['{} keeps the default', 'nodeSelector: {}\n', 'empty-map'],
    ['null removes it', 'nodeSelector: null\n', 'cleared'],
    ['explicit label', 'nodeSelector:\n  node-lifecycle: normal\n', 'user'],
    ['another label merges with the default', 'nodeSelector:\n  pool: cpu\n', 'user'],
  ])('%s', async (_n, yaml, want) => {
    const file = join(dir, `${want}-${yaml.length}.yaml`);
    await writeFile(file, yaml);
    const values = await loadValuesFiles([file], []);
    const s = selectorState(values, 'nodeSelector');
    expect(s.state).toBe(want);
    if (yaml.includes('pool')) expect(s).toEqual({ state: 'user', keepsDefault: true, userKeys: ['pool'] });
  });

  it('a later -f file with {} does not undo an earlier explicit label', async () => {
    const values = await loadValuesFiles([fixture(v('aws-good')), fixture(v('scheduling-empty-map'))], []);
    expect(selectorState(values, 'nodeSelector')).toEqual({ state: 'user', keepsDefault: false, userKeys: ['node-lifecycle'] });
  });
});

describe('names', () => {
  it.each<[unknown, string]>([
    [undefined, 'model-engine'],
    ['', 'model-engine'],
    ['llm-engine', 'llm-engine'],
    ['a'.repeat(39) + '-x', 'a'.repeat(39)],
  ])('chartFullname(%p)', (o, want) => expect(chartFullname(o)).toBe(want));
  // closestGpuType moved to src/model-engine/gpu.ts with the GPU type list: test/checks/gpu/gpu-helpers.test.ts.
});
