/**
 * The mirror plan (pure) and `model-engine-doctor mirror-plan` end to end: text, and a bash script that is
 * syntactically valid, copies every image at its exact tag, creates ECR repositories only when missing, and does
 * nothing on a second run (fake skopeo/aws on PATH record what the script does).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli.js';
import { imageSet, type ValuesLike } from '../../../src/model-engine/images.js';
import { createRepositoryCommands, mirrorTarget, planMirror, renderMirrorScript } from '../../../src/model-engine/mirror-plan.js';
import { loadValuesFiles } from '../../../src/sources/values/load.js';
import { fixture } from '../../support/check-tester.js';

const ECR = '111122223333.dkr.ecr.us-east-1.amazonaws.com';
const SHA = 'a82369619a365b79a45e49ef6af1045653102615';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await main(args, { stdout, stderr });
  return { code, out, err };
}

describe('planMirror', () => {
  it('copies Scale\'s images into the mirror when the values still point at Scale, and says which values to change', async () => {
    const values = await loadValuesFiles([fixture('fixtures/values/values_sample.yaml')], []);
    const plan = planMirror(imageSet({ values }), { mirrorTo: `${ECR}/ml` });
    const me = plan.steps.find((s) => s.key === 'model-engine')!;
    expect(me).toMatchObject({
      source: 'public.ecr.aws/b2z8n5q1/model-engine:e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4',
      target: `${ECR}/ml/model-engine:e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4`,
      repository: 'ml/model-engine',
      inPlace: false,
    });
    expect(plan.valuesSnippet).toContain(`gatewayRepository: ${ECR}/ml/model-engine`);
    expect(plan.valuesSnippet).toContain(`docker_repo_prefix: ${ECR}/ml`);
    expect(plan.createRepositories).toContain(
      `aws ecr describe-repositories --region us-east-1 --repository-names ml/model-engine >/dev/null 2>&1 || aws ecr create-repository --region us-east-1 --repository-name ml/model-engine`,
    );
    const kaniko = plan.steps.find((s) => s.key === 'kaniko');
    expect(kaniko?.note).toMatch(/hard-coded.*containerd hosts\.toml/);
  });

  it('fills an install that already points at its mirror: copies from the upstream sources, no values to change', async () => {
    const values = await loadValuesFiles([fixture('fixtures/values/images-ecr-mirrored.yaml')], []);
    const plan = planMirror(imageSet({ values }));
    expect(plan.target).toEqual({ prefix: ECR, host: ECR, type: 'ecr' });
    const byKey = Object.fromEntries(plan.steps.map((s) => [s.ref, s]));
    expect(byKey[`${ECR}/model-engine:${SHA}`]).toMatchObject({ source: `public.ecr.aws/b2z8n5q1/model-engine:${SHA}`, inPlace: true, sourceVerified: true });
    expect(byKey[`${ECR}/vllm:0.6.1.post2`]).toMatchObject({ source: 'public.ecr.aws/b2z8n5q1/vllm:0.6.1.post2', sourceVerified: false });
    expect(byKey[`${ECR}/vllm:0.6.1.post2`]?.note).toMatch(/assumed source/);
    // Utility images still at their public defaults: copied into the mirror and redirected by values.
    expect(byKey['curlimages/curl:7.72.0']).toMatchObject({ target: `${ECR}/curlimages/curl:7.72.0`, inPlace: false });
    expect(plan.valuesSnippet).toContain(`repository: ${ECR}/curlimages/curl`);
    expect(plan.valuesSnippet).not.toContain('gatewayRepository');
  });

  it('takes Scale\'s images from --mirror-from', async () => {
    const values = await loadValuesFiles([fixture('fixtures/values/images-ecr-mirrored.yaml')], []);
    const plan = planMirror(imageSet({ values }), { mirrorFrom: 'registry.partner.example/scale' });
    expect(plan.steps.find((s) => s.key === 'vllm')).toMatchObject({ source: 'registry.partner.example/scale/vllm:0.6.1.post2', sourceVerified: true });
  });

  it.each([
    ['ECR', `${ECR}`, ['vllm'], [`aws ecr describe-repositories --region us-east-1 --repository-names vllm >/dev/null 2>&1 || aws ecr create-repository --region us-east-1 --repository-name vllm`]],
    [
      'GAR (one repository holds every image)',
      'us-docker.pkg.dev/acme-ml/model-engine',
      ['vllm', 'model-engine'],
      [
        'gcloud artifacts repositories describe model-engine --location=us --project=acme-ml >/dev/null 2>&1 || gcloud artifacts repositories create model-engine --repository-format=docker --location=us --project=acme-ml',
      ],
    ],
    ['ACR (none needed)', 'acme.azurecr.io', ['vllm'], []],
    ['a generic registry', 'harbor.acme.internal/ml', ['vllm'], []],
  ])('createRepositoryCommands: %s', (_n, prefix, repos, out) => {
    expect(createRepositoryCommands(mirrorTarget(prefix), repos)).toEqual(out);
  });

  it('flags a floating vLLM tag and asks for --mirror-to when no mirror is known', () => {
    const v: ValuesLike = { get: (k) => ({ tag: 't', 'image.gatewayRepository': 'public.ecr.aws/b2z8n5q1/model-engine', 'config.values.infra.docker_repo_prefix': 'public.ecr.aws/b2z8n5q1' } as Record<string, unknown>)[k] };
    const plan = planMirror(imageSet({ values: v }));
    expect(plan.target).toBeUndefined();
    expect(plan.notes.join('\n')).toMatch(/--mirror-to/);
    expect(plan.notes.join('\n')).toMatch(/floating tag "latest"/);
    expect(renderMirrorScript(plan)).toContain('set REGISTRY');
  });
});

describe('model-engine-doctor mirror-plan', () => {
  let tmp: string;
  let bin: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'med-mirror-'));
    bin = join(tmp, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    // Fake skopeo: `inspect` succeeds for images already copied; `copy` records and "copies".
    writeFileSync(
      join(bin, 'skopeo'),
      `#!/usr/bin/env bash\nstate="${tmp}/present"\ntouch "$state"\ncase "$1" in\n  inspect) grep -qxF "$3" "$state" ;;\n  copy) echo "$@" >> "${tmp}/copies"; echo "$4" >> "$state" ;;\n  *) exit 64 ;;\nesac\n`,
    );
    // Fake aws: describe-repositories fails until create-repository ran for that name.
    writeFileSync(
      join(bin, 'aws'),
      `#!/usr/bin/env bash\nrepos="${tmp}/repos"\ntouch "$repos"\nname="\${@: -1}"\ncase "$2" in\n  describe-repositories) grep -qxF "$name" "$repos" ;;\n  create-repository) echo "$name" >> "$repos"; echo "$@" >> "${tmp}/creates" ;;\n  *) exit 64 ;;\nesac\n`,
    );
    chmodSync(join(bin, 'skopeo'), 0o755);
    chmodSync(join(bin, 'aws'), 0o755);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('prints the plan as text by default', async () => {
    const r = await cli(['mirror-plan', '-f', fixture('fixtures/values/values_sample.yaml'), '--mirror-to', ECR]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Mirror plan into ${ECR} (ecr)`);
    expect(r.out).toContain(`skopeo copy --all docker://public.ecr.aws/b2z8n5q1/model-engine:e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4 docker://${ECR}/model-engine:e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4`);
    expect(r.out).toContain('crane copy public.ecr.aws/b2z8n5q1/model-engine:');
    expect(r.out).toContain('# or: docker pull public.ecr.aws/b2z8n5q1/model-engine:');
    expect(r.out).toContain(`gatewayRepository: ${ECR}/model-engine`);
  });

  it('writes an idempotent script: copies each image once, creates missing repositories once', async () => {
    const r = await cli(['mirror-plan', '-f', fixture('fixtures/values/images-ecr-mirrored.yaml'), '--framework-tag', 'vllm=0.6.3', '-o', 'script']);
    expect(r.code).toBe(0);
    const script = join(tmp, 'mirror.sh');
    writeFileSync(script, r.out);
    execFileSync('bash', ['-n', script]);
    expect(r.out).toMatch(/^#!\/usr\/bin\/env bash\n/);
    expect(r.out).toContain('set -euo pipefail');
    const env = { ...process.env, PATH: `${bin}:/usr/bin:/bin`, MIRROR_TOOL: 'skopeo' };
    const first = execFileSync('bash', [script], { env, encoding: 'utf8' });
    const copies = readFileSync(join(tmp, 'copies'), 'utf8').trim().split('\n');
    expect(copies).toContain(`copy --all docker://public.ecr.aws/b2z8n5q1/vllm:0.6.3 docker://${ECR}/vllm:0.6.3`);
    expect(copies).toContain(`copy --all docker://public.ecr.aws/b2z8n5q1/model-engine:${SHA} docker://${ECR}/model-engine:${SHA}`);
    expect(copies).toContain(`copy --all docker://gcr.io/kaniko-project/executor:v1.9.1 docker://${ECR}/kaniko-project/executor:v1.9.1`);
    expect(first).toContain('mirror complete');
    const creates = readFileSync(join(tmp, 'creates'), 'utf8').trim().split('\n');
    expect(creates).toContain('ecr create-repository --region us-east-1 --repository-name llm-engine/batch-infer-vllm');
    const second = execFileSync('bash', [script], { env, encoding: 'utf8' });
    expect(readFileSync(join(tmp, 'copies'), 'utf8').trim().split('\n')).toHaveLength(copies.length);
    expect(readFileSync(join(tmp, 'creates'), 'utf8').trim().split('\n')).toHaveLength(creates.length);
    expect(second).not.toContain('copying:');
    expect(second).toContain(`present: ${ECR}/vllm:0.6.3`);
  });

  it('rejects a bad --framework-tag and needs values offline', async () => {
    const bad = await cli(['mirror-plan', '-f', fixture('fixtures/values/images-ecr-mirrored.yaml'), '--framework-tag', 'nope=1']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('bad --framework-tag "nope=1"');
    const none = await cli(['mirror-plan', '--kubeconfig', join(tmp, 'missing-kubeconfig')]);
    expect(none.code).toBe(2);
  });
});
