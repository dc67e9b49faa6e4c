import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import check, { parseGsa, s3EndpointProblem } from '../../../checks/values/gcp-onprem.js';
import type { CheckResult } from '../../../src/engine/index.js';
import { runCase, type CheckCase } from '../../support/check-tester.js';

const GCP = 'fixtures/values/gcp-good.yaml';
const ONPREM = 'fixtures/values/onprem-good.yaml';
const v = (name: string) => `fixtures/values/${name}.yaml`;
const run = (c: Omit<CheckCase, 'name'>) => runCase(check, { name: '', ...c });
const problems = (rs: CheckResult[]) => rs.filter((r) => r.status === 'fail' || r.status === 'warn').map((r) => `${r.status} ${r.messageId} ${r.object?.name}`);

// Every run on these clouds warns once that custom image builds do not work (matrix imageBuilds: false); a
// good file is one with no other finding. testCheck's "no warnings" rule cannot express that, so the cases are spelt out.
describe('values/gcp-onprem: good files', () => {
  it.each([
    ['gcp-good.yaml', GCP, 'GCP'],
    ['onprem-good.yaml', ONPREM, 'On-prem'],
  ])('%s: passes, and only says once that image builds are unsupported', async (_n, file, display) => {
    const rs = await run({ values: [file] });
    expect(problems(rs)).toEqual(['warn imageBuildsUnsupported config.values.infra.cloud_provider']);
    expect(rs.filter((r) => r.status === 'pass').length).toBeGreaterThan(0);
    const w = rs.find((r) => r.messageId === 'imageBuildsUnsupported')!;
    expect(w.message).toContain(`Custom image builds do not work on ${display}`);
    expect(w.message).toContain('NotImplementedError');
    expect(w.severity).toBe('low');
  });

  it('gcp-good.yaml: both ServiceAccounts get their Google identity from the chart keys', async () => {
    const rs = await run({ values: [GCP] });
    expect(rs.filter((r) => r.messageId === 'gsaOk').map((r) => r.object?.name)).toEqual(['gcp.iam_service_account', 'gcp.inference_service_account']);
  });

  it('does not run on AWS or Azure', async () => {
    const [r] = await run({ values: ['fixtures/values/aws-good.yaml'] });
    expect(r).toMatchObject({ status: 'skip', messageId: 'notApplicable' });
  });
});

describe('values/gcp-onprem: problems', () => {
  it.each<[string, Omit<CheckCase, 'name'>, string[]]>([
    [
      'a GSA without .iam., next to the manual annotation',
      { values: [GCP, v('gcp-onprem-bad-gsa')] },
      [
        'fail gsaMalformed gcp.iam_service_account',
        'fail gsaAnnotationConflict serviceAccount.annotations["iam.gke.io/gcp-service-account"]',
        'warn imageBuildsUnsupported config.values.infra.cloud_provider',
      ],
    ],
    [
      "the matrix's manual annotation repeating gcp.iam_service_account",
      { values: [GCP, v('gcp-onprem-manual-annotation')] },
      ['warn gsaAnnotationDuplicate serviceAccount.annotations["iam.gke.io/gcp-service-account"]', 'warn imageBuildsUnsupported config.values.infra.cloud_provider'],
    ],
    [
      'no Google service account anywhere (reported once, for the key both ServiceAccounts fall back to)',
      { values: [GCP, v('gcp-onprem-no-gsa')] },
      ['fail gsaMissing gcp.iam_service_account', 'warn imageBuildsUnsupported config.values.infra.cloud_provider'],
    ],
    ['on-prem without s3EndpointUrl', { values: [ONPREM, v('gcp-onprem-no-s3-endpoint')] }, ['fail s3EndpointMissing s3EndpointUrl', 'warn imageBuildsUnsupported config.values.infra.cloud_provider']],
    ['on-prem s3EndpointUrl without a scheme', { values: [ONPREM, v('gcp-onprem-bad-s3-endpoint')] }, ['fail s3EndpointMalformed s3EndpointUrl', 'warn imageBuildsUnsupported config.values.infra.cloud_provider']],
    [
      'values_sample.yaml on GCP: no GSA at all',
      { values: [v('values_sample')], cloud: 'gcp' },
      ['fail gsaMissing gcp.iam_service_account', 'warn imageBuildsUnsupported config.values.infra.cloud_provider'],
    ],
  ])('%s', async (_n, c, want) => {
    const rs = await run(c);
    expect(problems(rs)).toEqual(want);
    for (const r of rs) if ((r.status === 'fail' || r.status === 'warn') && r.remediation.values) expect(() => parse(r.remediation.values!)).not.toThrow();
  });

  it('shows where s3EndpointUrl was set and what to write instead', async () => {
    const rs = await run({ values: [ONPREM, v('gcp-onprem-bad-s3-endpoint')] });
    const r = rs.find((x) => x.messageId === 's3EndpointMalformed')!;
    expect(r.message).toContain('has no scheme');
    expect(r.evidence[0]).toMatchObject({ path: 's3EndpointUrl', source: { file: expect.stringContaining('gcp-onprem-bad-s3-endpoint.yaml'), line: 2 } });
    expect(r.status === 'fail' && parse(r.remediation.values!)).toEqual({ s3EndpointUrl: 'http://minio.minio.svc.cluster.local:9000' });
  });

  it('a missing key is evidence with missing: true', async () => {
    const rs = await run({ values: [GCP, v('gcp-onprem-no-gsa')] });
    const r = rs.find((x) => x.messageId === 'gsaMissing')!;
    expect(r.evidence).toContainEqual(expect.objectContaining({ path: 'gcp.iam_service_account', missing: true }));
  });
});

describe('GSA and S3 endpoint formats', () => {
  it.each<[string, { name: string; project: string } | string]>([
    ['model-engine@acme-ml-prod.iam.gserviceaccount.com', { name: 'model-engine', project: 'acme-ml-prod' }],
    ['llm-endpoints@acme-ml-prod.iam.gserviceaccount.com', { name: 'llm-endpoints', project: 'acme-ml-prod' }],
    ['engine@my-project.example.com.iam.gserviceaccount.com', { name: 'engine', project: 'my-project.example.com' }],
    ['model-engine@acme-ml-prod.gserviceaccount.com', 'does not end in .iam.gserviceaccount.com'],
    ['123456789012-compute@developer.gserviceaccount.com', 'is a default (Compute Engine or App Engine) service account'],
    ['model-engine', 'is not an email'],
    ['me@acme-ml-prod.iam.gserviceaccount.com', 'has an invalid name or project'],
    ['Model-Engine@acme-ml-prod.iam.gserviceaccount.com', 'has an invalid name or project'],
    ['model-engine@acme.iam.gserviceaccount.com', 'has an invalid name or project'],
  ])('%s', (email, want) => {
    const r = parseGsa(email);
    if (typeof want === 'string') expect('problem' in r && r.problem).toEqual(expect.stringContaining(want));
    else expect(r).toEqual({ gsa: want });
  });

  it.each<[unknown, string | undefined]>([
    ['http://minio.llm-engine-infra.svc.cluster.local:9000', undefined],
    ['https://s3.rgw.dc1.acme.internal', undefined],
    ['https://s3.rgw.dc1.acme.internal/', undefined],
    ['minio:9000', 'has no scheme'],
    ['s3://llm-engine', 'uses s3://'],
    ['http://minio:9000/llm-engine', 'has a path'],
    ['http://admin:minio123@minio:9000', 'carries credentials'],
    ['', 'is empty'],
  ])('s3EndpointUrl %p', (url, want) => {
    const p = s3EndpointProblem(url);
    if (want === undefined) expect(p).toBeUndefined();
    else expect(p).toEqual(expect.stringContaining(want));
  });
});
