import { describe, expect, it } from '@jest/globals';
import check, { parseGarPrefix, prefixShapeProblem } from '../../../checks/values/registry-prefix.js';
import { runCase, testCheck } from '../../support/check-tester.js';

const V = (f: string) => `fixtures/values/${f}.yaml`;
const PREFIX = { kind: 'HelmValues', name: 'config.values.infra.docker_repo_prefix' };
const key = (name: string) => ({ kind: 'HelmValues', name });

testCheck(check, {
  valid: [
    { name: 'aws-good (ECR)', values: [V('aws-good')] },
    { name: 'azure-good (ACR)', values: [V('azure-good')] },
    { name: 'gcp-good (GAR, 3 segments)', values: [V('gcp-good')] },
    { name: 'onprem-good (Harbor, docker_registry_type: onprem)', values: [V('onprem-good')] },
  ],
  invalid: [
    { name: 'GAR prefix without repository', values: [V('gcp-good'), V('registry-prefix-gar-short')], errors: [{ messageId: 'garSegments', status: 'fail', object: PREFIX }] },
    { name: 'GAR prefix with a folder inside the repository', values: [V('gcp-good'), V('registry-prefix-gar-nested')], errors: [{ messageId: 'garExtraSegments', status: 'warn', object: PREFIX }] },
    { name: 'ECR host with an 11-digit account ID', values: [V('aws-good'), V('registry-prefix-ecr-short-account')], errors: [{ messageId: 'hostMalformed', status: 'warn', object: PREFIX }] },
    {
      name: 'GAR with a full-path framework repository',
      values: [V('gcp-good'), V('registry-prefix-gar-full-path')],
      errors: [{ messageId: 'frameworkRepoFullPath', status: 'fail', object: key('config.values.launch.vllm_repository') }],
    },
    { name: 'private Harbor as Generic', values: [V('onprem-good'), V('registry-prefix-generic')], errors: [{ messageId: 'genericAnonymous', status: 'warn', object: PREFIX }] },
    {
      name: 'AWS with Harbor',
      values: [V('aws-good'), V('registry-prefix-aws-harbor')],
      errors: [
        { messageId: 'genericAnonymous', status: 'warn', object: PREFIX },
        { messageId: 'buildsUnsupported', status: 'warn', object: PREFIX },
      ],
    },
    {
      name: "the matrix's full-path repositories (ECR)",
      values: [V('aws-good'), V('registry-prefix-full-path')],
      errors: [
        { messageId: 'frameworkRepoFullPath', status: 'warn', object: key('config.values.launch.vllm_repository') },
        { messageId: 'frameworkRepoFullPath', status: 'warn', object: key('config.values.launch.tensorrt_llm_repository') },
      ],
    },
    { name: 'URL with scheme and trailing slash', values: [V('aws-good'), V('registry-prefix-scheme')], errors: [{ messageId: 'prefixMalformed', status: 'fail', object: PREFIX }] },
    { name: 'ml_account_id differs from the ECR account', values: [V('aws-good'), V('registry-prefix-ecr-account')], errors: [{ messageId: 'ecrAccountMismatch', status: 'warn', object: key('config.values.infra.ml_account_id') }] },
    {
      name: 'docker_registry_type ecr on an ACR prefix',
      values: [V('azure-good'), V('registry-prefix-type-conflict')],
      errors: [
        { messageId: 'registryTypeConflict', status: 'fail', object: key('config.values.infra.docker_registry_type') },
        { messageId: 'registryCloudMismatch', status: 'warn', object: PREFIX },
      ],
    },
    { name: 'ECR on Azure', values: [V('azure-good'), V('registry-prefix-azure-ecr')], errors: [{ messageId: 'registryCloudMismatch', status: 'warn', object: PREFIX }, { messageId: 'ecrAccountMismatch', status: 'warn', object: key('config.values.infra.ml_account_id') }] },
    { name: 'prefix missing', values: [V('aws-good')], set: ['config.values.infra.docker_repo_prefix=null'], errors: [{ messageId: 'prefixMissing', status: 'fail', object: PREFIX }] },
    { name: 'unknown docker_registry_type', values: [V('onprem-good')], set: ['config.values.infra.docker_registry_type=harbor'], errors: [{ messageId: 'registryTypeUnknown', status: 'warn' }, { messageId: 'genericAnonymous', status: 'warn', object: PREFIX }] },
    { name: 'ECR prefix with a path', values: [V('aws-good')], set: ['config.values.infra.docker_repo_prefix=482093716652.dkr.ecr.us-east-1.amazonaws.com/team'], errors: [{ messageId: 'prefixPathIgnored', status: 'warn' }] },
  ],
});

describe('pure helpers', () => {
  it.each<[string, ReturnType<typeof parseGarPrefix>]>([
    ['us-central1-docker.pkg.dev/acme-ml-prod/model-engine', { location: 'us-central1', project: 'acme-ml-prod', repository: 'model-engine', extra: [] }],
    ['us-docker.pkg.dev/p/r/sub', { location: 'us', project: 'p', repository: 'r', extra: ['sub'] }],
    ['us-docker.pkg.dev/p', { error: 'IndexError: list index out of range (2 segments, needs 3)' }],
    ['us-docker.pkg.dev', { error: 'IndexError: list index out of range (1 segment, needs 3)' }],
  ])('parseGarPrefix(%s)', (prefix, expected) => {
    expect(parseGarPrefix(prefix)).toEqual(expected);
  });

  it.each<[string, RegExp | undefined]>([
    ['482093716652.dkr.ecr.us-east-1.amazonaws.com', undefined],
    ['harbor.acme.internal:5000/llm-engine', undefined],
    ['https://acmellmengine.azurecr.io', /URL scheme/],
    ['acmellmengine.azurecr.io/', /ends with/],
    ['AcmeLlmEngine.azurecr.io', /upper-case/],
    ['harbor.acme.internal/llm-engine:v1', /tag or digest/],
    [' harbor.acme.internal', /whitespace/],
  ])('prefixShapeProblem(%p)', (prefix, problem) => {
    const p = prefixShapeProblem(prefix);
    if (problem) expect(p).toMatch(problem);
    else expect(p).toBeUndefined();
  });
});

describe('messages and remediation', () => {
  it('GAR: names the IndexError and gives the 3-segment form', async () => {
    const [r] = await runCase(check, { name: 'x', values: [V('gcp-good'), V('registry-prefix-gar-short')] });
    if (r?.status !== 'fail') throw new Error('expected a failure');
    expect(r.message).toContain('IndexError: list index out of range (2 segments, needs 3)');
    expect(r.remediation.values).toContain('docker_repo_prefix: "us-central1-docker.pkg.dev/<project>/<repository>"');
    expect(r.evidence[0]).toMatchObject({ path: 'config.values.infra.docker_repo_prefix', source: { line: 5 } });
  });

  it('full paths: the fix is the bare name (the code wins over the matrix)', async () => {
    const rs = await runCase(check, { name: 'x', values: [V('aws-good'), V('registry-prefix-full-path')] });
    const r = rs.find((x) => x.object?.name === 'config.values.launch.tensorrt_llm_repository');
    if (r?.status !== 'warn') throw new Error('expected a warning');
    expect(r.remediation.values).toBe('config:\n  values:\n    launch:\n      tensorrt_llm_repository: tensorrt-llm\n');
  });

  it('on-prem registry type passes but says existence is not checked', async () => {
    const [r] = await runCase(check, { name: 'x', values: [V('onprem-good')] });
    expect(r?.status).toBe('pass');
    expect(r?.message).toContain('image existence is not checked');
  });
});

describe('values/registry-prefix cloud mismatch wording', () => {
  it('names the credentials the registry class needs (the data key once looked like a secret name and the value was redacted)', async () => {
    const rs = await runCase(check, { name: 'x', values: [V('azure-good'), V('registry-prefix-azure-ecr')] });
    const r = rs.find((x) => x.messageId === 'registryCloudMismatch');
    expect(r?.message).toBe(
      'docker_repo_prefix is ECR but this is Azure, where the matrix expects ACR: ECRDockerRepository needs AWS credentials from the control-plane pods',
    );
  });
});
