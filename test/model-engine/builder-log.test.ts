import { describe, expect, it } from '@jest/globals';
import { classifyBuildError, errorGist } from '../../src/model-engine/builder-log.js';

/** One builder ERROR record (model-engine's JSON log line) whose exc_info is `exc`. */
const record = (message: string, exc: string) => JSON.stringify({ message, level: 'ERROR', name: 'model_engine_server.infra.services.live_endpoint_builder_service', exc_info: exc });

const trace = (fn: string, body: string, contentType: string) =>
  [
    'Traceback (most recent call last):',
    `  File "/workspace/model-engine/model_engine_server/infra/gateways/resources/k8s_endpoint_resource_delegate.py", line 1137, in ${fn}`,
    '    await custom_objects_api.create_namespaced_custom_object(',
    'kubernetes_asyncio.client.exceptions.ApiException: (404)',
    'Reason: Not Found',
    `HTTP response headers: <CIMultiDictProxy('Content-Type': '${contentType}')>`,
    `HTTP response body: ${body}`,
    '',
  ].join('\n');

describe('classifyBuildError: a missing CRD, as the builder logs it', () => {
  it('the API server serves no such group: plain-text 404, the kind named by the builder function in the traceback', () => {
    for (const [fn, kind] of [
      ['_create_keda_scaled_object', 'ScaledObject'],
      ['_create_vpa', 'VerticalPodAutoscaler'],
      ['_create_virtual_service', 'VirtualService'],
      ['_create_destination_rule', 'DestinationRule'],
      ['_create_lws', 'LeaderWorkerSet'],
    ] as const) {
      const gist = errorGist(record('create_or_update_resources failed', trace(fn, '404 page not found', 'text/plain; charset=utf-8')));
      expect(gist).toBe(`create_or_update_resources failed: ApiException: (404): 404 page not found (in ${fn})`);
      expect(classifyBuildError(gist)).toEqual({ kind: 'missing-crd', name: kind });
    }
  });

  it('the group is served but not the resource: a Status body "the server could not find the requested resource"', () => {
    const status = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
    const gist = errorGist(record('create_or_update_resources failed', trace('_create_keda_scaled_object', status, 'application/json')));
    expect(gist).toBe('create_or_update_resources failed: ApiException: (404): the server could not find the requested resource');
    expect(classifyBuildError(gist)).toEqual({ kind: 'missing-crd' });
  });

  it('client-go\'s REST mapping error names the kind itself', () => {
    expect(classifyBuildError('error: resource mapping not found for name: "x" namespace: "llm-engine" from "x.yaml": no matches for kind "ScaledObject" in version "keda.sh/v1alpha1"')).toEqual({ kind: 'missing-crd', name: 'ScaledObject' });
  });

  it('a 404 for an object that is simply absent (Status NotFound naming it) is not a missing CRD', () => {
    const status = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'deployments.apps "launch-endpoint-id-end-x" not found', reason: 'NotFound', details: { name: 'launch-endpoint-id-end-x', group: 'apps', kind: 'deployments' }, code: 404 });
    const gist = errorGist(record('create_or_update_resources failed', trace('_create_deployment', status, 'application/json')));
    expect(classifyBuildError(gist)).toEqual({ kind: 'api-rejected', name: '404' });
  });
});
