/**
 * model-engine installed with helm on a real control plane (EKS-shaped kwok nodes), endpoints created from the installed
 * templates as the builder creates them, and the doctor's conclusions on the states the real scheduler, admission
 * plugins and controllers produce — their own FailedScheduling and FailedCreate messages of Kubernetes v1.37.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEndpoint } from './harness/builder.js';
import { apply, e2eUnavailable, kubectl, kubectlJson } from './harness/cluster.js';
import { chartUnavailable, installModelEngine, uninstall, type Install } from './harness/install.js';
import { boundPods, crashLoop, CUSTOM_STATUS, imagePullBackOff, readinessFailing } from './harness/kubelet.js';
import { deleteEndpoint, diagnose, waitForAvailable, waitForEvent } from './harness/scenario.js';

const skip = e2eUnavailable() ?? chartUnavailable();
if (skip) process.stderr.write(`\n!!! ${skip}: test/e2e/aws-endpoints.test.ts SKIPPED\n`);

(skip ? describe.skip : describe)('AWS: endpoints on a real control plane with model-engine installed by helm', () => {
  let install: Install;
  const endpoint = createEndpoint;

  beforeAll(async () => {
    install = await installModelEngine({
      cloud: 'aws',
      // One p4d node: 8 A100s, labelled for model-engine as the operator must (facts §7).
      nodes: [{ name: 'aws-a100-0', cloud: 'aws', gpus: 8, acceleratorLabel: 'nvidia-ampere-a100', pool: 'gpu-a100' }],
    });
  }, 300_000);
  afterAll(async () => {
    if (install) await uninstall(install);
  }, 300_000);

  it('the chart installs and its control plane becomes available (helm --wait)', async () => {
    const deployments = await kubectlJson<{ items: { metadata: { name: string }; status: { availableReplicas?: number; replicas?: number } }[] }>([
      'get',
      'deployments',
      '-n',
      install.namespace,
    ]);
    const names = deployments.items.map((d) => d.metadata.name).sort();
    expect(names).toEqual(expect.arrayContaining(['model-engine', 'model-engine-cacher', 'model-engine-endpoint-builder']));
    for (const d of deployments.items.filter((x) => x.metadata.name.startsWith('model-engine'))) expect(d.status.availableReplicas).toBe(d.status.replicas);
  });

  it('a GPU endpoint made from the installed templates is HEALTHY once the real controllers run it', async () => {
    const ep = await endpoint({ name: 'llama-healthy', gpuType: 'nvidia-ampere-a100', gpus: 1, cpus: '4', memory: '32Gi' });
    await waitForAvailable(ep);
    const { code, diagnosis } = await diagnose('llama-healthy');
    expect(diagnosis.cause).toBe('HEALTHY');
    expect(code).toBe(0);
    await deleteEndpoint(ep);
  });

  describe('scheduler (real FailedScheduling messages)', () => {
    it('GPUs exhausted: INSUFFICIENT_GPU', async () => {
      const big = await endpoint({ name: 'mixtral-hog', gpuType: 'nvidia-ampere-a100', gpus: 6, cpus: '8', memory: '64Gi' });
      await waitForAvailable(big);
      const ep = await endpoint({ name: 'mixtral-starved', gpuType: 'nvidia-ampere-a100', gpus: 4, cpus: '8', memory: '64Gi' });
      const ev = await waitForEvent(ep, 'FailedScheduling');
      expect(ev.message).toMatch(/Insufficient nvidia\.com\/gpu/);
      const { code, diagnosis, text } = await diagnose('mixtral-starved');
      expect(diagnosis.cause).toBe('INSUFFICIENT_GPU');
      expect(code).toBe(3);
      expect(text).toContain('Insufficient nvidia.com/gpu');
      await deleteEndpoint(ep);
      await deleteEndpoint(big);
    });

    it('no node carries the accelerator label: NO_MATCHING_NODES', async () => {
      const ep = await endpoint({ name: 'llama-h100', gpuType: 'nvidia-hopper-h100', gpus: 1 });
      const ev = await waitForEvent(ep, 'FailedScheduling');
      expect(ev.message).toMatch(/didn't match Pod's node affinity\/selector/);
      const { diagnosis, text } = await diagnose('llama-h100');
      expect(diagnosis.cause).toBe('NO_MATCHING_NODES');
      expect(text).toContain('nvidia-hopper-h100');
      await deleteEndpoint(ep);
    });

    it('CPU and memory shortage on a CPU endpoint: INSUFFICIENT_RESOURCES', async () => {
      const ep = await endpoint({ name: 'cpu-giant', cpus: '64', memory: '512Gi' });
      const ev = await waitForEvent(ep, 'FailedScheduling');
      expect(ev.message).toMatch(/Insufficient cpu/);
      expect(ev.message).toMatch(/Insufficient memory/);
      const { diagnosis } = await diagnose('cpu-giant');
      expect(diagnosis.cause).toBe('INSUFFICIENT_RESOURCES');
      await deleteEndpoint(ep);
    });
  });

  describe('admission and controllers (real FailedCreate events of the ReplicaSet controller)', () => {
    it('a ResourceQuota on requests.nvidia.com/gpu: QUOTA_EXCEEDED', async () => {
      await apply({
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'gpu-quota', namespace: install.endpointNamespace },
        spec: { hard: { 'requests.nvidia.com/gpu': '0' } },
      });
      const ep = await endpoint({ name: 'quota-blocked', gpuType: 'nvidia-ampere-a100', gpus: 1 });
      const ev = await waitForEvent(ep, 'FailedCreate');
      expect(ev.message).toMatch(/exceeded quota: gpu-quota, requested: requests\.nvidia\.com\/gpu=1/);
      const { diagnosis, text } = await diagnose('quota-blocked');
      expect(diagnosis.cause).toBe('QUOTA_EXCEEDED');
      expect(text).toContain('gpu-quota');
      await kubectl(['delete', 'resourcequota', '-n', install.endpointNamespace, 'gpu-quota']);
      await deleteEndpoint(ep);
    });

    it('the service account the templates name is missing: MISSING_SERVICE_ACCOUNT', async () => {
      await kubectl(['delete', 'serviceaccount', '-n', install.endpointNamespace, 'model-engine']);
      const ep = await endpoint({ name: 'sa-missing', cpus: '1', memory: '1Gi' });
      const ev = await waitForEvent(ep, 'FailedCreate');
      expect(ev.message).toContain(`error looking up service account ${install.endpointNamespace}/model-engine: serviceaccount "model-engine" not found`);
      const { diagnosis } = await diagnose('sa-missing');
      expect(diagnosis.cause).toBe('MISSING_SERVICE_ACCOUNT');
      await deleteEndpoint(ep);
      await apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'model-engine', namespace: install.endpointNamespace } });
    });

    it('the priority class was deleted: MISSING_PRIORITY_CLASS', async () => {
      const pc = await kubectlJson<Record<string, unknown>>(['get', 'priorityclass', 'model-engine-default-priority']);
      await kubectl(['delete', 'priorityclass', 'model-engine-default-priority']);
      const ep = await endpoint({ name: 'no-priority', cpus: '1', memory: '1Gi' });
      const ev = await waitForEvent(ep, 'FailedCreate');
      expect(ev.message).toContain('no PriorityClass with name model-engine-default-priority was found');
      const { diagnosis, text } = await diagnose('no-priority');
      expect(diagnosis.cause).toBe('MISSING_PRIORITY_CLASS');
      expect(text).toContain('model-engine-default-priority');
      await deleteEndpoint(ep);
      const { metadata, ...rest } = pc as { metadata: { name: string; labels?: object; annotations?: object } };
      await apply({ ...rest, metadata: { name: metadata.name, labels: metadata.labels, annotations: metadata.annotations } });
    });
  });
  describe('kubelet states (simulated kubelet: kwok does not pull images or run probes; status and events written as the kubelet does)', () => {
    it('simulated kubelet: the vLLM image was never mirrored: IMAGE_PULL', async () => {
      const image = '482093716652.dkr.ecr.us-east-1.amazonaws.com/vllm:0.6.3';
      const ep = await endpoint({ name: 'mixtral-unmirrored', gpuType: 'nvidia-ampere-a100', gpus: 1, image, podAnnotations: CUSTOM_STATUS });
      const [pod] = await boundPods(ep.namespace, ep.resourceName);
      await imagePullBackOff(pod!);
      const { code, diagnosis, text } = await diagnose('mixtral-unmirrored');
      expect(diagnosis.cause).toBe('IMAGE_PULL');
      expect(code).toBe(3);
      expect(text).toContain(image);
      await deleteEndpoint(ep);
    });

    it('simulated kubelet: the model server exits over and over: CRASH_LOOP', async () => {
      const ep = await endpoint({ name: 'llama-crashing', gpuType: 'nvidia-ampere-a100', gpus: 1, podAnnotations: CUSTOM_STATUS });
      const [pod] = await boundPods(ep.namespace, ep.resourceName);
      const oom = 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.06 GiB is free.';
      await crashLoop(pod!, 'main', 7, ['INFO 12-06 10:00:01 llm_engine.py:237] Initializing an LLM engine (v0.6.3) with config: model=/workspace/model', oom]);
      // The log goes through the real API server's pods/log proxy to kwok, as it would to a kubelet.
      expect(await kubectl(['logs', '-n', ep.namespace, pod!.metadata.name, '-c', 'main', '--previous'])).toContain('CUDA out of memory');
      const { diagnosis, text } = await diagnose('llama-crashing');
      expect(diagnosis.cause).toBe('CRASH_LOOP');
      expect(text).toContain('CUDA out of memory');
      await deleteEndpoint(ep);
    });

    it('simulated kubelet: running but the readiness probe fails: READINESS_FAILING', async () => {
      const ep = await endpoint({ name: 'llama-unready', gpuType: 'nvidia-ampere-a100', gpus: 1, podAnnotations: CUSTOM_STATUS });
      const [pod] = await boundPods(ep.namespace, ep.resourceName);
      await readinessFailing(pod!);
      const { diagnosis, text } = await diagnose('llama-unready');
      expect(diagnosis.cause).toBe('READINESS_FAILING');
      expect(text).toContain('statuscode: 503');
      await deleteEndpoint(ep);
    });
  });
});
