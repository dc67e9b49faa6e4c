import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import check, { makeServicebusFixCheck } from '../../../checks/values/servicebus-fix.js';
import { refFromTag } from '../../../checks/values/support/tag-ref.js';
import { SERVICEBUS_FIX_COMMIT, verifyCommands } from '../../../src/model-engine/servicebus.js';
import { buildProgram } from '../../../src/cli.js';
import { createPorts } from '../../../src/run/ports.js';
import { createCommitsPort, githubApiUrlFromEnv } from '../../../src/sources/commits/index.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { fakeGithub, makeHistory, UNREACHABLE_GITHUB, type FakeGithub, type GitHistory } from '../../sources/commits-fixtures.js';

// Never the real GitHub: every port built here, directly or from the environment, talks to loopback only.
process.env.MED_GITHUB_API_URL = UNREACHABLE_GITHUB;

const GOOD = 'fixtures/values/azure-good.yaml';
const v = (name: string) => `fixtures/values/${name}.yaml`;
const TAG = { kind: 'HelmValues', name: 'tag' };

let h: GitHistory;
let gh: FakeGithub;
beforeAll(async () => {
  h = await makeHistory();
  // Recorded answers of GET /repos/scaleapi/llm-engine/compare/9deb59f1…...<head>.
  gh = await fakeGithub({
    a82369619a365b79a45e49ef6af1045653102615: 'ahead', // azure-good.yaml's tag (HEAD, 2026-07-01)
    a8236961: 'ahead', // the Harbor tag's short SHA
    '1fefec11ee6c195ba411d1510544bb4fbb19277e': 'behind', // #765, the day before the fix
  });
});
afterAll(async () => {
  await gh.close();
  await h.cleanup();
});

describe('values/servicebus-fix with a local clone (--llm-engine-repo)', () => {
  // The clone made here does not contain 9deb59f1, so the check is built for this history's fix commit.
  const ports = () => ({ commits: createCommitsPort({ repoPath: h.dir, githubApiUrl: githubApiUrlFromEnv() }) });

  it('passes for a tag after the fix, a tag name and a Harbor tag of a later commit', async () => {
    const c = makeServicebusFixCheck(h.fix);
    for (const tag of [h.after, 'v1.0.0', `1.0.0-20260301-${h.after.slice(0, 8)}`, h.fix]) {
      const [r] = await runCase(c, { name: tag, values: [GOOD], set: [`tag=${tag}`], ports: ports() });
      expect(r).toMatchObject({ status: 'pass', messageId: 'included', object: TAG });
      expect(r!.message).toContain(`decided by git ${h.dir}`);
    }
  });

  it('fails for a tag before the fix and for a branch that never got it', async () => {
    const c = makeServicebusFixCheck(h.fix);
    for (const tag of [h.base, h.old]) {
      const [r] = await runCase(c, { name: tag, values: [GOOD], set: [`tag=${tag}`], ports: ports() });
      expect(r).toMatchObject({ status: 'fail', messageId: 'notIncluded', object: TAG });
      expect(r!.message).toContain('503');
      expect(r!.evidence).toContainEqual(expect.objectContaining({ type: 'values', path: 'tag', source: expect.objectContaining({ file: `--set tag=${tag}` }) }));
    }
  });

  it('createPorts wires --llm-engine-repo (options.extra.llmEngineRepo) to the clone', async () => {
    const p = await createPorts({ options: { canary: false, exec: false, cloudApi: false, network: 'loopback', extra: { llmEngineRepo: h.dir } }, signal: new AbortController().signal });
    const [r] = await runCase(makeServicebusFixCheck(h.fix), { name: '', values: [GOOD], set: [`tag=${h.after}`], ports: p });
    expect(r).toMatchObject({ status: 'pass', messageId: 'included' });
  });
});

describe('values/servicebus-fix against GitHub (loopback)', () => {
  const ports = () => ({ commits: createCommitsPort({ githubApiUrl: gh.url }) });

  testCheck(check, {
    valid: [
      {
        name: 'azure-good.yaml: GitHub says "ahead"',
        values: [GOOD],
        // A getter: the fake server's port is known only after beforeAll.
        get ports() {
          return ports();
        },
      },
    ],
    invalid: [
      {
        name: 'the #765 image: GitHub says "behind"',
        values: [GOOD, v('servicebus-fix-old-tag')],
        get ports() {
          return ports();
        },
        errors: [{ messageId: 'notIncluded', status: 'fail', object: TAG }],
      },
      {
        name: 'no clone, GitHub unreachable',
        values: [GOOD],
        ports: { commits: createCommitsPort({ githubApiUrl: UNREACHABLE_GITHUB }) },
        errors: [{ messageId: 'unverified', status: 'warn', object: TAG }],
      },
      { name: 'no commits lookup in the run at all', values: [GOOD], errors: [{ messageId: 'unverified', status: 'warn', object: TAG }] },
      { name: 'tag: latest names no commit', values: [GOOD, v('servicebus-fix-latest')], errors: [{ messageId: 'noCommit', status: 'warn', object: TAG }] },
    ],
  });

  it('asks GitHub for the short SHA of a Harbor tag', async () => {
    const [r] = await runCase(check, { name: '', values: [GOOD, v('servicebus-fix-harbor-tag')], ports: ports() });
    expect(r).toMatchObject({ status: 'pass', messageId: 'included' });
    expect(gh.requests).toContain(`/repos/scaleapi/llm-engine/compare/${SERVICEBUS_FIX_COMMIT}...a8236961?per_page=1`);
    expect(r!.evidence).toContainEqual({ type: 'probe', target: `github ${gh.url}`, detail: 'harbor a8236961: compare 9deb59f1...a8236961: status "ahead"' });
  });

  it('unverified: never a silent pass, and says exactly how to check', async () => {
    const [r] = await runCase(check, { name: '', values: [GOOD], namespace: 'model-engine', ports: { commits: createCommitsPort({ githubApiUrl: UNREACHABLE_GITHUB }) } });
    expect(r!.status).toBe('warn');
    expect(r!.message).toContain('git: no local clone given (--llm-engine-repo); github: GitHub is not reachable');
    if (r!.status !== 'warn') throw new Error('expected warn');
    expect(r!.remediation.commands).toEqual(verifyCommands(SERVICEBUS_FIX_COMMIT, 'a82369619a365b79a45e49ef6af1045653102615', 'model-engine'));
    expect(r!.remediation.commands![0]).toBe(
      'git -C <llm-engine clone> merge-base --is-ancestor 9deb59f1677913c071c9570ab80aa70c4698e2a6 a82369619a365b79a45e49ef6af1045653102615 && echo included || echo NOT included',
    );
    expect(r!.remediation.commands![1]).toContain('https://api.github.com/repos/scaleapi/llm-engine/compare/9deb59f1677913c071c9570ab80aa70c4698e2a6...a82369619a365b79a45e49ef6af1045653102615');
    expect(r!.remediation.summary).toContain('--llm-engine-repo');
  });

  it('skips without a tag (values/image-tag reports it) and does not run off Azure', async () => {
    const [noTag] = await runCase(check, { name: '', values: [GOOD], set: ['tag=null'] });
    expect(noTag).toMatchObject({ status: 'skip', messageId: 'noTag' });
    const [aws] = await runCase(check, { name: '', values: ['fixtures/values/aws-good.yaml'] });
    expect(aws).toMatchObject({ status: 'skip', messageId: 'notApplicable' });
  });
});

describe('refFromTag', () => {
  it.each<[unknown, ReturnType<typeof refFromTag>]>([
    ['a82369619a365b79a45e49ef6af1045653102615', { ref: 'a82369619a365b79a45e49ef6af1045653102615', kind: 'sha' }],
    ['e83eccbc8959f90ebbe4bda618b61ec6ee2d8394-triton', { ref: 'e83eccbc8959f90ebbe4bda618b61ec6ee2d8394', kind: 'sha' }],
    ['1.0.0-20260701-a8236961', { ref: 'a8236961', kind: 'harbor' }],
    ['v1.2.3-20260101-9deb59f1677', { ref: '9deb59f1677', kind: 'harbor' }],
    ['9deb59f1', { ref: '9deb59f1', kind: 'short-sha' }],
    ['v1.0.0', { ref: 'v1.0.0', kind: 'name' }],
    ['1.0.0', { ref: '1.0.0', kind: 'name' }],
    ['latest', undefined],
    ['', undefined],
    [null, undefined],
    ['has space', undefined],
    ['../../etc', undefined],
  ])('refFromTag(%p)', (tag, want) => expect(refFromTag(tag)).toEqual(want));
});

describe('--llm-engine-repo', () => {
  it('lands in opts.extra.llmEngineRepo', () => {
    const program = buildProgram({ debug: false, signal: new AbortController().signal, streams: { stdout: process.stdout, stderr: process.stderr }, setExit: () => {} });
    for (const name of ['preflight', 'triage']) {
      const cmd = program.commands.find((c) => c.name() === name)!;
      cmd.parseOptions(['-f', 'values.yaml', '--llm-engine-repo', '/src/llm-engine']);
      expect(cmd.opts().extra).toEqual({ llmEngineRepo: '/src/llm-engine' });
    }
  });
});
