import { describe, expect, it } from '@jest/globals';
import { FatalError } from '../../src/engine/errors.js';
import { mergeLayers } from '../../src/sources/values/merge.js';
import { applySets, parseSet, parseSets, typedSetValue } from '../../src/sources/values/set.js';

/** Apply --set arguments to an empty user tree, no chart defaults, as the merged plain object. */
function setTree(...sets: string[]) {
  const port = mergeLayers(undefined, [], { files: [], origin: 'files' }, (u) => applySets(u, parseSets(sets)));
  return port.merged;
}

describe('--set parsing, as helm strvals', () => {
  it.each<[string, unknown]>([
    ['tag=abc123', { tag: 'abc123' }],
    ['a.b.c=1', { a: { b: { c: 1 } } }],
    ['a=1,b=2', { a: 1, b: 2 }],
    [
      'serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::000000000000:role/k8s-main-llm-engine',
      { serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::000000000000:role/k8s-main-llm-engine' } } },
    ],
    ['nodeSelector.kubernetes\\.io/os=linux', { nodeSelector: { 'kubernetes.io/os': 'linux' } }],
    ['virtualservice.hostDomains={llm.example.com,llm2.example.com}', { virtualservice: { hostDomains: ['llm.example.com', 'llm2.example.com'] } }],
    ['list={1,true,x},after=y', { list: [1, true, 'x'], after: 'y' }],
    ['empty={}', { empty: [] }],
    ['tolerations[0].key=nvidia.com/gpu,tolerations[0].operator=Exists', { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }] }],
    ['a[2]=x', { a: [null, null, 'x'] }],
    ['m[0][1]=z', { m: [[null, 'z']] }],
    ['msg=a\\,b', { msg: 'a,b' }],
    ['empty=', { empty: '' }],
    ['url=redis://host:6379/0?ssl=true', { url: 'redis://host:6379/0?ssl=true' }],
  ])('%s', (input, expected) => {
    expect(setTree(input)).toEqual(expected);
  });

  it.each<[string, unknown]>([
    ['true', true],
    ['FALSE', false],
    ['True', true],
    ['null', null],
    ['0', 0],
    ['300', 300],
    ['-5', -5],
    ['007', '007'],
    ['1.5', '1.5'],
    ['1e3', '1e3'],
    ['99999999999999999999', '99999999999999999999'],
    ['yes', 'yes'],
    ['e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4', 'e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4'],
  ])('typed value %s', (raw, expected) => {
    expect(typedSetValue(raw)).toEqual(expected);
  });

  it('later assignments in one argument and across arguments win', () => {
    expect(setTree('a=1,a=2')).toEqual({ a: 2 });
    expect(setTree('a.b=1', 'a.c=2')).toEqual({ a: { b: 1, c: 2 } });
    expect(setTree('a=1', 'a.b=2')).toEqual({ a: { b: 2 } });
  });

  it('null stays null where the chart has no default (helm deletes only defaults)', () => {
    expect(setTree('a.b=1', 'a.b=null')).toEqual({ a: { b: null } });
  });

  it('reports structure for the engine', () => {
    expect(parseSet('x[1].y=2')).toEqual([{ path: [{ key: 'x' }, { index: 1 }, { key: 'y' }], value: 2 }]);
  });

  it.each<[string, string]>([
    ['a', 'key "a" has no value'],
    ['a.b,c=1', 'key "a.b" has no value'],
    ['a[x]=1', 'list index "x" is not a non-negative integer'],
    ['a[-1]=1', 'list index "-1" is not a non-negative integer'],
    ['a[70000]=1', 'list index 70000 is larger than the maximum 65536'],
    ['a[0', 'unterminated list index in "a[0"'],
    ['a={x,y', 'list value in "a={x,y" is missing its closing "}"'],
    ['a={x}y', 'unexpected "y" after a list value in "a={x}y"'],
    ['.a=1', 'empty key in ".a=1"'],
  ])('rejects %s', (input, message) => {
    let err: unknown;
    try {
      parseSets([input]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FatalError);
    expect((err as FatalError).message).toBe(`--set ${JSON.stringify(input)}: ${message}`);
  });
});

describe('--set-string, --set-literal, --set-json and provenance labels', () => {
  it.each<[string, Parameters<typeof parseSets>[1], unknown]>([
    ['a=1,b=true,c=null,d={1,2}', '--set-string', { a: '1', b: 'true', c: 'null', d: ['1', '2'] }],
    ['a.b=x,y={z}', '--set-literal', { a: { b: 'x,y={z}' } }],
    ['a={"p":[1,{"q":"r"}]},b=2,c="s,t"', '--set-json', { a: { p: [1, { q: 'r' }] }, b: 2, c: 's,t' }],
  ])('%s (%s)', (input, flag, expected) => {
    const port = mergeLayers(undefined, [], { files: [], origin: 'files' }, (u) => applySets(u, parseSets([input], flag)));
    expect(port.merged).toEqual(expected);
  });

  it('labels each assignment with its flag, and hides credential values', () => {
    expect(parseSets(['tag=abc,redis.auth=hunter2hunter2'], '--set').map((a) => a.source)).toEqual(['--set tag=abc', '--set redis.auth=REDACTED']);
    expect(parseSets(['a=1'], '--set-json')[0]!.source).toBe('--set-json a=1');
  });

  it('names the flag in a syntax error', () => {
    expect(() => parseSets(['a={"p":'], '--set-json')).toThrow('--set-json "a={\\"p\\":": the value of "a" is not JSON: {"p":');
  });
});
