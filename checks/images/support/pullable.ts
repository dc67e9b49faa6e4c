/**
 * Shared by the `images/*-pullable` checks: gather the image set (values, ConfigMap, flags, running pods), the
 * nodes' architectures and the service accounts' pull secrets with one list per resource and namespace, probe
 * each image through the registry port, and turn each probe into a finding with its remediation.
 */
import {
  ifForbidden,
  fail,
  pass,
  skip,
  warn,
  type CheckContext,
  type ConfigMap,
  type Evidence,
  type Finding,
  type KubeObject,
  type Node,
  type ObjectRef,
  type Pod,
  type Remediation,
  type Severity,
  str,
} from '../../../src/engine/index.js';
import {
  imageSet,
  nearestTags,
  parseFrameworkTags,
  podKind,
  registryHost,
  scaleRegistryOf,
  serviceConfigFromData,
  type ImageEntry,
  type ImageGroup,
  type ImageSet,
} from '../../../src/model-engine/images.js';
import { copyCommands, createRepositoryCommands, mirrorTarget } from '../../../src/model-engine/mirror-plan.js';
import type { ImageProbe } from '../../../src/engine/ports/registry.js';

export const FRAMEWORK_CONFIG_MAP = 'model-engine-inference-framework-latest-config';
export { SERVICE_CONFIG_MAP } from '../../../src/model-engine/model-engine-config.js';
import { SERVICE_CONFIG_MAP } from '../../../src/model-engine/model-engine-config.js';
const ARCH_LABEL = 'kubernetes.io/arch';
const ACCELERATOR_LABEL = 'k8s.amazonaws.com/accelerator';

export interface SecretRef {
  namespace: string;
  name: string;
}

export interface ImageInputs {
  set: ImageSet;
  /** Architectures of the nodes that run each kind of pod. */
  archs: { controlPlane: string[]; endpoint: string[]; assumed: boolean };
  /** Pull secrets of the service accounts that pull: control plane, endpoints. */
  pullSecrets: { controlPlane: SecretRef[]; endpoint: SecretRef[] };
  /** The service accounts those come from, for remediations. */
  serviceAccounts: { controlPlane: SecretRef; endpoint: SecretRef };
  pods: Pod[];
  nodes: Node[];
  notes: Evidence[];
}

function tolerant<T>(fn: () => Promise<T>, notes: Evidence[]): Promise<T | undefined> {
  return ifForbidden(fn, (e) => {
    notes.push({ type: 'note', text: `${e.message}: that part of the image set is not known` });
    return undefined;
  });
}

/** The `kubernetes.io/arch` values of nodes (status.nodeInfo.architecture as a fallback). */
export function nodeArchitectures(nodes: readonly Node[]): string[] {
  return [...new Set(nodes.map((n) => n.metadata.labels?.[ARCH_LABEL] ?? n.status?.nodeInfo?.architecture).filter((a): a is string => !!a))].sort();
}

/** GPU nodes: labelled with an accelerator, or offering `nvidia.com/gpu`. */
export function isGpuNode(n: Node): boolean {
  return !!n.metadata.labels?.[ACCELERATOR_LABEL] || Number(n.status?.allocatable?.['nvidia.com/gpu'] ?? 0) > 0;
}

interface ServiceAccount extends KubeObject {
  imagePullSecrets?: { name: string }[];
}

function pullSecretNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((v) => (typeof v === 'string' ? v : (str(v, 'name') ?? ''))).filter(Boolean);
}

/** Everything the pullability checks read, each list made once per namespace (memoised by the kube port). */
export async function gatherImageInputs(ctx: CheckContext): Promise<ImageInputs> {
  const notes: Evidence[] = [];
  const { controlPlane, endpoint } = ctx.namespaces;
  const kube = ctx.kube;
  const namespaces = [...new Set([controlPlane, endpoint])];
  let pods: Pod[] = [];
  let nodes: Node[] = [];
  let frameworkConfigMap: Record<string, string> | undefined;
  let serviceConfig: ReturnType<typeof serviceConfigFromData>;
  const sas = new Map<string, ServiceAccount[]>();
  if (kube) {
    const lists = await Promise.all(namespaces.map((ns) => tolerant(() => kube.list<Pod>('pods', { namespace: ns }), notes)));
    pods = lists.flatMap((l) => l ?? []);
    nodes = (await tolerant(() => kube.list<Node>('nodes'), notes)) ?? [];
    frameworkConfigMap = (await tolerant(() => kube.get<ConfigMap>('configmaps', FRAMEWORK_CONFIG_MAP, controlPlane), notes))?.data;
    if (!ctx.values) serviceConfig = serviceConfigFromData((await tolerant(() => kube.get<ConfigMap>('configmaps', SERVICE_CONFIG_MAP, controlPlane), notes))?.data);
    for (const ns of namespaces) sas.set(ns, (await tolerant(() => kube.list<ServiceAccount>('serviceaccounts', { namespace: ns }), notes)) ?? []);
  }
  let frameworkTags: ReturnType<typeof parseFrameworkTags> = {};
  try {
    frameworkTags = parseFrameworkTags(ctx.options.extra.frameworkTag);
  } catch (e) {
    notes.push({ type: 'note', text: (e as Error).message });
  }
  const set = imageSet({
    ...(ctx.values ? { values: ctx.values } : {}),
    ...(frameworkConfigMap ? { frameworkConfigMap } : {}),
    frameworkTags,
    ...(serviceConfig ? { serviceConfig } : {}),
    pods,
  });

  const allArchs = nodeArchitectures(nodes);
  const gpuArchs = nodeArchitectures(nodes.filter(isGpuNode));
  const assumed = allArchs.length === 0;
  if (assumed) notes.push({ type: 'note', text: 'node architectures unknown (no cluster, or nodes not readable): linux/amd64 assumed' });

  // The service accounts that pull: what the running pods use, else what the chart renders.
  const cpSaName = pods.find((p) => podKind(p) === 'control-plane')?.spec.serviceAccountName ?? 'model-engine';
  const valuesSa = ctx.values?.get('serviceTemplate.serviceAccountName');
  const epSaName =
    pods.find((p) => podKind(p) === 'endpoint')?.spec.serviceAccountName ??
    pods.find((p) => podKind(p) === 'endpoint')?.spec.serviceAccount ??
    (typeof valuesSa === 'string' && valuesSa ? valuesSa : 'model-engine');
  const secretsOf = (ns: string, sa: string): SecretRef[] =>
    (sas.get(ns)?.find((s) => s.metadata.name === sa)?.imagePullSecrets ?? []).map((s) => ({ namespace: ns, name: s.name }));
  const valuesPullSecrets = pullSecretNames(ctx.values?.get('imagePullSecrets')).map((name) => ({ namespace: controlPlane, name }));
  return {
    set,
    archs: { controlPlane: assumed ? ['amd64'] : allArchs, endpoint: assumed ? ['amd64'] : gpuArchs.length ? gpuArchs : allArchs, assumed },
    pullSecrets: { controlPlane: [...secretsOf(controlPlane, cpSaName), ...valuesPullSecrets], endpoint: secretsOf(endpoint, epSaName) },
    serviceAccounts: { controlPlane: { namespace: controlPlane, name: cpSaName }, endpoint: { namespace: endpoint, name: epSaName } },
    pods,
    nodes,
    notes,
  };
}

/** Which architectures and pull secrets apply to an entry: endpoint roles pull on GPU nodes with the inference SA. */
export function pullContext(e: ImageEntry, inputs: ImageInputs): { architectures: string[]; pullSecrets: SecretRef[] } {
  const endpointSide = e.group === 'framework' || e.roles.some((r) => /forwarder|endpoint|image-cache/.test(r));
  const controlSide = e.group === 'control-plane' && e.roles.some((r) => !/forwarder/.test(r));
  const key = (s: SecretRef) => `${s.namespace}/${s.name}`;
  const secrets = new Map<string, SecretRef>();
  if (endpointSide) for (const s of inputs.pullSecrets.endpoint) secrets.set(key(s), s);
  if (controlSide || e.group === 'support') for (const s of inputs.pullSecrets.controlPlane) secrets.set(key(s), s);
  const archs = new Set<string>([...(endpointSide ? inputs.archs.endpoint : []), ...(controlSide || !endpointSide ? inputs.archs.controlPlane : [])]);
  return { architectures: [...archs].sort(), pullSecrets: [...secrets.values()] };
}

export const PULLABLE_MESSAGES = {
  exists: '{{ref}} exists in {{registry}} ({{roles}}){{whose}}; checked with {{checkedWith}}',
  missingTag: 'Tag {{tag}} of {{repository}} does not exist in {{registry}}: {{roles}} cannot start{{nearest}}',
  missingRepository: 'Repository {{repository}} does not exist in {{registry}}: {{roles}} cannot start (the image was not mirrored)',
  unauthorized: '{{registry}} refused every credential for {{ref}} ({{roles}}); checked with {{checkedWith}}',
  denied: '{{registry}} denied access to {{ref}} ({{roles}}): the credentials are valid but lack pull permission; checked with {{checkedWith}}',
  platformMissing: '{{ref}} has no {{missing}} variant, which the nodes need ({{roles}}); it has {{platforms}}',
  unreachable: '{{registry}} could not be reached from here for {{ref}} ({{roles}}): {{detail}}',
  rateLimited: '{{registry}} is rate-limiting pulls of {{ref}} ({{roles}}): {{detail}}; the nodes pull through the same limits',
  registryError: '{{registry}} (or its token service) failed for {{ref}} ({{roles}}): {{detail}}',
  tlsError: 'The TLS certificate of {{registry}} is not trusted here ({{ref}}, {{roles}}): {{detail}}',
  notProbed: 'Not probed ({{ref}}): {{detail}}',
  noImages: 'No {{group}} images to check: {{why}}',
  valuesIncomplete: 'The {{group}} images cannot be named: {{detail}}',
} as const;

function describeCredentials(p: ImageProbe): string {
  return p.checkedWith.map((c) => `${c.label} (${c.outcome}${c.outcome === 'answered' ? '' : c.detail ? `: ${c.detail}` : ''}${c.expiresAt ? `, expires ${c.expiresAt}` : ''})`).join('; ');
}

function probeEvidence(p: ImageProbe): Evidence[] {
  const ev: Evidence[] = [
    {
      type: 'probe',
      target: p.ref,
      detail: `${p.status}${p.httpStatus ? ` (HTTP ${p.httpStatus}${p.errorCode ? ` ${p.errorCode}` : ''})` : p.errorCode ? ` (${p.errorCode})` : ''}: ${p.detail}${p.cloudApi ? ` [${p.cloudApi}]` : ''}`,
    },
  ];
  for (const c of p.checkedWith) {
    ev.push({ type: 'note', text: `checked with ${c.label}: ${c.outcome}${c.detail ? ` — ${c.detail}` : ''}${c.expiresAt ? ` (token expires ${c.expiresAt})` : ''}` });
  }
  return ev;
}

/** The values keys of an entry as evidence, and the pods seen running it. */
function entryEvidence(ctx: CheckContext, e: ImageEntry): Evidence[] {
  const ev: Evidence[] = [];
  if (ctx.values) for (const p of e.valuesPaths) ev.push(ctx.values.evidence(p));
  if (e.tagFrom && !e.valuesPaths.includes(e.tagFrom)) ev.push({ type: 'note', text: `tag from ${e.tagFrom}` });
  for (const pod of (e.pods ?? []).slice(0, 3)) ev.push({ type: 'object', object: pod, detail: `runs ${e.ref}` });
  return ev;
}

/** Commands that put one image into the registry it is pulled from, and the setup the registry needs. */
export function mirrorRemediationCommands(e: ImageEntry, p: ImageProbe): string[] {
  const tag = p.reference;
  const source = e.upstream && !p.ref.startsWith(`${e.upstream.repository}:`) ? `${e.upstream.repository}:${tag}` : undefined;
  const registry = registryHost(p.ref);
  const target = mirrorTarget(registry);
  const cmds: string[] = [];
  if (p.status === 'missing-repository') cmds.push(...createRepositoryCommands(target, [p.repository]));
  if (source) {
    const c = copyCommands(source, p.ref);
    cmds.push(c.skopeo, c.crane, `# or: ${c.docker.join(' && ')}`);
    if (!e.upstream?.verified) cmds.push(`# ${source} is an assumed source (Scale does not document publishing it); see "model-engine-doctor mirror-plan --mirror-from"`);
  }
  cmds.push('model-engine-doctor mirror-plan -f values.yaml -o script > mirror.sh   # every image at once');
  return cmds;
}

function accessRemediation(e: ImageEntry, p: ImageProbe, inputs: ImageInputs): Remediation {
  const host = p.registry;
  const sa = e.group === 'framework' || e.roles.some((r) => /forwarder/.test(r)) ? inputs.serviceAccounts.endpoint : inputs.serviceAccounts.controlPlane;
  const commands = [
    `kubectl -n ${sa.namespace} create secret docker-registry regcred --docker-server=${host} --docker-username=<user> --docker-password=<password>`,
    `kubectl -n ${sa.namespace} patch serviceaccount ${sa.name} -p '{"imagePullSecrets":[{"name":"regcred"}]}'`,
  ];
  let summary = `Give service account ${sa.namespace}/${sa.name} (which pulls it) credentials for ${host}: an imagePullSecret, or node credentials.`;
  if (/\.dkr\.ecr\./.test(host)) {
    summary = `Let the nodes pull from ${host}: the node IAM role needs ecr:GetAuthorizationToken, ecr:BatchGetImage and ecr:GetDownloadUrlForLayer (AmazonEC2ContainerRegistryReadOnly), and a cross-account registry needs a repository policy for that role.`;
    const partition = ecrPartition(host);
    const region = partition === 'aws-cn' ? ' --region cn-north-1' : partition === 'aws-us-gov' ? ' --region us-gov-west-1' : '';
    commands.unshift(`aws iam attach-role-policy --role-name <node-role> --policy-arn arn:${partition}:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly${region}`);
  } else if (/\.azurecr\./.test(host)) {
    summary = `Let the cluster pull from ${host}: attach the registry to AKS (AcrPull for the kubelet identity), or refresh the egp-ecr-regcred pull secret the chart puts on the service accounts.`;
    commands.unshift(`az aks update --name <cluster> --resource-group <rg> --attach-acr ${host.split('.')[0]}`);
  } else if (/-docker\.pkg\.dev$|gcr\.io$/.test(host)) {
    summary = `Let the nodes pull from ${host}: grant roles/artifactregistry.reader to the node service account.`;
    commands.unshift('gcloud artifacts repositories add-iam-policy-binding <repository> --location=<location> --member=serviceAccount:<node-sa> --role=roles/artifactregistry.reader');
  }
  const expired = p.checkedWith.find((c) => c.outcome === 'expired');
  if (expired) summary = `${expired.label} holds an ECR token that expired at ${expired.expiresAt}: ECR logins last 12 h, so refresh the secret on a schedule or use node IAM credentials instead. ${summary}`;
  return { summary, commands };
}

function severityFor(e: ImageEntry, group: ImageGroup): Severity {
  if (!e.primary) return 'medium';
  return group === 'control-plane' ? 'critical' : 'high';
}

/**
 * Whose pull path an "exists" answer proves: anonymous and pull-secret answers hold for the nodes too; this
 * machine's own login (docker config, a credential helper, a cloud login) says nothing about the nodes' (node IAM
 * role, AcrPull on the kubelet identity, the GKE node service account).
 */
export function whoseCredentials(p: ImageProbe): string {
  const by = p.answeredBy ?? '';
  if (by === 'anonymous') return ' — anonymously, so the nodes can pull it too (network and rate limits aside)';
  if (by.startsWith('pull secret ')) return ` — with ${by}, which the kubelet uses too`;
  return ` — with this machine's credentials (${by || 'yours'}), not the nodes' (node IAM role, kubelet identity, node service account): --canary pulls it from a node`;
}

/** `arn:<partition>:iam::aws:policy/…` for an ECR host (`.amazonaws.com.cn` is aws-cn; `us-gov-*` regions aws-us-gov). */
export function ecrPartition(host: string): string {
  if (/\.amazonaws\.com\.cn$/.test(host)) return 'aws-cn';
  if (/\.ecr(-fips)?\.us-gov-/.test(host)) return 'aws-us-gov';
  return 'aws';
}

/** One finding per probe. Optional images fail as warnings; unreachable/TLS are warnings (the nodes may differ). */
export function findingForProbe(ctx: CheckContext, e: ImageEntry, p: ImageProbe, inputs: ImageInputs): Finding {
  const object: ObjectRef = { kind: 'Image', name: e.ref };
  const roles = e.roles.join(', ');
  const base = { object, data: { ref: e.ref, registry: p.registry, repository: p.repository, tag: p.reference, roles, checkedWith: describeCredentials(p) } };
  const evidence = [...probeEvidence(p), ...entryEvidence(ctx, e), ...inputs.notes];
  const failOrWarn = (messageId: string, data: Record<string, unknown>, remediation: Remediation, severity = severityFor(e, e.group)) =>
    e.primary ? fail(messageId, { ...base, data: { ...base.data, ...data }, evidence, remediation, severity }) : warn(messageId, { ...base, data: { ...base.data, ...data }, evidence, remediation, severity });
  const scale = scaleRegistryOf(e.ref);
  switch (p.status) {
    case 'exists':
      return pass('exists', { ...base, data: { ...base.data, whose: whoseCredentials(p) }, evidence });
    case 'rate-limited':
      return warn('rateLimited', {
        ...base,
        data: { ...base.data, detail: p.detail },
        evidence,
        // A warning (the limit passes), high for an image model-engine cannot run without, medium for an optional one.
        severity: e.primary ? 'high' : 'medium',
        remediation: {
          summary:
            p.registry === 'docker.io'
              ? 'Docker Hub limits pulls per IP (anonymous) and per account: mirror the image into your own registry (mirror-plan), or give the pulling service account an imagePullSecret for a paid Docker Hub account. Manifest GETs count, HEADs do not.'
              : `Wait for the limit to reset${p.rateLimit?.retryAfter ? ` (Retry-After ${p.rateLimit.retryAfter})` : ''}, and mirror the image into a registry the cluster owns.`,
          commands: mirrorRemediationCommands(e, p),
        },
      });
    case 'registry-error':
      return warn('registryError', {
        ...base,
        data: { ...base.data, detail: p.detail },
        evidence,
        severity: 'medium',
        remediation: { summary: `${p.registry} could not answer (HTTP ${p.httpStatus ?? '5xx'}); rerun later, and check the registry's status page.`, commands: [`curl -sI https://${p.registry === 'docker.io' ? 'registry-1.docker.io' : p.registry}/v2/`] },
      });
    case 'missing-tag': {
      const near = nearestTags(p.reference, p.tags ?? []);
      const tagKey = e.valuesPaths.find((k) => k === 'tag' || k.startsWith('inferenceFramework.') || k.endsWith('.tag'));
      return failOrWarn(
        'missingTag',
        { nearest: near.length ? `; nearest existing tags: ${near.join(', ')}` : p.tags && p.tags.length === 0 ? '; the repository has no tags' : '' },
        {
          summary: scale
            ? `${e.ref} is in ${scale}: mirror it into your registry and point the values at it.`
            : `Copy ${p.repository}:${p.reference} into ${p.registry}${near.length && tagKey ? `, or set ${tagKey} to an existing tag (${near[0]})` : ''}.`,
          commands: mirrorRemediationCommands(e, p),
          ...(near.length && tagKey ? { values: `${tagKey.split('.').map((k, i, a) => `${'  '.repeat(i)}${k}:${i === a.length - 1 ? ` "${near[0]}"` : ''}`).join('\n')}` } : {}),
        },
      );
    }
    case 'missing-repository':
      return failOrWarn('missingRepository', {}, {
        summary: scale ? `${e.ref} is in ${scale}: mirror it into your registry and point the values at it.` : `Create repository ${p.repository} in ${p.registry} and copy the image into it.`,
        commands: mirrorRemediationCommands(e, p),
      });
    case 'unauthorized':
      return failOrWarn('unauthorized', {}, accessRemediation(e, p, inputs));
    case 'denied':
      return failOrWarn('denied', {}, accessRemediation(e, p, inputs));
    case 'platform-missing':
      return failOrWarn('platformMissing', { missing: (p.missingPlatforms ?? []).join(', '), platforms: (p.platforms ?? []).join(', ') || 'none listed' }, {
        summary: `Mirror a variant for ${(p.missingPlatforms ?? []).join(', ')}: copy the multi-platform index with "skopeo copy --all" (not a single-platform docker pull/push), or use a tag built for the nodes' architecture.`,
        commands: mirrorRemediationCommands(e, p),
      });
    case 'not-probed':
      return skip('notProbed', { ...base, data: { ...base.data, detail: p.detail } });
    case 'unreachable':
    case 'tls-error':
      return warn(p.status === 'unreachable' ? 'unreachable' : 'tlsError', {
        ...base,
        data: { ...base.data, detail: p.detail },
        evidence,
        // One cause per registry (this machine cannot reach it), however many images live there; the pods the
        // evidence names run those images and are no part of it.
        root: [`registry:${p.registry}`],
        severity: 'medium',
        remediation: {
          summary:
            p.status === 'unreachable'
              ? `This machine cannot reach ${p.registry}; the nodes may. Rerun from inside the network, or with --canary to pull from the cluster itself.`
              : `Trust the registry's CA here (/etc/docker/certs.d/${p.registry}/ca.crt or NODE_EXTRA_CA_CERTS) and on the nodes (containerd certs.d), or rerun with --canary.`,
          commands: [`curl -sv https://${p.registry}/v2/ -o /dev/null`, 'model-engine-doctor preflight --canary --only images/canary-pull'],
        },
      });
  }
}

/**
 * The values problems that leave a group with no image to name. Support images have none: with values the utility
 * images always have their chart defaults, and without values no problem is recorded.
 */
const VALUES_PROBLEMS: Record<ImageGroup, readonly string[]> = { 'control-plane': ['missingTag', 'missingRepository'], framework: ['missingPrefix', 'badGarPrefix'], support: [] };

/** The messages of the support group's check: all but `valuesIncomplete`, which it cannot produce (see VALUES_PROBLEMS). */
export const SUPPORT_MESSAGES = (({ valuesIncomplete: _never, ...rest }) => rest)(PULLABLE_MESSAGES);

/** Probe every image of a group and return one finding each. */
export async function probeGroup(ctx: CheckContext<'registry'>, group: ImageGroup, label: string): Promise<Finding[]> {
  if (!ctx.values && !ctx.kube) return [skip('noImages', { data: { group: label, why: 'pass -f values.yaml, or a cluster with the release installed' } })];
  const registry = ctx.ports.registry;
  const inputs = await gatherImageInputs(ctx);
  const entries = inputs.set.images.filter((e) => e.group === group);
  if (entries.length === 0) {
    const problem = inputs.set.problems.find((p) => VALUES_PROBLEMS[group].includes(p.code));
    if (problem) return [skip('valuesIncomplete', { data: { group: label, detail: problem.detail }, ...(ctx.values ? { evidence: [ctx.values.evidence(problem.valuesPath)] } : {}) })];
    // Values that could not be read are not values that name no image: say which read failed.
    const why = ctx.values ? undefined : ctx.missing?.values;
    return [skip('noImages', { data: { group: label, why: why ? `the helm values could not be read (${why.message}; pass -f values.yaml) and the cluster names none` : 'the values and the cluster name none' } })];
  }
  ctx.progress(`probing ${entries.length} ${label} image${entries.length === 1 ? '' : 's'}`);
  const probes = await Promise.all(entries.map((e) => registry.probe({ ref: e.ref, ...pullContext(e, inputs) }, ctx.signal)));
  const findings = entries.map((e, i) => findingForProbe(ctx, e, probes[i]!, inputs));
  // One line for everything the network policy kept us from probing, not one per image.
  const notProbed = probes.filter((p) => p.status === 'not-probed');
  if (notProbed.length <= 1) return findings;
  const refs = notProbed.map((p) => p.ref);
  return [
    ...findings.filter((f) => f.messageId !== 'notProbed'),
    skip('notProbed', {
      data: { ref: `${refs.length} images: ${refs.slice(0, 3).join(', ')}${refs.length > 3 ? ', …' : ''}`, detail: notProbed[0]!.detail },
      evidence: refs.map((r) => ({ type: 'note' as const, text: `not probed: ${r}` })),
    }),
  ];
}
