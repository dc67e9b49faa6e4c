import type { Remediation } from '../src/engine/index.js';
import { defineEndpointCause, type EndpointView, type PodView } from '../src/model-engine/endpoint-view.js';
import { formatAge } from '../src/model-engine/format.js';
import { classifySandboxFailure, type SandboxFailureKind } from '../src/model-engine/k8s-messages.js';
import { eventEvidence, forFirstPod, verdict, waitingField } from './lib/verdict.js';

type Fix = Omit<Remediation, 'docs'>;

const MEANING: Record<SandboxFailureKind, string> = {
  'ip-exhausted': 'the network plugin has no IP address left for it',
  'cni-not-ready': "the node's network plugin is not ready",
  'cni-error': 'the network plugin failed to set up its network',
  'pause-image': 'the container runtime cannot pull the pause (sandbox) image',
  'runtime-handler': "the pod's RuntimeClass handler is not configured in the node's container runtime",
  other: 'the container runtime could not create its sandbox',
};

function fixFor(kind: SandboxFailureKind, node: string, v: EndpointView): Fix {
  const describe = `kubectl describe node ${node}`;
  switch (kind) {
    case 'ip-exhausted':
      return {
        summary:
          v.facts.hints?.cloud === 'aws'
            ? 'Give the VPC CNI more addresses: enable prefix delegation (ENABLE_PREFIX_DELEGATION=true on the aws-node DaemonSet) or add subnets/secondary CIDRs; a node with fewer pods also frees addresses.'
            : "Give the pod network more addresses (a larger pod CIDR or subnet, or fewer pods per node); the kubelet retries on its own.",
        commands: [describe, 'kubectl -n kube-system get daemonset aws-node -o jsonpath=\'{.spec.template.spec.containers[0].env}\'', `kubectl get pods -A --field-selector spec.nodeName=${node} --no-headers | wc -l`],
      };
    case 'cni-not-ready':
    case 'cni-error':
      return { summary: `Fix the network plugin on ${node} (its DaemonSet pod there, its logs); the kubelet retries on its own.`, commands: [describe, `kubectl -n kube-system get pods -o wide --field-selector spec.nodeName=${node}`] };
    case 'pause-image':
      return {
        summary: `Mirror the pause image the runtime uses (containerd's sandbox_image, e.g. registry.k8s.io/pause) into a registry ${node} can reach and point the runtime at it.`,
        commands: [describe, 'crane copy registry.k8s.io/pause:3.10 <your-registry>/pause:3.10'],
      };
    case 'runtime-handler':
      return {
        summary: `Configure the handler in ${node}'s container runtime (the NVIDIA container toolkit adds "nvidia" to containerd), or run the pod without that RuntimeClass.`,
        commands: [describe, 'kubectl get runtimeclass'],
      };
    case 'other':
      return { summary: `Look at ${node}'s kubelet and container runtime: the pod's sandbox cannot be created.`, commands: [describe] };
  }
}

const sandboxFailed = (p: PodView) => p.state.kind === 'waiting' && !!p.state.sandbox;

export default defineEndpointCause({
  meta: {
    code: 'SANDBOX_FAILED',
    title: "The node cannot create the pod's sandbox (network, runtime)",
    rank: 95,
    docs: 'docs/endpoint.md#sandbox-failed',
    reads: ['pods', 'events'],
  },
  match(v) {
    return forFirstPod(v, sandboxFailed, (p) => {
      const st = p.state.kind === 'waiting' ? p.state : undefined;
      const sandbox = st!.sandbox!;
      const { kind, detail } = classifySandboxFailure(sandbox.message ?? '');
      const node = p.pod.spec.nodeName ?? '<node>';
      return verdict(
        'SANDBOX_FAILED',
        'pod',
        `Pod ${p.name} has been ${st!.container.state?.waiting?.reason ?? 'waiting'} for ${formatAge(p.ageMs)} on ${node}: ${MEANING[kind]} (${detail}).`,
        [waitingField(p.pod, st!.container), eventEvidence(sandbox)],
        fixFor(kind, node, v),
        [`kubectl -n ${v.subject.namespace} describe pod ${p.name}`, `kubectl get events -n ${v.subject.namespace} --field-selector involvedObject.name=${p.name}`],
      );
    });
  },
});
