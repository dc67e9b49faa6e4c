import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import check, { makeTemplateVariablesCheck } from '../../../checks/chart/template-variables.js';
import { BASELINE_VARIABLES, INTRODUCED_VARIABLES, templateVariables } from '../../../checks/chart/support/template-variables.js';
import { createCommitsPort } from '../../../src/sources/commits/index.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { makeHistory, type GitHistory } from '../../sources/commits-fixtures.js';
import { editedChart } from '../../support/chart-cases.js';
import { describeWithHelm, fixtureChartPort } from '../../support/helm.js';

const SAMPLE = 'fixtures/values/values_sample.yaml';
const SKEW = 'fixtures/clusters/chart-image-skew';
const NONE = createCommitsPort({ githubApiUrl: '' });

testCheck(check, {
  valid: [
    // facts §10.2: a8236961 is llm-engine main at #849, chart 0.2.7's own commit.
    { name: 'tag at chart 0.2.7\'s commit a8236961 (table of known tags; no clone, no GitHub)', values: [SAMPLE], set: ['tag=a82369619a365b79a45e49ef6af1045653102615'], ports: { commits: NONE } },
    { name: 'triage on the demo cluster: its installed templates use no newer variable', snapshot: 'fixtures/clusters/demo-aws', ports: { commits: NONE } },
  ],
  invalid: [
    // facts §10.2: values_sample.yaml's tag e360bfb1 is not on main and predates #836 and #849.
    { name: "values_sample.yaml's own tag against chart 0.2.7", values: [SAMPLE], ports: { commits: NONE }, errors: [{ messageId: 'notSupplied' }] },
    { name: 'an unknown commit and nothing to ask: unverified, with the commands', values: [SAMPLE], set: ['tag=0123456789abcdef0123456789abcdef01234567'], ports: { commits: NONE }, errors: [{ messageId: 'unverified', status: 'warn' }] },
    { name: 'a tag that names no commit', values: [SAMPLE], set: ['tag=latest'], ports: { commits: NONE }, errors: [{ messageId: 'noCommit', status: 'warn' }] },
    {
      name: 'triage: the installed template ConfigMap and the gateway image (no values)',
      snapshot: SKEW,
      namespace: 'model-engine',
      ports: { commits: NONE },
      errors: [{ messageId: 'notSupplied', object: { kind: 'ConfigMap', namespace: 'model-engine', name: 'model-engine-service-template-config' } }],
    },
  ],
});

describe('chart/template-variables through a real clone (--llm-engine-repo)', () => {
  let h: GitHistory;
  beforeAll(async () => {
    h = await makeHistory();
  });
  afterAll(async () => {
    await h.cleanup();
  });
  // The same rule with the introductions placed on the test repository's history: base → fix → after.
  const intro = () => [
    { ...INTRODUCED_VARIABLES[0]!, commit: h.fix },
    { ...INTRODUCED_VARIABLES[1]!, commit: h.after },
  ];
  const port = () => createCommitsPort({ repoPath: h.dir, githubApiUrl: '' });

  it('a tag before both introductions fails naming both variables, their PRs and commits', async () => {
    const [r] = await runCase(makeTemplateVariablesCheck(intro(), {}), { name: 'x', values: [SAMPLE], set: [`tag=${h.base}`], ports: { commits: port() } });
    expect(r).toMatchObject({ status: 'fail', messageId: 'notSupplied' });
    expect(r!.message).toContain(`\${FORWARDER_MAX_CONCURRENCY} (#836, ${h.fix}) and \${DD_ENV} (#849, ${h.after})`);
    expect(r!.message).toContain('every endpoint build ends UPDATE_FAILED');
    expect(r!.message).toContain('chart 0.2.7, assumed');
  });

  it('a tag with only the first: fails for DD_ENV alone', async () => {
    const [r] = await runCase(makeTemplateVariablesCheck(intro(), {}), { name: 'x', values: [SAMPLE], set: [`tag=${h.fix}`], ports: { commits: port() } });
    expect(r!.message).toContain('cannot fill ${DD_ENV}');
    expect(r!.message).not.toContain('FORWARDER_MAX_CONCURRENCY}');
  });

  it('a tag after both passes, decided by git', async () => {
    const [r] = await runCase(makeTemplateVariablesCheck(intro(), {}), { name: 'x', values: [SAMPLE], set: [`tag=${h.after}`], ports: { commits: port() } });
    expect(r).toMatchObject({ status: 'pass', messageId: 'supplied' });
    expect(r!.message).toContain(`decided by git ${h.dir}`);
  });
});

describe('chart/template-variables on a live cluster', () => {
  it("adds the builder's KeyError log line as evidence", async () => {
    const [r] = await runCase(check, { name: 'x', snapshot: SKEW, namespace: 'model-engine', ports: { commits: NONE } });
    expect(r!.evidence).toContainEqual(expect.objectContaining({ type: 'log', line: "KeyError: 'FORWARDER_MAX_CONCURRENCY'" }));
    expect(r!.message).toContain('ConfigMap model-engine/model-engine-service-template-config');
  });

  it('reads ${VARS} of a template text', () => {
    expect(templateVariables('a: ${A}\nb: $${ESCAPED}\n${B}')).toEqual(['A', 'B']);
    expect(BASELINE_VARIABLES).not.toContain('DD_ENV');
  });
});

describeWithHelm('chart/template-variables on the shared chart 0.2.7, edited as a fork would render it', ({ helm, chart }) => {
  const TAG = 'tag=a82369619a365b79a45e49ef6af1045653102615';
  const fork = (name: string, edit: Parameters<typeof editedChart>[1]) => ({ name, values: [SAMPLE], set: [TAG], namespace: 'model-engine', ports: { commits: NONE, chart: editedChart(fixtureChartPort(helm, chart, [SAMPLE]), edit) } });
  /** A fork's endpoint template using a variable no model-engine commit the doctor knows supplies. */
  const newVariable = fork('a fork adds ${MODEL_CACHE_WARMUP} to the sync template (simulated: real render, line added)', (os) => {
    const cm = os.find((o) => o.object.metadata.name === 'model-engine-service-template-config')!.object as unknown as { data: Record<string, string> };
    cm.data['deployment-runnable-image-sync-gpu.yaml'] += '\n# warm-up: ${MODEL_CACHE_WARMUP}';
    return os;
  });
  testCheck(check, {
    valid: [{ name: 'the real render at the chart\'s own commit', values: [SAMPLE], set: [TAG], namespace: 'model-engine', ports: { commits: NONE, chart: fixtureChartPort(helm, chart, [SAMPLE]) } }],
    invalid: [
      { ...fork('a chart that renders no endpoint templates (simulated: real render, template ConfigMap removed)', (os) => os.filter((o) => !o.object.metadata.name.endsWith('-service-template-config'))), errors: [{ messageId: 'noTemplates', status: 'skip' }] },
      { ...newVariable, errors: [{ messageId: 'unknownVariables', status: 'warn', severity: 'medium', object: { kind: 'ConfigMap', namespace: 'model-engine', name: 'model-engine-service-template-config' } }] },
    ],
  });

  it('an unknown variable is named, with the grep that shows whether the tag supplies it', async () => {
    const [r] = await runCase(check, newVariable);
    expect(r!.message).toBe('The endpoint templates (rendered chart) use ${MODEL_CACHE_WARMUP}, which the doctor does not know: it cannot tell whether image tag a82369619a365b79a45e49ef6af1045653102615 supplies them');
    expect(r!.remediation?.commands).toEqual(["git -C <llm-engine clone> grep -n 'MODEL_CACHE_WARMUP' a82369619a365b79a45e49ef6af1045653102615 -- model-engine/model_engine_server"]);
  });
});
