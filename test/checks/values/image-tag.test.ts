import { describe, expect, it } from '@jest/globals';
import check, { classifyTag } from '../../../checks/values/image-tag.js';
import { runCase, testCheck } from '../../support/check-tester.js';

const V = (f: string) => `fixtures/values/${f}.yaml`;
const key = (name: string) => ({ kind: 'HelmValues', name });

testCheck(check, {
  valid: [
    { name: 'aws-good', values: [V('aws-good')] },
    { name: 'azure-good', values: [V('azure-good')] },
    { name: 'gcp-good', values: [V('gcp-good')] },
    { name: 'onprem-good', values: [V('onprem-good')] },
    { name: 'release build tag', values: [V('aws-good'), V('image-tag-release')] },
  ],
  invalid: [
    { name: 'values_sample.yaml: cacherRepository', values: [V('values_sample')], errors: [{ messageId: 'cacherRepositoryUnused', status: 'warn', object: key('image.cacherRepository') }] },
    { name: 'tag under image:', values: [V('aws-good'), V('image-tag-missing')], errors: [{ messageId: 'missing', status: 'fail', object: key('tag') }] },
    { name: 'latest', values: [V('azure-good'), V('image-tag-latest')], errors: [{ messageId: 'latest', status: 'fail', object: key('tag') }] },
    { name: 'unrecognized', values: [V('gcp-good'), V('image-tag-unrecognized')], errors: [{ messageId: 'unrecognized', status: 'warn', object: key('tag') }] },
    { name: 'cacherRepository from the matrix', values: [V('aws-good'), V('image-tag-cacher')], errors: [{ messageId: 'cacherRepositoryUnused', status: 'warn' }] },
    { name: 'tag inside a repository', values: [V('aws-good'), V('image-tag-repository-with-tag')], errors: [{ messageId: 'repositoryHasTag', status: 'fail', object: key('image.forwarderRepository') }] },
    { name: 'numeric tag via --set', values: [V('onprem-good')], set: ['tag=20260701'], errors: [{ messageId: 'number', status: 'warn' }] },
  ],
});

describe('classifyTag', () => {
  it.each<[unknown, ReturnType<typeof classifyTag>]>([
    ['a82369619a365b79a45e49ef6af1045653102615', { kind: 'sha', sha: 'a82369619a365b79a45e49ef6af1045653102615' }],
    ['1.0.0-20260701-a8236961', { kind: 'release', version: '1.0.0', date: '2026-07-01', sha: 'a8236961' }],
    ['1.0.0-20261301-a8236961', { kind: 'unrecognized', tag: '1.0.0-20261301-a8236961' }],
    ['A82369619A365B79A45E49EF6AF1045653102615', { kind: 'unrecognized', tag: 'A82369619A365B79A45E49EF6AF1045653102615' }],
    ['a8236961', { kind: 'unrecognized', tag: 'a8236961' }],
    ['latest', { kind: 'latest' }],
    ['Latest', { kind: 'latest' }],
    ['', { kind: 'missing' }],
    [null, { kind: 'missing' }],
    [undefined, { kind: 'missing' }],
    [20260701, { kind: 'number', tag: '20260701' }],
  ])('%p', (raw, expected) => {
    expect(classifyTag(raw)).toEqual(expected);
  });
});

describe('messages', () => {
  it('explains that the chart reads the top-level tag and offers the nested value', async () => {
    const rs = await runCase(check, { name: 'x', values: [V('aws-good'), V('image-tag-missing')] });
    const r = rs.find((x) => x.messageId === 'missing');
    if (r?.status !== 'fail') throw new Error('expected a failure');
    expect(r.message).toContain('image.tag is set, but the chart reads the top-level tag');
    expect(r.remediation.values).toBe('tag: a82369619a365b79a45e49ef6af1045653102615\n');
    expect(r.evidence.map((e) => e.type === 'values' && [e.path, e.missing])).toEqual([['tag', true], ['image.tag', false]]);
  });

  it('the release tag pass message carries version, date and commit', async () => {
    const [r] = await runCase(check, { name: 'x', values: [V('aws-good'), V('image-tag-release')] });
    expect(r?.message).toBe('tag 1.0.0-20260701-a8236961 is a release build tag: version 1.0.0, built 2026-07-01 from commit a8236961');
  });
});
