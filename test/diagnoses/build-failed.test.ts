import cause from '../../diagnoses/build-failed.js';
import type { GatewayEndpointRecord } from '../../src/engine/ports/gateway.js';
import type { EndpointFacts } from '../../src/model-engine/endpoint-facts.js';
import { gatewayAnswering, testCause } from '../support/cause-tester.js';

/** The builder's log edited (a different failure of the same task; simulated). */
const builderLog = (edit: (text: string) => string) => (f: EndpointFacts): EndpointFacts => ({ ...f, builder: { ...f.builder!, log: { ...f.builder!.log!, text: edit(f.builder!.log!.text) } } });

/**
 * The builder container was OOMKilled while it built the endpoint: the task's lines are in its previous log, its
 * current log never mentions the endpoint (simulated from endpoint-build-incomplete).
 */
const killedMidTask = (f: EndpointFacts): EndpointFacts => {
  const b = f.builder!;
  const lines = b.log!.text.split('\n');
  const pod = b.pods[0]!;
  const cs = pod.status!.containerStatuses![0]!;
  return {
    ...f,
    builder: {
      ...b,
      previousLog: { ...b.log!, text: lines.slice(0, 2).join('\n') },
      log: { ...b.log!, text: '[2026-11-21 20:52:10,004: INFO/MainProcess] celery@model-engine-endpoint-builder-xn47hdhlqg-dcdvs ready.\n' },
      pods: [{ ...pod, status: { ...pod.status, containerStatuses: [{ ...cs, restartCount: 1, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-11-21T20:51:40Z' } } }] } }],
    },
  };
};

const ME = '/workspace/model-engine/model_engine_server';
const SITE = '/usr/local/lib/python3.10/site-packages/kubernetes_asyncio';
/**
 * The builder's traceback when KEDA is not installed: `_create_keda_scaled_object` POSTs to
 * /apis/keda.sh/v1alpha1/namespaces/llm-engine/scaledobjects and the API server, which serves no keda.sh group,
 * answers 404 with its plain-text `404 page not found` (no Status body; kubernetes_asyncio's ApiException names
 * neither URL nor kind). The delegate re-raises it as EndpointResourceInfraException.
 */
const KEDA_404 = [
  'Traceback (most recent call last):',
  `  File "${ME}/infra/gateways/resources/k8s_endpoint_resource_delegate.py", line 1912, in _create_or_update_resources`,
  '    await self._create_keda_scaled_object(',
  `  File "${ME}/infra/gateways/resources/k8s_endpoint_resource_delegate.py", line 1137, in _create_keda_scaled_object`,
  '    await custom_objects_api.create_namespaced_custom_object(',
  `  File "${SITE}/client/api_client.py", line 192, in __call_api`,
  '    raise e',
  `  File "${SITE}/client/rest.py", line 238, in request`,
  '    raise ApiException(http_resp=r)',
  'kubernetes_asyncio.client.exceptions.ApiException: (404)',
  'Reason: Not Found',
  "HTTP response headers: <CIMultiDictProxy('Audit-Id': '5e0c9a1d-2b7f-4c3e-9a8d-1f6b2e4c7a90', 'Cache-Control': 'no-cache, private', 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Date': 'Sat, 21 Nov 2026 20:51:01 GMT', 'Content-Length': '19')>",
  'HTTP response body: 404 page not found',
  '',
  '',
  'The above exception was the direct cause of the following exception:',
  '',
  'Traceback (most recent call last):',
  `  File "${ME}/infra/services/live_endpoint_builder_service.py", line 275, in build_endpoint`,
  '    create_or_update_response = (',
  `  File "${ME}/infra/gateways/resources/k8s_endpoint_resource_delegate.py", line 1589, in create_or_update_resources`,
  '    raise EndpointResourceInfraException from e',
  'model_engine_server.domain.exceptions.EndpointResourceInfraException',
].join('\n');

/** Every error record of the builder's log carries this traceback instead (a different failure of the same task; simulated). */
const excInfo = (exc: string) => builderLog((t) => t.replace(/"exc_info":"(?:[^"\\]|\\.)*"/g, `"exc_info":${JSON.stringify(exc)}`));

/**
 * A validation error before the builder's try block (`_validate_build_endpoint_request`, a disallowed AWS role):
 * celery logs the task's ValueError; nothing writes UPDATE_FAILED, so the API keeps UPDATE_PENDING (simulated).
 */
const validationError = (f: EndpointFacts): EndpointFacts => {
  const task = 'model_engine_server.service_builder.tasks_v1.build_endpoint[9b2e4f6a-1c3d-4e5f-8a7b-6c5d4e3f2a10]';
  const text = [
    `[2026-11-21 20:50:58,104: INFO/MainProcess] Task ${task} received`,
    '{"message":"Building service for endpoint_name: llama-3-1-70b","time":"2026-11-21T20:50:58.311204+00:00","level":"INFO","name":"model_engine_server.infra.services.live_endpoint_builder_service","lineno":170,"pathname":"/workspace/model-engine/model_engine_server/infra/services/live_endpoint_builder_service.py"}',
    `[2026-11-21 20:50:58,322: ERROR/ForkPoolWorker-3] Task ${task} raised unexpected: ValueError("AWS role ml-admin not in allowed roles {'ml-worker', 'ml-inference-worker'}.")`,
    'Traceback (most recent call last):',
    `  File "${ME}/infra/services/live_endpoint_builder_service.py", line 178, in build_endpoint`,
    '    self._validate_build_endpoint_request(build_endpoint_request)',
    `  File "${ME}/infra/services/live_endpoint_builder_service.py", line 792, in _validate_build_endpoint_request`,
    '    raise ValueError(',
    "ValueError: AWS role ml-admin not in allowed roles {'ml-worker', 'ml-inference-worker'}.",
    '',
  ].join('\n');
  return builderLog(() => text)(f);
};
const pending: GatewayEndpointRecord = {
  id: 'end_ct5qlrsn2ojg00a4qmp0',
  name: 'llama-3-1-70b',
  endpoint_type: 'sync',
  status: 'UPDATE_PENDING',
  last_updated_at: '2026-11-21T20:50:57',
  deployment_state: { min_workers: 1, max_workers: 1, per_worker: 1, available_workers: 0, unavailable_workers: 1 },
};

testCause(cause, {
  matches: [
    {
      name: 'no objects: the task raised an ApiException (422)',
      snapshot: 'endpoint-build-failed',
      endpoint: 'end_ct5oeqfn2ojg00a4qmf0',
      level: 'endpoint',
      summary: ['ApiException: (422)', 'must be less than or equal to ephemeral-storage limit of 1000Gi', 'no Kubernetes objects exist'],
      commands: ['kubectl -n model-engine logs deploy/model-engine-endpoint-builder --tail=500'],
      evidence: ['Building endpoint end_ct5oeqfn2ojg00a4qmf0'],
    },
    {
      name: 'the Deployment exists, then the VirtualService template was missing (FileNotFoundError)',
      snapshot: 'endpoint-build-incomplete',
      endpoint: 'end_ct5qlrsn2ojg00a4qmp0',
      level: 'endpoint',
      summary: ["last build of llama-3-1-70b (end_ct5qlrsn2ojg00a4qmp0) failed", 'FileNotFoundError', 'virtual-service.yaml', 'after it had created Deployment launch-endpoint-id-end-ct5qlrsn2ojg00a4qmp0'],
      commands: ["get configmap model-engine-service-template-config -o json | jq -r '.data | keys[]'"],
      values: ['virtualservice:', 'destinationrule:'],
      evidence: ['objects that exist: Deployment launch-endpoint-id-end-ct5qlrsn2ojg00a4qmp0'],
    },
    {
      name: 'chart/image skew: KeyError on a template variable (log edited; simulated)',
      snapshot: 'endpoint-build-failed',
      endpoint: 'end_ct5oeqfn2ojg00a4qmf0',
      edit: builderLog((t) => t.replace(/kubernetes_asyncio\.client\.exceptions\.ApiException: \(422\)/g, "KeyError: 'FORWARDER_MAX_CONCURRENCY'")),
      summary: ["KeyError: 'FORWARDER_MAX_CONCURRENCY'"],
      commands: ["get deploy model-engine-endpoint-builder -o jsonpath='{.spec.template.spec.containers[0].image}'"],
    },
    {
      name: 'the builder was OOMKilled mid-task: UPDATE_IN_PROGRESS for ever (previous log and restart added; simulated)',
      snapshot: 'endpoint-build-incomplete',
      endpoint: 'end_ct5qlrsn2ojg00a4qmp0',
      edit: killedMidTask,
      summary: ['never finished', 'killed mid-task (OOMKilled (exit 137) at 2026-11-21T20:51:40Z)', 'UPDATE_IN_PROGRESS for ever'],
      commands: ['kubectl -n model-engine describe pod model-engine-endpoint-builder-xn47hdhlqg-dcdvs'],
      evidence: ['model-engine-endpoint-builder (previous)'],
    },
    {
      name: "KEDA's CRD is not installed: the ScaledObject POST got the API server's plain 404 (builder traceback edited; simulated)",
      snapshot: 'endpoint-build-incomplete',
      endpoint: 'end_ct5qlrsn2ojg00a4qmp0',
      edit: excInfo(KEDA_404),
      summary: ['failed: Failed endpoint build process!: ApiException: (404): 404 page not found (in _create_keda_scaled_object)', 'after it had created Deployment'],
      commands: ["kubectl api-resources | grep -iE 'keda|istio|autoscaling.k8s.io|leaderworkerset'"],
      evidence: ['objects that exist: Deployment launch-endpoint-id-end-ct5qlrsn2ojg00a4qmp0'],
    },
    {
      name: 'a validation error before the try block: UPDATE_PENDING for ever (builder log edited, API answer stubbed; simulated)',
      snapshot: 'endpoint-build-incomplete',
      endpoint: 'end_ct5qlrsn2ojg00a4qmp0',
      collect: { gateway: gatewayAnswering(pending) },
      edit: validationError,
      summary: ['ValueError', 'AWS role ml-admin not in allowed roles', 'The API says UPDATE_PENDING and will for ever', 'validation runs before its try block'],
      evidence: ['raised unexpected: ValueError'],
    },
  ],
  misses: [
    { name: 'the builder is scaled to 0: the build never ran', snapshot: 'endpoint-build-pending', endpoint: 'end_ct5ndpen2ojg00a4qme0' },
    { name: 'a serving endpoint', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct' },
    { name: 'a failing endpoint whose build succeeded', snapshot: 'endpoint-crash-loop', endpoint: 'end_ct5j9lan2ojg00a4qma0' },
  ],
});
