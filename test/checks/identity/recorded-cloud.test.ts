/**
 * The recorded-HTTP server the cloud tests stand on: it answers only a request whose method, path, query and body
 * all match a recording, says which part differed otherwise, and every recording names the API reference it follows.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../../support/check-tester.js';
import { loadScenario, matchRecording, parseRecording, sameBody, startRecordedCloud, type Recording } from '../../support/recorded-cloud.js';

const rec = (file: string, text: string): Recording => parseRecording(file, text);
const IAM = rec('iam', '# _source: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html\n> POST /\n> Action=GetRole&RoleName=llm-engine&Version=2010-05-08\n\nHTTP/1.1 200 OK\r\n\r\n<x/>');
const GCP = rec('gcp', '# _source: https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/getIamPolicy\n> POST /v1/projects/-/serviceAccounts/a@p.iam.gserviceaccount.com:getIamPolicy?options.requestedPolicyVersion=3\n\nHTTP/1.1 200 OK\r\n\r\n{}');
const CRM = rec('crm', '# _source: https://cloud.google.com/resource-manager/reference/rest/v1/projects/getIamPolicy\n> POST /v1/projects/p:getIamPolicy\n> {"options":{"requestedPolicyVersion":3}}\n\nHTTP/1.1 200 OK\r\n\r\n{}');
const ARM = rec('arm', '# _source: https://learn.microsoft.com/en-us/rest/api/aks/managed-clusters/list\n> GET /subscriptions/s/providers/Microsoft.ContainerService/managedClusters?api-version=2024-05-01\n\nHTTP/1.1 200 OK\r\n\r\n{}');
const ECR = rec(
  'ecr',
  '# _source: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html\n> POST /\n> X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken\n> Content-Type: application/x-amz-json-1.1\n>\n> {}\n\nHTTP/1.1 200 OK\r\n\r\n{}',
);
const IMDS = rec(
  'imds',
  '# _source: https://learn.microsoft.com/en-us/entra/identity/managed-identities-azure-resources/how-to-use-vm-token\n> GET /identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com\n> Metadata: true\n> x-ms-client-request-id: {{*}}\n>\n\nHTTP/1.1 200 OK\r\n\r\n{}',
);
const ALL = [IAM, GCP, CRM, ARM];

describe('matchRecording', () => {
  it.each<[string, string, string, string, string | RegExp]>([
    ['form fields in another order', 'POST', '/', 'Version=2010-05-08&RoleName=llm-engine&Action=GetRole', 'iam'],
    ['an encoded @ in the path', 'POST', '/v1/projects/-/serviceAccounts/a%40p.iam.gserviceaccount.com:getIamPolicy?options.requestedPolicyVersion=3', '', 'gcp'],
    ['JSON by value, whitespace aside', 'POST', '/v1/projects/p:getIamPolicy', '{ "options": { "requestedPolicyVersion": 3 } }', 'crm'],
    ['another method', 'GET', '/', '', /method differed \(recorded: POST in iam\)/],
    ['another path', 'GET', '/nowhere', '', /no recording has path \/nowhere/],
    ['no query where one is recorded', 'POST', '/v1/projects/-/serviceAccounts/a@p.iam.gserviceaccount.com:getIamPolicy', '', /query differed: got \(none\), recorded options\.requestedPolicyVersion=3/],
    ['a query value that differs', 'GET', '/subscriptions/s/providers/Microsoft.ContainerService/managedClusters?api-version=2023-01-01', '', /query differed: got api-version=2023-01-01, recorded api-version=2024-05-01/],
    ['a body where the API wants none', 'POST', '/v1/projects/-/serviceAccounts/a@p.iam.gserviceaccount.com:getIamPolicy?options.requestedPolicyVersion=3', '{"options":{"requestedPolicyVersion":3}}', /body differed: got \{"options".*recorded \(empty\)/],
    ['a form field that differs', 'POST', '/', 'Action=GetRole&RoleName=other&Version=2010-05-08', /body differed: got Action=GetRole&RoleName=other/],
  ])('%s', (_n, method, target, body, want) => {
    const m = matchRecording(ALL, method, target, body);
    if (typeof want === 'string') expect(m).toMatchObject({ ok: true, recording: { file: want } });
    else expect(m.ok ? m.recording.file : m.miss).toMatch(want);
  });

  it('reads the request headers a recording names (up to a bare ">" line) apart from its body', () => {
    expect(ECR).toMatchObject({ method: 'POST', target: '/', headers: { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
    expect(IMDS).toMatchObject({ method: 'GET', headers: { metadata: 'true', 'x-ms-client-request-id': '{{*}}' }, body: '' });
    // Without the bare ">" line every line after the request is body, as before headers could be recorded.
    expect(IAM).toMatchObject({ headers: {}, body: 'Action=GetRole&RoleName=llm-engine&Version=2010-05-08' });
    expect(() => parseRecording('x', '# _source: https://docs.aws.amazon.com/x\n> POST /\n> not a header\n>\n> {}\n\nHTTP/1.1 200 OK\r\n\r\n')).toThrow(/"> Name: value"/);
  });

  it.each<[string, string, Record<string, string>, string, string | RegExp]>([
    ['the recorded headers, any case, others ignored', 'POST', { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken', 'content-type': 'application/x-amz-json-1.1', 'user-agent': 'aws-sdk-js' }, '{}', 'ecr'],
    ['a recorded header missing', 'POST', { 'content-type': 'application/x-amz-json-1.1' }, '{}', /header differed: x-amz-target got \(none\), recorded AmazonEC2ContainerRegistry_V20150921\.GetAuthorizationToken \(ecr\)/],
    ['a recorded header with another value', 'POST', { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken', 'content-type': 'application/json' }, '{}', /header differed: content-type got application\/json, recorded application\/x-amz-json-1\.1/],
    ['the right headers and another body', 'POST', { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken', 'content-type': 'application/x-amz-json-1.1' }, '{"registryIds":["1"]}', /body differed/],
  ])('headers: %s', (_n, method, headers, body, want) => {
    const m = matchRecording([ECR], method, '/', body, 'http://x', headers);
    if (typeof want === 'string') expect(m).toMatchObject({ ok: true, recording: { file: want } });
    else expect(m.ok ? m.recording.file : m.miss).toMatch(want);
  });

  it('headers: {{*}} needs the header present, with any value', () => {
    const target = '/identity/oauth2/token?resource=https%3A%2F%2Fmanagement.azure.com&api-version=2018-02-01';
    expect(matchRecording([IMDS], 'GET', target, '', 'http://x', { metadata: 'true', 'x-ms-client-request-id': 'a1' })).toMatchObject({ ok: true });
    expect(matchRecording([IMDS], 'GET', target, '', 'http://x', { metadata: 'true' })).toMatchObject({ ok: false, miss: expect.stringContaining('x-ms-client-request-id got (none)') });
    expect(matchRecording([IMDS], 'GET', target, '', 'http://x', { 'x-ms-client-request-id': 'a1' })).toMatchObject({ ok: false, miss: expect.stringContaining('metadata got (none), recorded true') });
  });

  it('JSON and form bodies compare by value, others byte for byte', () => {
    expect(sameBody('{"a":1,"b":[1,2]}', '{"b":[1,2],"a":1}')).toBe(true);
    expect(sameBody('{"a":1}', '{"a":2}')).toBe(false);
    expect(sameBody('a=1&b=2', 'b=2&a=1')).toBe(true);
    expect(sameBody('', '')).toBe(true);
    expect(sameBody('', 'x=1')).toBe(false);
  });

  it('refuses a recording that does not name its API reference or its request', () => {
    expect(() => parseRecording('x', '> GET /\n\nHTTP/1.1 200 OK\r\n\r\n')).toThrow(/_source/);
    expect(() => parseRecording('x', '# _source: https://example.com/doc\n\nHTTP/1.1 200 OK\r\n\r\n')).toThrow(/request/);
  });
});

describe('recorded cloud fixtures', () => {
  const root = fixture('fixtures/cloud-identity');
  const scenarios = ['fixtures/cloud-identity', 'fixtures/cloud-registry'].flatMap((r) =>
    readdirSync(fixture(r))
      .filter((d) => statSync(join(fixture(r), d)).isDirectory())
      .map((d) => `${r}/${d}`),
  );
  it.each(scenarios)('%s: every recording names its API reference and request, and no two answer the same request', async (s) => {
    const recs = await loadScenario(fixture(s));
    expect(recs.length).toBeGreaterThan(0);
    for (const r of recs) expect(r.source).toMatch(/^https:\/\/(docs\.aws\.amazon\.com|learn\.microsoft\.com|cloud\.google\.com)\//);
    const keys = recs.map((r) => `${r.method} ${r.target} ${r.body}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('the server answers 501 (never 404) on a miss and keeps the reason', async () => {
    const cloud = await startRecordedCloud(root);
    try {
      const res = await fetch(`${cloud.url}/gcp-healthy/v1/projects/-/serviceAccounts/model-engine%40ml-prod-project.iam.gserviceaccount.com:getIamPolicy`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(501);
      expect(await res.text()).toMatch(/query differed/);
      expect(cloud.misses).toHaveLength(1);
    } finally {
      await cloud.close();
    }
  });
});
