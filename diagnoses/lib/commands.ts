/** Commands remediations share: model-engine's API, the builder queue, the doctor itself. */
import type { EndpointView, Subject } from '../../src/model-engine/endpoint-view.js';

/** `curl … PUT /v1/model-endpoints/{id}`: how to change an endpoint's spec (the builder re-applies its objects). */
export function apiUpdate(s: Subject, body: Record<string, unknown>): string {
  return `curl -sS -u "$MODEL_ENGINE_API_KEY:" -X PUT ${s.gatewayUrl}/v1/model-endpoints/${s.id ?? '<endpoint-id>'} -H 'Content-Type: application/json' -d '${JSON.stringify(body)}'`;
}

/** Follow the endpoint until it serves. */
export const watchCommand = (s: Subject): string => `model-engine-doctor endpoint ${s.id ?? s.name ?? s.k8sName} --watch`;

/** How many build tasks wait in `model-engine-service-builder`, on this cloud's broker. */
export function queueCommand(v: EndpointView): string {
  switch (v.facts.hints?.cloud) {
    case 'azure':
      return 'az servicebus queue show --resource-group <rg> --namespace-name <servicebus-namespace> --name model-engine-service-builder --query countDetails';
    case 'gcp':
    case 'onprem':
      return 'redis-cli -h <broker redis host> -n 0 LLEN model-engine-service-builder';
    default:
      return 'aws sqs get-queue-attributes --queue-url "$(aws sqs get-queue-url --queue-name model-engine-service-builder --query QueueUrl --output text)" --attribute-names ApproximateNumberOfMessages ApproximateNumberOfMessagesNotVisible';
  }
}
