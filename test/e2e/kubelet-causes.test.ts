/**
 * The causes proven only on fixtures until now (issue 13), on a real control plane with model-engine installed by helm:
 * endpoints made from the installed templates as the builder makes them, pods created by the real Deployment and
 * ReplicaSet controllers and placed by the real scheduler. What no component here produces is simulated, and each
 * test says so in its name: the kubelet's view of a pod (status and events written as the kubelet writes them, logs
 * served through the API server's pods/log proxy by kwok, as a kubelet serves them), Istio's sidecar injector (a real
 * mutating webhook the API server calls, without istiod), model-engine's API (`--gateway-url`, a loopback HTTP server
 * answering as the gateway does) and the endpoint builder's task (its Kubernetes calls go to the real API server; its
 * log is written in the builder's format with the API server's own answer).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEndpoint, endpointObjects, installInfo, type BuiltEndpoint } from './harness/builder.js';
import { e2eUnavailable, kubectl, kubectlJson, kubectlRun, waitFor } from './harness/cluster.js';
import { chartUnavailable, installModelEngine, uninstall, type Install } from './harness/install.js';
import { startSidecarInjector, type SidecarInjector } from './harness/istio.js';
import { boundPods, containerLogs, CUSTOM_STATUS, sandboxFailed, sidecarNeverReady } from './harness/kubelet.js';
import { deleteEndpoint, diagnose, waitForAvailable, type Diagnosis } from './harness/scenario.js';

const skip = e2eUnavailable() ?? chartUnavailable();
if (skip) process.stderr.write(`\n!!! ${skip}: test/e2e/kubelet-causes.test.ts SKIPPED\n`);

type Evidence = { type: string; reason?: string; message?: string; path?: string; value?: unknown; line?: string; pod?: string; container?: string; target?: string; detail?: string; object?: { kind: string; name: string } };
const evidence = (d: Diagnosis) => (d.evidence ?? []) as Evidence[];

interface PodJson {
  metadata: { name: string; namespace: string; uid: string; creationTimestamp: string };
  spec: { nodeName?: string; containers: { name: string; image: string }[] };
}

/** The one running pod of a control-plane Deployment (kwok runs it; the chart made it). */
async function componentPod(namespace: string, app: string): Promise<PodJson> {
  const pods = (await kubectlJson<{ items: PodJson[] }>(['get', 'pods', '-n', namespace, '-l', `app=${app}`])).items;
  expect(pods.length).toBeGreaterThan(0);
  return pods[0]!;
}

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
const celeryTime = (msAgo: number) => iso(msAgo).replace('T', ' ').replace(/\.(\d{3})Z$/, ',$1');

(skip ? describe.skip : describe)('causes proven on a real control plane: sandbox, sidecar, stale status, failed build', () => {
  let install: Install;

  beforeAll(async () => {
    install = await installModelEngine({ cloud: 'aws', nodes: [{ name: 'kubelet-causes-a100-0', cloud: 'aws', gpus: 8, acceleratorLabel: 'nvidia-ampere-a100' }] });
  }, 300_000);
  afterAll(async () => {
    if (install) await uninstall(install);
  }, 300_000);

  it('simulated kubelet: the VPC CNI has no IP address left (FailedCreatePodSandBox): SANDBOX_FAILED with the runtime message and the AWS fix', async () => {
    const ep = await createEndpoint({ name: 'llama-no-ip', gpuType: 'nvidia-ampere-a100', gpus: 1, podAnnotations: CUSTOM_STATUS });
    const [pod] = await boundPods(ep.namespace, ep.resourceName);
    const message =
      'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "5b1f0c8e2d7a4f3b9c6e1d0a8b7f6e5d4c3b2a190817263544536271808f9e0d": plugin type="aws-cni" name="aws-cni" failed (add): add cmd: failed to assign an IP address to container';
    await sandboxFailed(pod!, message);
    const { code, diagnosis } = await diagnose('llama-no-ip');
    expect(diagnosis.cause).toBe('SANDBOX_FAILED');
    expect(code).toBe(3);
    expect(diagnosis.summary).toContain(pod!.metadata.name);
    expect(diagnosis.summary).toContain(pod!.spec.nodeName!);
    expect(diagnosis.summary).toContain('no IP address left');
    const ev = evidence(diagnosis);
    expect(ev).toContainEqual(expect.objectContaining({ type: 'event', reason: 'FailedCreatePodSandBox', message, object: expect.objectContaining({ kind: 'Pod', name: pod!.metadata.name }) }));
    expect(ev).toContainEqual(expect.objectContaining({ type: 'field', path: expect.stringMatching(/^status\.containerStatuses\[[\w-]+\]\.state\.waiting$/) }));
    expect(diagnosis.remediation!.summary).toContain('ENABLE_PREFIX_DELEGATION=true');
    expect(diagnosis.remediation!.commands).toContain(`kubectl describe node ${pod!.spec.nodeName}`);
    await deleteEndpoint(ep);
  });

  describe('simulated Istio injector and simulated kubelet: the istio-proxy sidecar never gets ready', () => {
    let injector: SidecarInjector;
    beforeAll(async () => {
      injector = await startSidecarInjector();
      await kubectl(['label', 'namespace', install.endpointNamespace, 'istio-injection=enabled', '--overwrite']);
    });
    afterAll(async () => {
      await kubectl(['label', 'namespace', install.endpointNamespace, 'istio-injection-']);
      await injector?.stop();
    });

    it('istiod unreachable (simulated Istio injector, simulated kubelet): SIDECAR_NOT_READY with the probe event, the proxy log line and the fix', async () => {
      const ep = await createEndpoint({ name: 'llama-meshed', gpuType: 'nvidia-ampere-a100', gpus: 1, podAnnotations: CUSTOM_STATUS });
      const [pod] = await boundPods(ep.namespace, ep.resourceName);
      // The real API server called the injector when the real ReplicaSet controller created the pod.
      expect(pod!.spec.containers.map((c) => c.name)[0]).toBe('istio-proxy');
      const unreachable =
        '2026-12-07T05:10:41.113208Z\twarning\tenvoy config external/envoy/source/extensions/config_subscription/grpc/grpc_stream.h:152\tStreamAggregatedResources gRPC config stream to xds-grpc closed since 313s ago: 14, connection error: desc = "transport: Error while dialing: dial tcp 10.100.41.7:15012: i/o timeout"\tthread=21';
      await sidecarNeverReady(pod!, [
        '2026-12-07T05:05:27.902141Z\tinfo\tFLAG: --concurrency="0"',
        '2026-12-07T05:05:28.011954Z\tinfo\tsds\tStarting SDS grpc server',
        unreachable,
        '2026-12-07T05:10:43.520774Z\twarn\tEnvoy proxy is NOT ready: config not received from XDS server (is Istiod running?): cds updates: 0 successful, 0 rejected; lds updates: 0 successful, 0 rejected',
      ]);
      const { code, diagnosis } = await diagnose('llama-meshed');
      expect(diagnosis.cause).toBe('SIDECAR_NOT_READY');
      expect(code).toBe(3);
      expect(diagnosis.summary).toContain(`The istio-proxy sidecar of pod ${pod!.metadata.name}`);
      expect(diagnosis.summary).toContain('(3 restarts)');
      expect(diagnosis.summary).toContain('it gets no configuration from istiod');
      const ev = evidence(diagnosis);
      expect(ev).toContainEqual(expect.objectContaining({ type: 'field', path: 'status.containerStatuses[istio-proxy].ready', value: false }));
      expect(ev).toContainEqual(expect.objectContaining({ type: 'event', reason: 'Unhealthy', message: expect.stringContaining(':15021/healthz/ready') }));
      // The proxy's log went through the real API server's pods/log proxy to kwok, as it would to a kubelet.
      expect(ev).toContainEqual(expect.objectContaining({ type: 'log', pod: pod!.metadata.name, container: 'istio-proxy', line: expect.stringContaining('config not received from XDS server') }));
      expect(diagnosis.remediation!.summary).toContain('Make istiod reachable');
      expect(diagnosis.remediation!.commands).toContain(`kubectl -n ${ep.namespace} logs ${pod!.metadata.name} -c istio-proxy --tail=100`);
      await deleteEndpoint(ep);
    });
  });

  describe("simulated model-engine gateway (loopback HTTP) and the cacher's log served by the simulated kubelet: the API's worker counts are stale", () => {
    let gateway: Server;
    let url: string;
    const records = new Map<string, object>();
    beforeAll(async () => {
      // GET /v1/model-endpoints/{id} and ?name=, answered as the gateway answers (GetModelEndpointV1Response).
      gateway = createServer((req, res) => {
        const u = new URL(req.url ?? '/', 'http://127.0.0.1');
        const byId = /^\/v1\/model-endpoints\/(end_\w+)$/.exec(u.pathname)?.[1];
        const all = [...records.values()] as { id: string; name: string }[];
        res.setHeader('content-type', 'application/json');
        if (byId) {
          const r = all.find((x) => x.id === byId);
          res.statusCode = r ? 200 : 404;
          res.end(JSON.stringify(r ?? { detail: `Model Endpoint ${byId} was not found.` }));
        } else if (u.pathname === '/v1/model-endpoints') {
          res.end(JSON.stringify({ model_endpoints: all.filter((x) => x.name === u.searchParams.get('name')) }));
        } else {
          res.statusCode = 404;
          res.end(JSON.stringify({ detail: 'Not Found' }));
        }
      });
      await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => gateway?.close(() => resolve()));
    });

    it("the cacher's Redis password is refused (its log via the simulated kubelet; simulated gateway): STATUS_STALE with the API's view, the cluster's and the cacher's log line", async () => {
      const ep = await createEndpoint({ name: 'llama-stale', gpuType: 'nvidia-ampere-a100', gpus: 1 });
      await waitForAvailable(ep);
      // What the API serves from the cache the cacher stopped writing: the worker count from before the pod was up.
      records.set(ep.id, {
        id: ep.id,
        name: ep.name,
        endpoint_type: 'sync',
        status: 'READY',
        status_reason: null,
        bundle_name: ep.name,
        created_at: iso(3_600_000),
        last_updated_at: iso(3_600_000),
        deployment_state: { min_workers: 1, max_workers: 1, per_worker: 1, available_workers: 0, unavailable_workers: 1 },
        resource_state: { cpus: '2', gpus: 1, memory: '8Gi', gpu_type: 'nvidia-ampere-a100', storage: null, nodes_per_worker: 1 },
        num_queued_items: null,
      });
      const cacher = await componentPod(install.namespace, 'model-engine-cacher');
      const refused = 'redis.exceptions.AuthenticationError: WRONGPASS invalid username-password pair or user is disabled.';
      await containerLogs(cacher, cacher.spec.containers[0]!.name, [
        `{"message":"Starting cacher loop","time":"${iso(900_000)}","level":"INFO","name":"model_engine_server.entrypoints.k8s_cache"}`,
        'Traceback (most recent call last):',
        '  File "/workspace/model-engine/model_engine_server/infra/gateways/resources/redis_cache.py", line 41, in write_endpoint_info',
        refused,
      ]);
      const { code, diagnosis } = await diagnose('llama-stale', ['--gateway-url', url]);
      expect(diagnosis.cause).toBe('STATUS_STALE');
      expect(code).toBe(3);
      expect(diagnosis.summary).toContain("model-engine's API reports 0 available worker(s) for llama-stale while it has 1/1 available in the cluster");
      expect(diagnosis.summary).toContain('the cacher cannot write the cache: Redis authentication failed');
      const ev = evidence(diagnosis);
      expect(ev).toContainEqual(expect.objectContaining({ type: 'probe', target: `${url}/v1/model-endpoints?name=llama-stale`, detail: 'status READY, 0 available worker(s)' }));
      expect(ev).toContainEqual(expect.objectContaining({ type: 'field', path: 'status.availableReplicas', value: 1, object: expect.objectContaining({ kind: 'Deployment', name: ep.resourceName }) }));
      expect(ev).toContainEqual(expect.objectContaining({ type: 'log', pod: cacher.metadata.name, line: expect.stringContaining('WRONGPASS') }));
      expect(diagnosis.remediation!.summary).toContain('Give the cacher Redis credentials that work');
      expect(diagnosis.remediation!.commands).toContain(`kubectl -n ${install.namespace} rollout restart deploy/model-engine-cacher`);
      // Without the API there is nothing to disagree with: the same cluster state is HEALTHY.
      expect((await diagnose('llama-stale')).diagnosis.cause).toBe('HEALTHY');
      await deleteEndpoint(ep);
    });

    it('the cacher has no ready pod (scaled to 0 by the real Deployment controller; simulated gateway): STATUS_STALE saying nothing refreshes the cache', async () => {
      const ep = await createEndpoint({ name: 'llama-uncached', cpus: '1', memory: '1Gi' });
      await waitForAvailable(ep);
      records.set(ep.id, { id: ep.id, name: ep.name, endpoint_type: 'sync', status: 'READY', deployment_state: { min_workers: 1, max_workers: 1, per_worker: 1, available_workers: 0, unavailable_workers: 1 } });
      await kubectl(['scale', 'deployment', '-n', install.namespace, 'model-engine-cacher', '--replicas=0']);
      try {
        await waitFor('cacher pods gone', async () => (await kubectl(['get', 'pods', '-n', install.namespace, '-l', 'app=model-engine-cacher', '-o', 'name'])).trim() === '', 60_000, 500);
        const { diagnosis } = await diagnose('llama-uncached', ['--gateway-url', url]);
        expect(diagnosis.cause).toBe('STATUS_STALE');
        expect(diagnosis.summary).toContain(`the cacher (${install.namespace}/model-engine-cacher) has no ready pod, so nothing refreshes the cache`);
        expect(diagnosis.remediation!.summary).toContain('Bring the cacher back');
      } finally {
        await kubectl(['scale', 'deployment', '-n', install.namespace, 'model-engine-cacher', '--replicas=1']);
        await deleteEndpoint(ep);
      }
    });
  });

  it("simulated builder task (its calls go to the real API server, its log is served by the simulated kubelet): the Service's node port is taken: BUILD_FAILED with the API server's 422 and the objects that exist", async () => {
    // Another endpoint's Service already holds node port 30080 (a real allocation by the API server).
    const nodePort = { SERVICE_TYPE: 'NodePort', NODE_PORT_DICT: 'nodePort: 30080' };
    const holder = await createEndpoint({ name: 'llama-port-holder', cpus: '1', memory: '1Gi', vars: nodePort });
    const { templates, info } = await installInfo(install.namespace);
    const built: BuiltEndpoint = endpointObjects({ name: 'llama-port-clash', gpuType: 'nvidia-ampere-a100', gpus: 1, podAnnotations: CUSTOM_STATUS, vars: nodePort }, templates, info);
    // The builder creates the objects in order and stops at the first the API server refuses.
    let refused: { kind: string; message: string } | undefined;
    for (const o of built.objects) {
      const r = await kubectlRun(['create', '-f', '-'], { input: JSON.stringify(o) });
      if (r.code !== 0) {
        refused = { kind: String(o.kind), message: r.stderr.trim().replace(/^Error from server \(Invalid\): error when creating "STDIN": /, '') };
        break;
      }
    }
    expect(refused?.kind).toBe('Service');
    expect(refused!.message).toMatch(/spec\.ports\[0\]\.nodePort: Invalid value: 30080: provided port is already allocated/);
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: refused!.message, reason: 'Invalid', code: 422 };
    const excInfo = [
      'Traceback (most recent call last):',
      '  File "/workspace/model-engine/model_engine_server/infra/services/live_endpoint_builder_service.py", line 275, in build_endpoint',
      '    create_or_update_response = (',
      '  File "/workspace/model-engine/model_engine_server/infra/gateways/resources/k8s_endpoint_resource_delegate.py", line 1760, in _create_or_update_resources',
      '    await self._create_service(',
      '  File "/workspace/model-engine/model_engine_server/infra/gateways/resources/k8s_endpoint_resource_delegate.py", line 866, in _create_service',
      '    raise e',
      'kubernetes_asyncio.client.exceptions.ApiException: (422)',
      'Reason: Unprocessable Entity',
      "HTTP response headers: <CIMultiDictProxy('Content-Type': 'application/json')>",
      `HTTP response body: ${JSON.stringify(status)}`,
    ].join('\n');
    const task = '5d2e8a41-7c3b-4f69-9e1a-0b8c7d6e5f43';
    const record = (level: string, message: string, extra: object = {}) =>
      JSON.stringify({ message, time: iso(60_000), level, name: 'model_engine_server.infra.services.live_endpoint_builder_service', lineno: level === 'INFO' ? 211 : 344, ...extra });
    const builder = await componentPod(install.namespace, 'model-engine-endpoint-builder');
    await containerLogs(builder, builder.spec.containers[0]!.name, [
      `[${celeryTime(65_000)}: INFO/MainProcess] Task model_engine_server.service_builder.tasks_v1.build_endpoint[${task}] received`,
      record('INFO', `Building endpoint ${built.id} (${built.name}): creating k8s resources in namespace ${built.namespace}`),
      record('ERROR', 'K8s resource update failed', { exc_info: excInfo }),
      record('ERROR', 'Failed endpoint build process!', { exc_info: excInfo }),
      `[${celeryTime(59_000)}: ERROR/ForkPoolWorker-1] Task model_engine_server.service_builder.tasks_v1.build_endpoint[${task}] raised unexpected: EndpointResourceInfraException('Resource update failed')`,
    ]);
    const { code, diagnosis } = await diagnose('llama-port-clash');
    expect(diagnosis.cause).toBe('BUILD_FAILED');
    expect(code).toBe(3);
    expect(diagnosis.summary).toContain('ApiException: (422)');
    expect(diagnosis.summary).toContain('provided port is already allocated');
    expect(diagnosis.summary).toMatch(/after it had created Deployment launch-endpoint-id-end-\w+, 2 ConfigMap\(s\)/);
    const ev = evidence(diagnosis);
    expect(ev).toContainEqual(expect.objectContaining({ type: 'log', pod: builder.metadata.name, line: expect.stringContaining(`Building endpoint ${built.id}`) }));
    expect(ev).toContainEqual(expect.objectContaining({ type: 'log', pod: builder.metadata.name, line: expect.stringContaining('provided port is already allocated') }));
    expect(diagnosis.remediation!.summary).toContain('The API server rejected an object of the endpoint (HTTP 422)');
    await deleteEndpoint(built);
    await deleteEndpoint(holder);
  });
});

