import { describe, expect, it } from '@jest/globals';
import { sidecarProblem } from '../../src/model-engine/istio.js';
import { classifyFailedCreate, classifySandboxFailure, missingConfigRef } from '../../src/model-engine/k8s-messages.js';

// ReplicaSet FailedCreate messages as kube-controller-manager records them (kube-apiserver v1.3x formats).
describe('classifyFailedCreate', () => {
  it.each([
    [
      'Error creating: pods "launch-endpoint-id-end-x-5d9f-abcde" is forbidden: no PriorityClass with name model-engine-default-priority was found',
      { kind: 'priority-class', name: 'model-engine-default-priority', detail: 'no PriorityClass with name model-engine-default-priority was found' },
    ],
    [
      'Error creating: pods "launch-endpoint-id-end-x-5d9f-abcde" is forbidden: exceeded quota: gpu-quota, requested: requests.nvidia.com/gpu=1, used: requests.nvidia.com/gpu=4, limited: requests.nvidia.com/gpu=4',
      { kind: 'quota', name: 'gpu-quota', detail: 'exceeded quota: gpu-quota, requested: requests.nvidia.com/gpu=1, used: requests.nvidia.com/gpu=4, limited: requests.nvidia.com/gpu=4' },
    ],
    [
      'Error creating: pods "launch-endpoint-id-end-x-5d9f-abcde" is forbidden: error looking up service account llm-engine/model-engine: serviceaccount "model-engine" not found',
      { kind: 'service-account', name: 'model-engine', detail: 'error looking up service account llm-engine/model-engine: serviceaccount "model-engine" not found' },
    ],
    // The generateName form older API servers print, and a pod name without quotes around it.
    ['Error creating: pods "launch-endpoint-id-end-x-5d9f-" is forbidden: no PriorityClass with name model-engine-high-priority was found', { kind: 'priority-class', name: 'model-engine-high-priority' }],
    ['Error creating: pods is forbidden: maximum cpu usage per Container is 8, but limit is 16', { kind: 'quota', detail: 'LimitRange: maximum cpu usage per Container is 8, but limit is 16' }],
    [
      'Error creating: pods "launch-endpoint-id-end-x-5d9f-abcde" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "main" must set securityContext.allowPrivilegeEscalation=false), runAsNonRoot != true (pod or container "main" must set securityContext.runAsNonRoot=true)',
      { kind: 'pod-security', name: 'restricted:latest', detail: 'allowPrivilegeEscalation != false (container "main" must set securityContext.allowPrivilegeEscalation=false), runAsNonRoot != true (pod or container "main" must set securityContext.runAsNonRoot=true)' },
    ],
    [
      "Error creating: pods \"launch-endpoint-id-end-x-5d9f-abcde\" is forbidden: ValidatingAdmissionPolicy 'require-team-label' with binding 'require-team-label-binding' denied request: pods must carry the cost-center label",
      { kind: 'policy', name: 'require-team-label', binding: 'require-team-label-binding', detail: 'pods must carry the cost-center label' },
    ],
    [
      'Error creating: Internal error occurred: failed calling webhook "mutation.azure-workload-identity.io": failed to call webhook: Post "https://azure-wi-webhook-webhook-service.azure-workload-identity-system.svc:443/mutate-v1-pod?timeout=10s": no endpoints available for service "azure-wi-webhook-webhook-service"',
      { kind: 'webhook-unavailable', name: 'mutation.azure-workload-identity.io', service: { namespace: 'azure-workload-identity-system', name: 'azure-wi-webhook-webhook-service' } },
    ],
    [
      'Error creating: Internal error occurred: failed calling webhook "validate.kyverno.svc-fail": failed to call webhook: Post "https://kyverno-svc.kyverno.svc:443/validate/fail?timeout=10s": context deadline exceeded',
      { kind: 'webhook-unavailable', name: 'validate.kyverno.svc-fail', detail: 'failed to call webhook: Post "https://kyverno-svc.kyverno.svc:443/validate/fail?timeout=10s": context deadline exceeded', service: { namespace: 'kyverno', name: 'kyverno-svc' } },
    ],
    [
      'Error creating: admission webhook "validation.gatekeeper.sh" denied the request: [psp-privileged-container] Privileged container is not allowed: main, securityContext: {"privileged": true}',
      { kind: 'webhook-denied', name: 'validation.gatekeeper.sh', detail: '[psp-privileged-container] Privileged container is not allowed: main, securityContext: {"privileged": true}' },
    ],
    [
      'Error creating: admission webhook "validate.kyverno.svc-fail" denied the request: \n\nresource Pod/llm-engine/launch-endpoint-id-end-x-5d9f-abcde was blocked due to the following policies \n\nrequire-requests-limits:\n  validate-resources: \'validation error: CPU and memory resource requests and limits are required. rule validate-resources failed at path /spec/containers/0/resources/limits/\'',
      { kind: 'webhook-denied', name: 'validate.kyverno.svc-fail' },
    ],
    ['Error creating: pods "x" is forbidden: unable to validate against any security context constraint', { kind: 'other', detail: 'pods "x" is forbidden: unable to validate against any security context constraint' }],
  ])('%s', (message, want) => expect(classifyFailedCreate(message)).toMatchObject(want));
});

describe('missingConfigRef', () => {
  it.each([
    ['MountVolume.SetUp failed for volume "config-volume" : configmap "default-config" not found', { kind: 'ConfigMap', name: 'default-config' }],
    ['Error: couldn\'t find key auth_token in Secret llm-engine/redis-auth', { kind: 'key', name: 'redis-auth', key: 'auth_token' }],
    ['Error: secret "model-engine-postgres-credentials" not found', { kind: 'Secret', name: 'model-engine-postgres-credentials' }],
    ['MountVolume.SetUp failed for volume "model-cache" : rpc error', undefined],
  ])('%s', (message, want) => expect(missingConfigRef(message)).toEqual(want));
});

describe('classifySandboxFailure', () => {
  it.each([
    ['Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "9b1f": plugin type="aws-cni" name="aws-cni" failed (add): add cmd: failed to assign an IP address to container', 'ip-exhausted'],
    ['Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "abc": plugin type="azure-vnet" failed (add): Failed to allocate address: no IP addresses available in range set', 'ip-exhausted'],
    ['Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "abc": plugin type="calico" failed (add): error getting ClusterInformation: connection is unauthorized: Unauthorized', 'cni-error'],
    ['Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox image "registry.k8s.io/pause:3.10": failed to pull image "registry.k8s.io/pause:3.10": i/o timeout', 'pause-image'],
    ['Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "nvidia" is configured', 'runtime-handler'],
    ['Failed to create pod sandbox: rpc error: code = Unknown desc = failed to create containerd task: context deadline exceeded', 'other'],
  ])('%s', (message, kind) => expect(classifySandboxFailure(message).kind).toBe(kind));
});

describe('sidecarProblem', () => {
  it('names istiod unreachable before the certificate error it causes', () => {
    const log = 'error\tcache\tresource:default failed to generate secret for proxy from remote: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 172.20.118.41:15012: i/o timeout"\nwarn\tEnvoy proxy is NOT ready: config not received from XDS server (is Istiod running?)';
    expect(sidecarProblem(log)).toMatchObject({ kind: 'istiod-unreachable', lineNumber: 2 });
  });
  it('a certificate authority the proxy does not trust', () => {
    expect(sidecarProblem('warn\tsds\tfailed to sign CSR: x509: certificate signed by unknown authority')?.kind).toBe('certificate');
  });
  it('nothing known', () => expect(sidecarProblem('info\tEnvoy proxy is ready')).toBeUndefined());
});

/**
 * ReplicaSet FailedCreate messages recorded from a real kube-apiserver and kube-controller-manager v1.37.2 (this
 * repository's control-plane build, on loopback): a Deployment like an endpoint's in a namespace per case. Mutating
 * admission (Priority, ServiceAccount) names the pod by its generateName; validating admission by its full name.
 * The webhook's TLS error is shortened (the certificate's host list was the test machine's).
 */
describe('classifyFailedCreate on messages recorded from kube-apiserver v1.37.2', () => {
  it.each([
    ['Error creating: pods "launch-endpoint-id-end-ct5x-767568cf94-" is forbidden: no PriorityClass with name model-engine-default-priority was found', 'priority-class', 'model-engine-default-priority'],
    ['Error creating: pods "launch-endpoint-id-end-ct5x-7486f8c857-" is forbidden: error looking up service account sa/model-engine: serviceaccount "model-engine" not found', 'service-account', 'model-engine'],
    ['Error creating: pods "launch-endpoint-id-end-ct5x-5f8475d965-lkd94" is forbidden: exceeded quota: gpu-quota, requested: requests.nvidia.com/gpu=1, used: requests.nvidia.com/gpu=0, limited: requests.nvidia.com/gpu=0', 'quota', 'gpu-quota'],
    [
      'Error creating: pods "launch-endpoint-id-end-ct5x-5f8475d965-8jdft" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "main" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "main" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "main" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "main" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
      'pod-security',
      'restricted:latest',
    ],
    ["Error creating: pods \"launch-endpoint-id-end-ct5x-5f8475d965-h98hc\" is forbidden: ValidatingAdmissionPolicy 'require-cost-center' with binding 'require-cost-center-binding' denied request: pods must carry the cost-center label", 'policy', 'require-cost-center'],
    [
      'Error creating: Internal error occurred: failed calling webhook "mutation.azure-workload-identity.io": failed to call webhook: Post "https://azure-wi-webhook-webhook-service.hook.svc:443/mutate-v1-pod?timeout=3s": tls: failed to verify certificate: x509: certificate is valid for archive.ubuntu.com, deb.debian.org, not azure-wi-webhook-webhook-service.hook.svc',
      'webhook-unavailable',
      'mutation.azure-workload-identity.io',
    ],
  ])('%s', (message, kind, name) => expect(classifyFailedCreate(message)).toMatchObject({ kind, name }));
});
