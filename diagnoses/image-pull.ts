import { parseImageRef, type ContainerStatus, type Evidence, type Remediation, type Verdict } from '../src/engine/index.js';
import { defineEndpointCause, podEvents, type EndpointView, type PodView } from '../src/model-engine/endpoint-view.js';
import { formatAge } from '../src/model-engine/format.js';
import { classifyPullError, imageInPullMessage, PULL_ERROR_MEANING, type PullErrorKind } from '../src/model-engine/image-pull.js';
import { scaleRegistryOf } from '../src/model-engine/images.js';
import { isStarting, PULL_GRACE_MS } from './lib/grace.js';
import { eventEvidence, forFirstPod, verdict, waitingField } from './lib/verdict.js';

type Fix = Omit<Remediation, 'docs'>;

/** What the registry probe's answer means when the kubelet's message says nothing useful. */
const KIND_BY_PROBE: Partial<Record<string, PullErrorKind>> = {
  'missing-tag': 'not-found',
  'missing-repository': 'not-found',
  unauthorized: 'unauthorized',
  denied: 'unauthorized',
  'platform-missing': 'platform',
  unreachable: 'timeout',
  'tls-error': 'tls',
};

/** The registry's own command that lists the tags of a repository. */
function lookCommand(registry: string, repository: string, tag: string | undefined): string[] {
  const ecr = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/.exec(registry);
  if (ecr) return [`aws ecr describe-images --registry-id ${ecr[1]} --region ${ecr[2]} --repository-name ${repository} --image-ids imageTag=${tag ?? 'latest'}`];
  if (/\.azurecr\.io$/.test(registry)) return [`az acr repository show-tags --name ${registry.split('.')[0]} --repository ${repository} --orderby time_desc --top 10`];
  if (/-docker\.pkg\.dev$/.test(registry)) return [`gcloud artifacts docker tags list ${registry}/${repository.split('/').slice(0, -1).join('/')}/${repository.split('/').slice(-1)[0]}`];
  return [`crane ls ${registry === 'docker.io' ? '' : `${registry}/`}${repository}`];
}

function fixFor(kind: PullErrorKind, image: string, pod: PodView, v: EndpointView, look: string[]): Fix {
  const { registry, repository, tag } = parseImageRef(image);
  const ecr = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/.exec(registry);
  const sa = pod.pod.spec.serviceAccountName ?? 'default';
  switch (kind) {
    case 'not-found':
      return {
        summary: `Mirror ${repository}:${tag ?? 'latest'} into ${registry} (it is not there), or update the endpoint to an image tag that exists.`,
        commands: [
          ...look,
          ...(ecr ? [`aws ecr describe-repositories --region ${ecr[2]} --repository-names ${repository} >/dev/null 2>&1 || aws ecr create-repository --region ${ecr[2]} --repository-name ${repository}`] : []),
          `crane copy <source-registry>/${repository}:${tag ?? 'latest'} ${image}`,
          `skopeo copy --all docker://<source-registry>/${repository}:${tag ?? 'latest'} docker://${image}`,
        ],
      };
    case 'unauthorized':
      // Scale's registries are private (facts §5, §9 #20): the fix is a mirror, not credentials.
      return scaleRegistryOf(image)
        ? {
            summary: `${image} is in ${scaleRegistryOf(image)}, which your nodes cannot read: mirror ${repository}:${tag ?? 'latest'} into your own registry and point docker_repo_prefix (and the endpoint) at it.`,
            commands: [`crane copy ${image} <your-registry>/${repository}:${tag ?? 'latest'}`, `kubectl -n ${v.subject.cpNamespace} get configmap model-engine-service-config -o jsonpath='{.data.infra_service_config}' | grep docker_repo_prefix`],
          }
        : {
            summary: `Give the nodes (or service account ${sa}) pull access to ${registry}: endpoint pods carry no imagePullSecrets, so credentials come from the node role or the service account.`,
            commands: [`kubectl -n ${v.subject.namespace} get serviceaccount ${sa} -o yaml`, ...look],
          };
    case 'platform':
      return { summary: `Mirror the image with every platform (skopeo copy --all / crane copy), or pick a tag built for the nodes' architecture.`, commands: look };
    case 'timeout':
    case 'dns':
    case 'tls':
    case 'rate-limited':
      return {
        summary: `Let the nodes reach ${registry} (egress, DNS, proxy, CA), or mirror the image into a registry they can reach.`,
        commands: [`kubectl -n ${v.subject.namespace} run pull-test --rm -it --restart=Never --image=${image} --overrides='{"spec":{"nodeName":"${pod.pod.spec.nodeName ?? '<node>'}"}}' -- true`],
      };
    case 'unknown':
      return { summary: `Read the kubelet's message and fix what it names.`, commands: look };
  }
}

/** A container in `ErrImagePull`/`ImagePullBackOff`: the kubelet's message classified, the registry probe beside it. */
function pullFailed(v: EndpointView, p: PodView, cs: ContainerStatus): Verdict {
  const ns = v.subject.namespace;
  const pod = p.pod;
  const events = podEvents(v.facts, pod, cs.name);
  const failedEvent = events.find((e) => e.reason === 'Failed' && /Failed to pull image|failed to pull and unpack|rpc error/i.test(e.message ?? ''));
  const waiting = cs.state?.waiting;
  const spec = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c) => c.name === cs.name);
  const image = spec?.image ?? cs.image ?? imageInPullMessage(failedEvent?.message ?? waiting?.message ?? '') ?? '?';
  let { kind, detail } = classifyPullError(failedEvent?.message ?? waiting?.message ?? '');
  const probe = v.facts.imageProbes?.find((x) => x.ref === image);
  if (kind === 'unknown' && probe) {
    kind = KIND_BY_PROBE[probe.status] ?? kind;
    detail = probe.detail;
  }
  const { registry, repository, tag } = parseImageRef(image);
  const forwarder = cs.name !== 'main' && !cs.name.startsWith('lws');
  const ev: Evidence[] = [
    waitingField(pod, cs),
    ...(failedEvent ? [eventEvidence(failedEvent)] : []),
    ...events.filter((e) => e !== failedEvent && e.reason === 'BackOff').slice(0, 1).map(eventEvidence),
    ...(probe ? [{ type: 'probe' as const, target: image, detail: `${probe.status}: ${probe.detail}${probe.tags?.length ? ` (tags nearby: ${probe.tags.slice(0, 5).join(', ')})` : ''}` }] : []),
  ];
  const what = forwarder ? `The ${cs.name} container (model-engine's forwarder image, tagged with the control plane's GIT_TAG)` : `The ${cs.name} container`;
  const next = [`kubectl -n ${ns} describe pod ${pod.metadata.name}`, `kubectl -n ${ns} get events --field-selector involvedObject.name=${pod.metadata.name}`];
  return verdict(
    'IMAGE_PULL',
    'pod',
    `${what} of pod ${pod.metadata.name} cannot pull ${image}: ${PULL_ERROR_MEANING[kind]}${detail && kind !== 'unknown' ? ` (${detail})` : kind === 'unknown' && detail ? `: ${detail}` : ''}.`,
    ev,
    fixFor(kind, image, p, v, lookCommand(registry, repository, tag)),
    next,
  );
}

/** A pull that has been running for longer than {@link PULL_GRACE_MS}. */
function pullStalled(v: EndpointView, p: PodView): Verdict {
  const st = p.state.kind === 'pulling' ? p.state : undefined;
  const image = st?.image ?? '?';
  return verdict(
    'IMAGE_PULL',
    'pod',
    `Container ${st?.container.name} of pod ${p.name} has been pulling ${image} for ${formatAge(st?.sinceMs ?? NaN)}: the pull is stalled or the link to the registry is very slow.`,
    st ? [eventEvidence(st.event)] : [],
    { summary: `Check the node's connectivity to ${parseImageRef(image).registry}, or mirror the image closer to the cluster; cache it on the nodes with imageCache.devices.`, commands: [`kubectl describe node ${p.pod.spec.nodeName ?? '<node>'}`] },
    [`kubectl -n ${v.subject.namespace} describe pod ${p.name}`],
  );
}

export default defineEndpointCause({
  meta: {
    code: 'IMAGE_PULL',
    title: 'A container cannot get its image',
    rank: 100,
    docs: 'docs/endpoint.md#image-pull',
    reads: ['pods', 'events', 'imageProbes'],
  },
  match(v) {
    return forFirstPod(
      v,
      (p) => p.state.kind === 'image-pull' || (p.state.kind === 'pulling' && !isStarting(v, p)),
      (p) => (p.state.kind === 'image-pull' ? pullFailed(v, p, p.state.container) : pullStalled(v, p)),
    );
  },
});
