/**
 * The `images/*-pullable` checks over values fixtures and cluster snapshots, probing a real docker-registry
 * (TLS + htpasswd) on loopback. The fixtures' registry hosts (the install's ECR, public.ecr.aws, docker.io, gcr.io)
 * are all served by that one loopback registry through the port's address override; a guard fails the test if a
 * probe would go anywhere else.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import controlPlanePullable from '../../../checks/images/control-plane-pullable.js';
import frameworkPullable from '../../../checks/images/framework-pullable.js';
import supportImagesPullable from '../../../checks/images/support-images-pullable.js';
import { parseImageRef } from '../../../src/engine/kube-types.js';
import type { ImageProbeRequest, RegistryPort } from '../../../src/engine/ports/registry.js';
import { createRegistryPort } from '../../../src/sources/registry/index.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { basic, makeCa, pusher, startRegistry, type TestCa, type TestRegistry } from '../../support/registry.js';

const ECR = '111122223333.dkr.ecr.us-east-1.amazonaws.com';
const HOSTS = [ECR, 'public.ecr.aws', 'registry-1.docker.io', 'gcr.io'];
const USER = 'mirror-bot';
const PASS = 'pull-me-please';
const SHA = 'a82369619a365b79a45e49ef6af1045653102615';

let ca: TestCa;
let reg: TestRegistry;
let tmp: string;
let withCreds: RegistryPort;
let noCreds: RegistryPort;
const probed: string[] = [];

/** Delegates to the real port once the registry runs; refuses any host the test registry does not stand in for. */
function guarded(get: () => RegistryPort): RegistryPort {
  return {
    probe(req: ImageProbeRequest, signal: AbortSignal) {
      const host = parseImageRef(req.ref).registry;
      const h = host === 'docker.io' ? 'registry-1.docker.io' : host;
      if (!HOSTS.includes(h)) throw new Error(`test would probe non-loopback registry ${host} (${req.ref})`);
      probed.push(req.ref);
      return get().probe(req, signal);
    },
  };
}

const registry = guarded(() => withCreds);
const unauthenticated = guarded(() => noCreds);

beforeAll(async () => {
  ca = makeCa(HOSTS);
  reg = await startRegistry(ca, { htpasswd: { [USER]: PASS } });
  const push = pusher(reg, ca, () => basic(USER, PASS));
  const amd = { os: 'linux', architecture: 'amd64' };
  const both = [amd, { os: 'linux', architecture: 'arm64', variant: 'v8' }];
  await push.pushImage('model-engine', SHA);
  await push.pushImage('model-engine', 'e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4');
  await push.pushIndex('vllm', '0.6.1.post2', both);
  await push.pushImage('vllm', 'latest');
  await push.pushImage('vllm', '0.6.2', { os: 'linux', architecture: 'arm64' });
  await push.pushIndex('llm-engine/batch-infer-vllm', '0.17.1-batch', both);
  for (const r of ['text-generation-inference', 'lightllm', 'tensorrt-llm', 'instant-llm']) await push.pushImage(r, 'latest');
  await push.pushImage('text-embeddings-inference', 'cpu-1.5');
  // public.ecr.aws/docker/library/busybox, public.ecr.aws/ubuntu/ubuntu, docker.io/curlimages/curl, gcr.io/kaniko-project/executor
  await push.pushIndex('docker/library/busybox', 'latest', both);
  await push.pushIndex('ubuntu/ubuntu', 'latest', both);
  await push.pushImage('curlimages/curl', '7.72.0');
  await push.pushImage('kaniko-project/executor', 'v1.9.1');
  tmp = mkdtempSync(join(tmpdir(), 'med-pullable-'));
  const dockerConfig = join(tmp, 'config.json');
  const auth = Buffer.from(`${USER}:${PASS}`).toString('base64');
  writeFileSync(dockerConfig, JSON.stringify({ auths: Object.fromEntries(HOSTS.map((h) => [h, { auth }])) }));
  const common = {
    certsDir: join(tmp, 'certs.d'),
    ca: Object.fromEntries(HOSTS.map((h) => [h, [ca.caPem]])),
    connectTo: Object.fromEntries(HOSTS.map((h) => [h, { host: '127.0.0.1', port: reg.port }])),
    logins: {
      ecr: () => Promise.reject(new Error('no AWS credentials in tests')),
    },
  };
  withCreds = createRegistryPort({ ...common, dockerConfig });
  noCreds = createRegistryPort({ ...common, dockerConfig: join(tmp, 'none.json') });
}, 60_000);

afterAll(async () => {
  await reg?.stop();
  rmSync(tmp, { recursive: true, force: true });
  rmSync(ca.dir, { recursive: true, force: true });
});

const VALUES = ['fixtures/values/images-ecr-mirrored.yaml'];

testCheck(controlPlanePullable, {
  valid: [
    { name: 'values: the control-plane image at the release tag', values: VALUES, ports: { registry } },
    { name: 'live cluster: the images the control-plane and endpoint pods run', snapshot: 'fixtures/clusters/healthy-aws', ports: { registry } },
  ],
  invalid: [
    {
      name: 'a tag that was never pushed (nearest tags listed)',
      values: VALUES,
      set: ['tag=a8236961'],
      ports: { registry },
      errors: [{ messageId: 'missingTag', status: 'fail', object: { kind: 'Image', name: `${ECR}/model-engine:a8236961` } }],
    },
    {
      name: 'a gateway repository that does not exist in the mirror',
      values: VALUES,
      set: [`image.gatewayRepository=${ECR}/model-engine-gateway`],
      ports: { registry },
      errors: [{ messageId: 'missingRepository', object: { name: `${ECR}/model-engine-gateway:${SHA}` } }],
    },
    {
      name: 'no credential the registry accepts',
      values: VALUES,
      ports: { registry: unauthenticated },
      errors: [{ messageId: 'unauthorized', object: { name: `${ECR}/model-engine:${SHA}` } }],
    },
  ],
});

testCheck(frameworkPullable, {
  valid: [
    { name: 'values: pinned framework tags, all mirrored', values: VALUES, ports: { registry } },
    { name: 'live cluster: ConfigMap tags and the endpoint containers', snapshot: 'fixtures/clusters/healthy-aws', ports: { registry } },
  ],
  invalid: [
    {
      name: 'a vLLM tag missing from the mirror',
      values: VALUES,
      set: ['inferenceFramework.vllm=0.7.0'],
      ports: { registry },
      errors: [{ messageId: 'missingTag', status: 'fail', object: { name: `${ECR}/vllm:0.7.0` } }],
    },
    {
      name: '--framework-tag naming an arm64-only image on amd64 nodes',
      values: VALUES,
      options: { extra: { frameworkTag: 'vllm=0.6.2' } },
      ports: { registry },
      errors: [{ messageId: 'platformMissing', object: { name: `${ECR}/vllm:0.6.2` } }],
    },
    {
      name: 'live cluster: an endpoint pod running a vLLM tag that was never mirrored',
      snapshot: 'fixtures/clusters/demo-aws',
      ports: { registry },
      errors: [{ messageId: 'missingTag', object: { name: `${ECR}/vllm:0.6.3` } }],
    },
  ],
});

testCheck(supportImagesPullable, {
  valid: [{ name: 'utility images and kaniko (ECR builds) present', values: VALUES, ports: { registry } }],
  invalid: [
    {
      name: 'a utility image tag that does not exist (a warning: only chart jobs use curl)',
      values: VALUES,
      set: ['utilityImages.curl.tag=7.99.0'],
      ports: { registry },
      errors: [{ messageId: 'missingTag', status: 'warn', object: { name: 'curlimages/curl:7.99.0' } }],
    },
  ],
});

describe('pullable findings in detail', () => {
  it('says which credential answered, lists nearest tags and gives the copy commands and values for a missing tag', async () => {
    const rs = await runCase(frameworkPullable, { name: 'x', values: VALUES, set: ['inferenceFramework.vllm=0.6.1'], ports: { registry } });
    const miss = rs.find((r) => r.messageId === 'missingTag');
    expect(miss?.message).toContain('nearest existing tags: 0.6.1.post2');
    expect(miss?.severity).toBe('high');
    if (miss?.status !== 'fail') throw new Error('expected a failure');
    expect(miss.remediation.values).toBe('inferenceFramework:\n  vllm: "0.6.1.post2"');
    expect(miss.remediation.commands).toContain(`skopeo copy --all docker://public.ecr.aws/b2z8n5q1/vllm:0.6.1 docker://${ECR}/vllm:0.6.1`);
    const ok = rs.find((r) => r.status === 'pass' && r.object?.name === `${ECR}/llm-engine/batch-infer-vllm:0.17.1-batch`);
    expect(ok?.message).toMatch(/checked with anonymous \(rejected: 401 .*\); docker config .* \(answered\)/);
    expect(JSON.stringify(rs)).not.toContain(PASS);
  });

  it('probes each distinct image once per run, even when gateway, builder and forwarder share it', async () => {
    probed.length = 0;
    await runCase(controlPlanePullable, { name: 'x', values: VALUES, ports: { registry } });
    expect(probed).toEqual([`${ECR}/model-engine:${SHA}`]);
  });

  it('skips with the reason when neither values nor a cluster name any image', async () => {
    const rs = await runCase(controlPlanePullable, { name: 'x', ports: { registry } });
    expect(rs.map((r) => [r.status, r.messageId])).toEqual([['skip', 'noImages']]);
  });
});
