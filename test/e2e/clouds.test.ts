/**
 * The chart installed with each cloud's values fixture on nodes shaped as that cloud's managed pools, and what only
 * that cloud does: AKS GPU pools carry the `sku=gpu:NoSchedule` taint model-engine's templates do not tolerate unless
 * `gpuTolerations` names it; GKE's `nvidia.com/gpu=present` taint is tolerated by the templates' `Exists` toleration.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Cloud } from '../../src/engine/types.js';
import { createEndpoint } from './harness/builder.js';
import { doctorJson, e2eUnavailable, kubectlJson } from './harness/cluster.js';
import { chartUnavailable, installModelEngine, uninstall, type Install } from './harness/install.js';
import { deleteEndpoint, diagnose, waitForAvailable, waitForEvent } from './harness/scenario.js';

const skip = e2eUnavailable() ?? chartUnavailable();
if (skip) process.stderr.write(`\n!!! ${skip}: test/e2e/clouds.test.ts SKIPPED\n`);

interface Report {
  target: { cloud?: string; cloudSource?: string };
  results: { id: string; status: string; messageId: string; message: string }[];
}

const installed = (cloud: Cloud, extra: Parameters<typeof installModelEngine>[0] = { cloud }) => {
  let install: Install | undefined;
  beforeAll(async () => {
    install = await installModelEngine(extra);
  }, 300_000);
  afterAll(async () => {
    if (install) await uninstall(install);
  }, 300_000);
  return () => install!;
};

(skip ? describe.skip : describe)('Azure (AKS-shaped nodes)', () => {
  installed('azure', {
    cloud: 'azure',
    nodes: [{ name: 'aks-gpu-0', cloud: 'azure', gpus: 1, acceleratorLabel: 'nvidia-ampere-a100e', instanceType: 'Standard_NC24ads_A100_v4' }],
  });

  it('the GPU pool taint sku=gpu:NoSchedule: the scheduler says "untolerated taint", the doctor says UNTOLERATED_TAINT and names gpuTolerations', async () => {
    const ep = await createEndpoint({ name: 'phi-aks', gpuType: 'nvidia-ampere-a100e', gpus: 1 });
    const ev = await waitForEvent(ep, 'FailedScheduling');
    expect(ev.message).toMatch(/untolerated taint\(s\)/);
    const { diagnosis, text } = await diagnose('phi-aks');
    expect(diagnosis.cause).toBe('UNTOLERATED_TAINT');
    expect(text).toContain('sku');
    expect(text).toContain('gpuTolerations');
    await deleteEndpoint(ep);
  });

  it('triage knows the cloud (values and nodes agree: azure)', async () => {
    const { report } = await doctorJson<Report>(['triage']);
    expect(report.target.cloud).toBe('azure');
  });
});

(skip ? describe.skip : describe)('GCP (GKE-shaped nodes)', () => {
  installed('gcp', {
    cloud: 'gcp',
    nodes: [{ name: 'gke-gpu-0', cloud: 'gcp', gpus: 1, acceleratorLabel: 'nvidia-ampere-a100', instanceType: 'a2-highgpu-1g' }],
  });

  it("GKE's nvidia.com/gpu=present taint is tolerated by the templates: the endpoint is HEALTHY", async () => {
    const ep = await createEndpoint({ name: 'gemma-gke', gpuType: 'nvidia-ampere-a100', gpus: 1 });
    await waitForAvailable(ep);
    const { diagnosis } = await diagnose('gemma-gke');
    expect(diagnosis.cause).toBe('HEALTHY');
    await deleteEndpoint(ep);
  });

  it('triage knows the cloud (gcp)', async () => {
    const { report } = await doctorJson<Report>(['triage']);
    expect(report.target.cloud).toBe('gcp');
  });
});

(skip ? describe.skip : describe)('on-prem (no cloud provider IDs)', () => {
  installed('onprem', { cloud: 'onprem', nodes: [{ name: 'onprem-gpu-0', cloud: 'onprem', gpus: 2, acceleratorLabel: 'nvidia-tesla-t4' }] });

  it('a T4 endpoint runs and is HEALTHY; triage says onprem', async () => {
    const ep = await createEndpoint({ name: 'llama-onprem', gpuType: 'nvidia-tesla-t4', gpus: 1 });
    await waitForAvailable(ep);
    expect((await diagnose('llama-onprem')).diagnosis.cause).toBe('HEALTHY');
    const { report } = await doctorJson<Report>(['triage']);
    expect(report.target.cloud).toBe('onprem');
    await deleteEndpoint(ep);
  });

  it("an async endpoint at zero that the chart's celery autoscaler will never scale (broker names differ): ASYNC_NOT_CONSUMING", async () => {
    // model-engine annotates every async endpoint outside Azure sqs-message-broker-master; the chart's autoscaler for
    // celeryBrokerType redis on-prem runs as redis-elasticache-message-broker-master (facts §10.4).
    const ep = await createEndpoint({ name: 'batch-onprem', mode: 'async', gpuType: 'nvidia-tesla-t4', gpus: 1, minWorkers: 0, maxWorkers: 2 });
    const sts = await kubectlJson<{ items: { metadata: { name: string }; spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } } }[] }>([
      'get',
      'statefulsets',
      '-n',
      'model-engine',
    ]);
    const broker = sts.items.flatMap((x) => x.spec.template.spec.containers[0]?.env ?? []).find((e) => e.name === 'BROKER_NAME')?.value;
    expect(broker).toBe('redis-elasticache-message-broker-master');
    const { diagnosis, text } = await diagnose('batch-onprem');
    expect(diagnosis.cause).toBe('ASYNC_NOT_CONSUMING');
    expect(text).toContain('sqs-message-broker-master');
    await deleteEndpoint(ep);
  });
});
