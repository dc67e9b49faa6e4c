import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import check, { makeTemplateVariablesCheck } from '../../../checks/chart/template-variables.js';
import { BASELINE_VARIABLES, INTRODUCED_VARIABLES, templateVariables } from '../../../checks/chart/support/template-variables.js';
import { createCommitsPort } from '../../../src/sources/commits/index.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { makeHistory, type GitHistory } from '../../sources/commits-fixtures.js';

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
