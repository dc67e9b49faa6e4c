import { describe, expect, it } from '@jest/globals';
import check, { imageProblem, resolvedImage } from '../../../checks/chart/images.js';
import { createChartPort } from '../../../src/sources/helm/render.js';
import { resolve } from 'node:path';
import { runCase, testCheck } from '../../support/check-tester.js';
import { describeWithHelm, fixtureChartPort, REPO } from '../../support/helm.js';
import { itSkipsWithoutChart, simulatedChart } from '../../support/chart-cases.js';

const SAMPLE = 'fixtures/values/values_sample.yaml';
const NS = 'model-engine';

describeWithHelm('chart/images on the shared chart 0.2.7', ({ helm, chart }) => {
  const port = (files: string[]) => ({ chart: fixtureChartPort(helm, chart, files) });
  testCheck(check, {
    valid: [{ name: 'values_sample.yaml: every rendered image is well-formed and in the doctor\'s list', values: [SAMPLE], namespace: NS, ports: port([SAMPLE]) }],
    invalid: [
      {
        name: 'image.gatewayRepository unset: the gateway, cacher, autoscaler and jobs render ":<tag>"',
        values: [SAMPLE, 'fixtures/values/chart-image-no-repository.yaml'],
        namespace: NS,
        ports: port([SAMPLE, 'fixtures/values/chart-image-no-repository.yaml']),
        errors: [{ messageId: 'malformed', object: { kind: 'Deployment', name: 'model-engine-cacher' } }],
      },
    ],
  });

  it('one finding per malformed image, naming every workload that pulls it', async () => {
    const files = [SAMPLE, 'fixtures/values/chart-image-no-repository.yaml'];
    const rs = await runCase(check, { name: 'x', values: files, namespace: NS, ports: port(files) });
    const bad = rs.filter((r) => r.messageId === 'malformed');
    expect(bad).toHaveLength(1);
    expect(bad[0]!.message).toMatch(/^Deployment model-engine-cacher and \d+ more \(container model-engine-cacher\) has an image with no repository/);
    expect(bad[0]!.message).toContain('":e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4"');
  });

  it("tag unset is values/image-tag's finding: a skip here, not a second failure", async () => {
    const port = createChartPort({ chartPath: chart, release: 'model-engine', namespace: NS, flags: { files: [resolve(REPO, SAMPLE)], set: ['tag=null'] }, helm });
    const rs = await runCase(check, { name: 'x', values: [SAMPLE], set: ['tag=null'], namespace: NS, ports: { chart: port } });
    expect(rs.map((r) => `${r.status} ${r.messageId}`)).toEqual(['skip tagUnset']);
  });
});

const simulated = (manifest: string) => simulatedChart(manifest, NS);

const EXTRA_IMAGE = `---
# Source: model-engine/templates/gateway_deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: model-engine
spec:
  template:
    spec:
      initContainers:
        - name: wait-for-db
          image: docker.io/library/postgres:16-alpine
      containers:
        - name: model-engine
          image: "public.ecr.aws/b2z8n5q1/model-engine:e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4"
`;

testCheck(check, {
  valid: [{ name: 'a render whose images are all known (simulated render)', values: [SAMPLE], ports: { chart: simulated(EXTRA_IMAGE.replace(/ {6}initContainers:\n.*\n.*\n/, '')) } }],
  invalid: [
    {
      name: 'an image the doctor\'s list does not know (simulated render: a newer chart adds an init container)',
      values: [SAMPLE],
      ports: { chart: simulated(EXTRA_IMAGE) },
      errors: [{ messageId: 'notCovered', status: 'warn', object: { kind: 'Image', name: 'docker.io/library/postgres:16-alpine' } }],
    },
  ],
});

describe('image references', () => {
  it.each<[string | undefined, boolean, ReturnType<typeof imageProblem>]>([
    ['repo/model-engine:abc', false, undefined],
    ['repo/model-engine:', false, 'emptyTag'],
    [':abc', false, 'emptyRepository'],
    ['repo/x:<no value>', false, 'templateError'],
    ['repo/x:a b', false, 'whitespace'],
    ['repo/model-engine:${GIT_TAG}', true, undefined],
    ['repo/model-engine:${GIT_TAG}', false, 'unresolvedVariable'],
    ['${IMAGE}', true, undefined],
    ['repo/x:${SOMETHING_NEW}', true, 'unresolvedVariable'],
    ['localhost:5000/x@sha256:abc', false, undefined],
    [undefined, false, 'missing'],
  ])('%s (endpoint template %s) → %s', (image, endpoint, want) => expect(imageProblem(image, endpoint)).toBe(want));

  it('fills ${GIT_TAG} from tag, leaves per-endpoint images alone', () => {
    const values = { get: (p: string) => (p === 'tag' ? 'abc' : undefined) } as never;
    expect(resolvedImage('r/model-engine:${GIT_TAG}', values)).toBe('r/model-engine:abc');
    expect(resolvedImage('${IMAGE}', values)).toBeUndefined();
  });
});

itSkipsWithoutChart(check);
