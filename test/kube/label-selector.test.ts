/**
 * The label-selector parser against the API server's own words. Each expected message below was read from a real
 * kube-apiserver v1.37.2 answering the same selector (test/e2e/conformance.test.ts keeps them in step).
 */
import { describe, expect, it } from '@jest/globals';
import { matchesRequirement, parseLabels } from '../../src/sources/kube/label-selector.js';

const KEY_RE = "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'";

describe('parseLabels', () => {
  it.each([
    ['app===!x', "unable to parse requirement: found '=', expected: identifier"],
    [
      'a/b/c=1',
      `unable to parse requirement: <nil>: Invalid value: "a/b/c": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', ${KEY_RE}) with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
    [
      'Bad_Key-=v',
      `unable to parse requirement: <nil>: Invalid value: "Bad_Key-": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', ${KEY_RE})`,
    ],
    [
      'a=-bad-',
      `unable to parse requirement: values[0][a]: Invalid value: "-bad-": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
    ['a,', "found '', expected: identifier after ','"],
    ['(a)', "found '(', expected: !, identifier, or 'end of string'"],
  ])('%j → %s', (selector, message) => {
    expect(() => parseLabels(selector)).toThrow(message);
  });

  it('parses the grammar: in/notin, =, ==, !=, exists, !, and empty values', () => {
    expect(parseLabels('x in (foo,,baz),y,z notin (),!w,v==1,u!=')).toEqual([
      { key: 'u', op: '!=', values: [''] },
      { key: 'v', op: '==', values: ['1'] },
      { key: 'w', op: '!', values: [] },
      { key: 'x', op: 'in', values: ['', 'baz', 'foo'] },
      { key: 'y', op: 'exists', values: [] },
      { key: 'z', op: 'notin', values: [''] },
    ]);
  });

  it.each([
    ['app in (a,b)', { app: 'b' }, true],
    ['app notin (a,b)', {}, true],
    ['app!=a', { app: 'a' }, false],
    ['replicas>2', { replicas: '3' }, true],
    ['replicas<2', { replicas: 'x' }, false],
  ])('%s matches %j: %s', (selector, labels, want) => {
    expect(parseLabels(selector).every((r) => matchesRequirement(labels, r))).toBe(want);
  });
});
