/**
 * The images an install and its endpoints will pull (facts §1.3, §6.4, §7, §8), as a pure function of the helm
 * values, the inference-framework ConfigMap, `--framework-tag` flags and (for a live cluster) the pods that run.
 * Shared by the `images` checks and `mirror-plan`; the values-only `values/images-mirrored` rule can reuse it.
 */
import { parse as parseYaml } from 'yaml';
import { parseImageRef } from '../engine/kube-types.js';
import { get, rec } from '../engine/safe.js';
import type { ObjectRef } from '../engine/types.js';

/** The slice of {@link ValuesPort} the image set reads (a plain `get` keeps the helpers testable). */
export interface ValuesLike {
  get(path: string): unknown;
}

export type ImageGroup = 'control-plane' | 'framework' | 'support';
/** model-engine's registry classes (`docker_registry_type`, or inferred from `docker_repo_prefix`). */
export type RegistryType = 'ecr' | 'acr' | 'gar' | 'onprem' | 'generic';

export interface ImageEntry {
  /** The reference as the kubelet will pull it. */
  ref: string;
  /** Stable short name: `model-engine`, `vllm`, `busybox`, `kaniko`, … or `pod:<container image repo>`. */
  key: string;
  group: ImageGroup;
  /** What pulls it: `gateway`, `forwarder (every endpoint pod)`, `vLLM endpoints`, … */
  roles: string[];
  /** Values keys that decide the repository and tag (for evidence and the values snippet). */
  valuesPaths: string[];
  /** Where the tag came from: a values key, the ConfigMap, `--framework-tag`, the chart, or code. */
  tagFrom?: string;
  /** True when failing it breaks the install or every LLM endpoint (vs. an optional feature). */
  primary: boolean;
  /** False when the reference is hard-coded in model-engine (only a node-level registry mirror redirects it). */
  redirectable: boolean;
  /** The public image it is a copy of, for the mirror plan (without tag). `verified: false` = an assumption. */
  upstream?: { repository: string; verified: boolean };
  /** The path it should get under a mirror prefix (`vllm`, `model-engine`, `docker/library/busybox`). */
  mirrorPath: string;
  /** Pods seen running it (live cluster). */
  pods?: ObjectRef[];
  /** Where this entry came from. */
  from: ('values' | 'configmap' | 'flag' | 'cluster' | 'code')[];
  note?: string;
}

/** A problem with the values themselves (the reference cannot even be built). */
export interface ImageSetProblem {
  code: 'missingTag' | 'missingRepository' | 'missingPrefix' | 'badGarPrefix';
  valuesPath: string;
  detail: string;
}

export interface ImageSet {
  images: ImageEntry[];
  problems: ImageSetProblem[];
  registryType: RegistryType;
  /** `config.values.infra.docker_repo_prefix` (or the ConfigMap's), if known. */
  dockerRepoPrefix?: string;
}

/** Scale's public registry for the control-plane image (values_sample.yaml). */
export const SCALE_PUBLIC_PREFIX = 'public.ecr.aws/b2z8n5q1';

/** The LLM frameworks: `inferenceFramework` key → launch config repository key, default repository, who uses it. */
export const FRAMEWORKS = [
  { name: 'vllm', repoKey: 'vllm_repository', defaultRepo: 'vllm', primary: true, role: 'vLLM endpoints (the default LLM framework)' },
  { name: 'vllm_batch', repoKey: 'batch_inference_vllm_repository', defaultRepo: 'llm-engine/batch-infer-vllm', primary: true, role: 'batch inference jobs (vLLM)' },
  { name: 'vllm_batch_v2', repoKey: 'batch_inference_vllm_repository', defaultRepo: 'llm-engine/batch-infer-vllm', primary: false, role: 'batch inference jobs v2 (vLLM)' },
  { name: 'text_generation_inference', repoKey: 'tgi_repository', defaultRepo: 'text-generation-inference', primary: false, role: 'TGI endpoints' },
  { name: 'lightllm', repoKey: 'lightllm_repository', defaultRepo: 'lightllm', primary: false, role: 'LightLLM endpoints' },
  { name: 'tensorrt_llm', repoKey: 'tensorrt_llm_repository', defaultRepo: 'tensorrt-llm', primary: false, role: 'TensorRT-LLM endpoints' },
  // DeepSpeed's repository is hard-coded in model-engine (facts §8).
  { name: 'deepspeed', repoKey: undefined, defaultRepo: 'instant-llm', primary: false, role: 'DeepSpeed endpoints' },
  { name: 'sglang', repoKey: 'sglang_repository', defaultRepo: 'sglang', primary: false, role: 'SGLang endpoints' },
] as const;
export type FrameworkName = (typeof FRAMEWORKS)[number]['name'];

/** Accepted spellings for `--framework-tag name=tag` (repository names and short forms too). */
const FRAMEWORK_ALIASES: Readonly<Record<string, FrameworkName>> = {
  tgi: 'text_generation_inference',
  'text-generation-inference': 'text_generation_inference',
  'tensorrt-llm': 'tensorrt_llm',
  trtllm: 'tensorrt_llm',
  'batch-infer-vllm': 'vllm_batch',
  'vllm-batch': 'vllm_batch',
  'vllm-batch-v2': 'vllm_batch_v2',
};

export function frameworkName(s: string): FrameworkName | undefined {
  const k = s.trim().toLowerCase();
  if (FRAMEWORKS.some((f) => f.name === k)) return k as FrameworkName;
  return FRAMEWORK_ALIASES[k];
}

/** Parse `--framework-tag` values (`vllm=0.6.3`, also comma-joined). Throws on an unknown framework. */
export function parseFrameworkTags(specs: readonly string[] | string | undefined): Partial<Record<FrameworkName, string>> {
  const list = (typeof specs === 'string' ? [specs] : (specs ?? [])).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const out: Partial<Record<FrameworkName, string>> = {};
  for (const spec of list) {
    const eq = spec.indexOf('=');
    const name = eq > 0 ? frameworkName(spec.slice(0, eq)) : undefined;
    const tag = eq > 0 ? spec.slice(eq + 1).trim() : '';
    if (!name || !tag) {
      throw new Error(`bad --framework-tag "${spec}": expected name=tag with name one of ${FRAMEWORKS.map((f) => f.name).join(', ')}`);
    }
    out[name] = tag;
  }
  return out;
}

/** model-engine's `infer_registry_type(docker_repo_prefix)` (facts §2.2): substring tests, never `onprem`. */
export function inferRegistryType(prefix: string | undefined): Exclude<RegistryType, 'onprem'> {
  if (!prefix) return 'generic';
  if (prefix.includes('.dkr.ecr.') && prefix.includes('.amazonaws.com')) return 'ecr';
  if (prefix.includes('.azurecr.io')) return 'acr';
  if (prefix.includes('-docker.pkg.dev')) return 'gar';
  return 'generic';
}

/**
 * `api/dependencies.py` (since #775): `infra.docker_registry_type or infer_registry_type(prefix)`; `ecr`, `acr`,
 * `gar`, `onprem` pick their class, anything else (an unknown type included) is the Generic (anonymous OCI) one.
 */
export function effectiveRegistryType(explicit: unknown, prefix: string | undefined): RegistryType {
  const pythonTruthy = !(explicit === undefined || explicit === null || explicit === false || explicit === 0 || explicit === '');
  const t = pythonTruthy ? String(explicit) : inferRegistryType(prefix);
  return t === 'ecr' || t === 'acr' || t === 'gar' || t === 'onprem' ? t : 'generic';
}

/** model-engine's `is_repo_name`: a bare repository name (no host, no tag) that `get_image_url` prefixes. */
export function isRepoName(repo: string): boolean {
  return /^[a-z0-9\-_/]*$/.test(repo);
}

/**
 * The repository model-engine pulls for a framework repository value (`get_image_url`, facts §3): GAR always
 * prefixes `docker_repo_prefix/`; the other classes prefix only bare names and use anything else verbatim.
 */
export function resolveRepository(prefix: string, repo: string, type: RegistryType): string {
  if (type === 'gar' || isRepoName(repo)) return `${prefix.replace(/\/+$/, '')}/${repo}`;
  return repo;
}

/** `resolveRepository` plus the tag. */
export function frameworkImageUrl(prefix: string | undefined, repo: string, tag: string, registryType: RegistryType): string {
  return `${resolveRepository(prefix ?? '', repo, registryType)}:${tag}`;
}

/** The registry host of a repository reference (Docker's rule: a first segment with a dot, a colon or `localhost`). */
export function registryHost(repository: string): string {
  const first = repository.split('/')[0] ?? '';
  return repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

const SCALE_REGISTRIES: readonly { re: RegExp; label: string }[] = [
  { re: /^public\.ecr\.aws\/b2z8n5q1(\/|$)/, label: "Scale's public ECR gallery public.ecr.aws/b2z8n5q1" },
  { re: /^307185671274\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?(\/|$)/, label: "Scale's private ECR account 307185671274" },
  { re: /^692474966980\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?(\/|$)/, label: "Scale's private ECR account 692474966980" },
  { re: /^0{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?(\/|$)/, label: 'the 000000000000 placeholder account of the samples' },
  { re: /^harbor\.mgmt\.internal\.scalegov\.com(\/|$)/, label: "Scale's internal Harbor (harbor.mgmt.internal.scalegov.com)" },
];

/** Which of Scale's registries (or sample placeholders) a repository or prefix points at, if any. */
export function scaleRegistryOf(ref: string): string | undefined {
  const r = ref.trim().replace(/^[a-z]+:\/\//i, '');
  return SCALE_REGISTRIES.find((x) => x.re.test(r))?.label;
}

/**
 * The repository name to use in the user's registry: the path after the registry host, and after the
 * gallery alias on public ECR (`public.ecr.aws/b2z8n5q1/llm-engine/batch-infer-vllm` → `llm-engine/batch-infer-vllm`).
 */
export function repositoryPath(repository: string): string {
  const host = registryHost(repository);
  let path = host === 'docker.io' && !repository.startsWith('docker.io/') ? repository : repository.slice(host.length + 1);
  if (host === 'public.ecr.aws') path = path.split('/').slice(1).join('/');
  return path;
}

/** `crane copy` and `skopeo copy` for one image, every platform of a multi-arch index included. */
export function mirrorCommands(source: string, target: string): string[] {
  return [`crane copy ${source} ${target}`, `skopeo copy --all docker://${source} docker://${target}`];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined);
const truthy = (v: unknown): boolean => v === true || v === 'true';

/** The last path segment (`llm-engine/batch-infer-vllm` keeps its two segments, as model-engine names it). */
function baseName(repository: string): string {
  const path = parseImageRef(`${repository}:x`).repository;
  return path.split('/').slice(-1)[0] ?? path;
}

/** The launch/infra config of ConfigMap `model-engine-service-config` (its two YAML keys), for live clusters. */
export function serviceConfigFromData(data: Record<string, string> | undefined): { launch: Record<string, unknown>; infra: Record<string, unknown> } | undefined {
  if (!data) return undefined;
  const parse = (text: string | undefined): Record<string, unknown> => {
    try {
      return rec(text ? parseYaml(text) : undefined) ?? {};
    } catch {
      return {};
    }
  };
  return { launch: parse(data.launch_service_config), infra: parse(data.infra_service_config) };
}

export interface ImageSetInput {
  values?: ValuesLike;
  /** Data of ConfigMap `model-engine-inference-framework-latest-config` (live cluster). */
  frameworkConfigMap?: Record<string, string>;
  /** `--framework-tag` overrides. */
  frameworkTags?: Partial<Record<FrameworkName, string>>;
  /** The service ConfigMap's parsed launch/infra config (live cluster), used when values do not say. */
  serviceConfig?: { launch: Record<string, unknown>; infra: Record<string, unknown> };
}

/**
 * Merge `e` into `list`: a new reference is appended, a known one gains `e`'s roles, paths, sources and pods.
 * `index` (by reference) keeps it linear when a cluster's 100,000 pods are added one container at a time.
 */
function add(list: ImageEntry[], e: ImageEntry, index?: Map<string, ImageEntry>): void {
  const same = index ? index.get(e.ref) : list.find((x) => x.ref === e.ref);
  if (!same) {
    list.push(e);
    index?.set(e.ref, e);
    return;
  }
  for (const r of e.roles) if (!same.roles.includes(r)) same.roles.push(r);
  for (const p of e.valuesPaths) if (!same.valuesPaths.includes(p)) same.valuesPaths.push(p);
  for (const f of e.from) if (!same.from.includes(f)) same.from.push(f);
  same.primary ||= e.primary;
  same.redirectable &&= e.redirectable;
  // Appended in place (the entries are this list's own): a copy per pod made the merge quadratic.
  if (e.pods) {
    if (same.pods) for (const p of e.pods) same.pods.push(p);
    else same.pods = [...e.pods];
  }
  same.upstream ??= e.upstream;
  same.tagFrom ??= e.tagFrom;
}

/** Control-plane images: gateway (also cacher, celery autoscaler, hook jobs), builder, forwarder (facts §1.3, §6.4). */
export function controlPlaneImages(values: ValuesLike): { images: ImageEntry[]; problems: ImageSetProblem[] } {
  const images: ImageEntry[] = [];
  const problems: ImageSetProblem[] = [];
  const tag = str(values.get('tag'));
  if (!tag) {
    problems.push({ code: 'missingTag', valuesPath: 'tag', detail: 'tag is not set: the chart renders every control-plane image as "<repository>:" and no pod can pull it' });
  }
  const autoscaler = truthy(values.get('celery_autoscaler.enabled'));
  const cp = [
    {
      path: 'image.gatewayRepository',
      roles: ['gateway', 'cacher', ...(autoscaler ? ['celery autoscaler'] : []), 'hook jobs (database migration)'],
    },
    { path: 'image.builderRepository', roles: ['endpoint builder'] },
    { path: 'image.forwarderRepository', roles: ['forwarder (every endpoint pod)'] },
  ];
  for (const { path, roles } of cp) {
    const repo = str(values.get(path));
    if (!repo) {
      problems.push({ code: 'missingRepository', valuesPath: path, detail: `${path} is not set (the chart has no default for it)` });
      continue;
    }
    if (!tag) continue;
    add(images, {
      ref: `${repo}:${tag}`,
      key: 'model-engine',
      group: 'control-plane',
      roles: [...roles],
      valuesPaths: [path, 'tag'],
      tagFrom: 'tag',
      primary: true,
      redirectable: true,
      upstream: { repository: `${SCALE_PUBLIC_PREFIX}/model-engine`, verified: true },
      mirrorPath: baseName(repo) === 'model-engine' ? 'model-engine' : repositoryPath(repo),
      from: ['values'],
    });
  }
  return { images, problems };
}

function launchValue(input: ImageSetInput, key: string): unknown {
  const v = input.values?.get(`config.values.launch.${key}`);
  return v !== undefined && v !== null ? v : input.serviceConfig?.launch[key];
}

function infraValue(input: ImageSetInput, key: string): unknown {
  const v = input.values?.get(`config.values.infra.${key}`);
  return v !== undefined && v !== null ? v : input.serviceConfig?.infra[key];
}

/** The framework images at their tags: `--framework-tag` > ConfigMap (live) > `inferenceFramework` values. */
export function frameworkImages(input: ImageSetInput): { images: ImageEntry[]; problems: ImageSetProblem[]; registryType: RegistryType; prefix?: string } {
  const images: ImageEntry[] = [];
  const problems: ImageSetProblem[] = [];
  const prefix = str(infraValue(input, 'docker_repo_prefix'));
  const registryType = effectiveRegistryType(infraValue(input, 'docker_registry_type'), prefix);
  if (!prefix) {
    problems.push({
      code: 'missingPrefix',
      valuesPath: 'config.values.infra.docker_repo_prefix',
      detail: 'docker_repo_prefix is not set: framework images (vllm, …) resolve against it',
    });
  }
  if (registryType === 'gar' && prefix && prefix.split('/').length < 3) {
    problems.push({
      code: 'badGarPrefix',
      valuesPath: 'config.values.infra.docker_repo_prefix',
      detail: `"${prefix}" must be <location>-docker.pkg.dev/<project>/<repository> for Artifact Registry`,
    });
  }
  for (const f of FRAMEWORKS) {
    const configuredRepo = f.repoKey ? str(launchValue(input, f.repoKey)) : undefined;
    // sglang is optional in model-engine's config: only an install that names its repository uses it.
    if (f.name === 'sglang' && !configuredRepo) continue;
    const repo = configuredRepo ?? f.defaultRepo;
    const flag = input.frameworkTags?.[f.name];
    const cm = input.frameworkConfigMap?.[f.name];
    const fromValues = str(input.values?.get(`inferenceFramework.${f.name}`));
    // model-engine falls back to "latest" for the LLM frameworks; batch images have no such default.
    const tag = flag ?? str(cm) ?? fromValues ?? (f.name === 'sglang' || f.name.startsWith('vllm_batch') ? undefined : 'latest');
    if (!tag || (!prefix && isRepoName(repo) && registryType !== 'gar')) continue;
    const tagFrom = flag
      ? '--framework-tag'
      : cm
        ? `ConfigMap model-engine-inference-framework-latest-config (${f.name})`
        : fromValues
          ? `inferenceFramework.${f.name}`
          : 'model-engine default (latest)';
    add(images, {
      ref: frameworkImageUrl(prefix, repo, tag, registryType),
      key: f.name === 'vllm_batch' || f.name === 'vllm_batch_v2' ? 'batch-infer-vllm' : f.defaultRepo,
      group: 'framework',
      roles: [f.role],
      valuesPaths: [
        ...(f.repoKey ? [`config.values.launch.${f.repoKey}`] : []),
        'config.values.infra.docker_repo_prefix',
        ...(f.name !== 'sglang' ? [`inferenceFramework.${f.name}`] : []),
      ],
      tagFrom,
      primary: f.primary,
      // DeepSpeed's repository name is hard-coded, but it still resolves under docker_repo_prefix.
      redirectable: true,
      // Facts §9 #20: nothing shows Scale publishes these publicly; the mirror plan says so.
      upstream: { repository: `${SCALE_PUBLIC_PREFIX}/${isRepoName(repo) ? repo : f.defaultRepo}`, verified: false },
      mirrorPath: isRepoName(repo) ? repo : f.defaultRepo,
      from: [flag ? 'flag' : cm ? 'configmap' : 'values'],
    });
  }
  return { images, problems, registryType, ...(prefix ? { prefix } : {}) };
}

const UTILITY_DEFAULTS = {
  busybox: { repository: 'public.ecr.aws/docker/library/busybox', tag: 'latest', role: 'image-cache DaemonSets (first container)' },
  curl: { repository: 'curlimages/curl', tag: '7.72.0', role: 'utility jobs (curl)' },
  ubuntu: { repository: 'public.ecr.aws/ubuntu/ubuntu', tag: 'latest', role: 'balloon (warm-node) Deployments' },
} as const;

export const KANIKO_IMAGE = 'gcr.io/kaniko-project/executor:v1.9.1';
export const CPA_IMAGE = 'registry.k8s.io/cpa/cluster-proportional-autoscaler:1.8.5';
export const ISTIO_PROXY_IMAGE = 'gcr.io/istio-release/proxyv2:1.15.0';
/** Image-cache device types whose cache adds the fixed LLM images (facts §7). */
const LLM_CACHE_DEVICES = ['a10', 'a100', 'h100', 'h100-3g40gb', 'h100-1g20gb'];

/** Utility images, kaniko, the proportional autoscaler, the image-cache extras and triton (facts §7, §8). */
export function supportImages(input: ImageSetInput, registryType: RegistryType, prefix: string | undefined): ImageEntry[] {
  const images: ImageEntry[] = [];
  const v = input.values;
  for (const [name, d] of Object.entries(UTILITY_DEFAULTS)) {
    const repository = str(v?.get(`utilityImages.${name}.repository`)) ?? d.repository;
    const tag = str(v?.get(`utilityImages.${name}.tag`)) ?? d.tag;
    add(images, {
      ref: `${repository}:${tag}`,
      key: name,
      group: 'support',
      roles: [d.role],
      valuesPaths: [`utilityImages.${name}.repository`, `utilityImages.${name}.tag`],
      tagFrom: `utilityImages.${name}.tag`,
      primary: false,
      redirectable: true,
      upstream: { repository: d.repository, verified: true },
      mirrorPath: repositoryPath(d.repository),
      from: ['values'],
    });
  }
  // Only the ECR registry class builds images (kaniko, namespace default, hard-coded image).
  if (registryType === 'ecr') {
    add(images, hardcoded(KANIKO_IMAGE, 'kaniko', 'image builds (kaniko Jobs in namespace default)'));
  }
  if (truthy(v?.get('autoscaling.prewarming.enabled'))) {
    add(images, hardcoded(CPA_IMAGE, 'cluster-proportional-autoscaler', 'proportional balloon autoscalers (prewarming)'));
  }
  const devices = v?.get('imageCache.devices');
  const deviceNames = Array.isArray(devices) ? devices.map((d) => str(get(d, 'name'))).filter((d): d is string => !!d) : [];
  if (deviceNames.some((d) => LLM_CACHE_DEVICES.includes(d))) {
    add(images, hardcoded(ISTIO_PROXY_IMAGE, 'istio-proxyv2', 'image-cache DaemonSets (GPU types)'));
    const tgiRepo = str(launchValue(input, 'tgi_repository')) ?? 'text-generation-inference';
    const vllmRepo = str(launchValue(input, 'vllm_repository')) ?? 'vllm';
    if (prefix) {
      // The image cache builds `<prefix>/<repo>:tag` without is_repo_name (facts §7, §8).
      for (const [repo, tag, key] of [
        [tgiRepo, '1.1.0', 'text-generation-inference'],
        [vllmRepo, '0.2.7', 'vllm'],
        [vllmRepo, '0.3.2', 'vllm'],
      ] as const) {
        add(images, {
          ref: `${prefix}/${repo}:${tag}`,
          key,
          group: 'support',
          roles: ['image-cache DaemonSets (GPU types)'],
          valuesPaths: ['config.values.infra.docker_repo_prefix', 'imageCache.devices'],
          tagFrom: 'model-engine image cache (hard-coded tag)',
          primary: false,
          redirectable: true,
          upstream: { repository: `${SCALE_PUBLIC_PREFIX}/${key}`, verified: false },
          mirrorPath: isRepoName(repo) ? repo : key,
          from: ['code'],
        });
      }
    }
  }
  const tritonRepo = str(v?.get('triton.image.repository'));
  const tritonTag = str(v?.get('triton.image.tag'));
  if (tritonRepo && tritonTag) {
    add(images, {
      ref: `${tritonRepo}:${tritonTag}`,
      key: 'triton',
      group: 'support',
      roles: ['triton-enhanced endpoints'],
      valuesPaths: ['triton.image.repository', 'triton.image.tag'],
      tagFrom: 'triton.image.tag',
      primary: false,
      redirectable: true,
      mirrorPath: baseName(tritonRepo),
      from: ['values'],
    });
  }
  return images;
}

function hardcoded(ref: string, key: string, role: string): ImageEntry {
  const { repository } = parseImageRef(ref);
  return {
    ref,
    key,
    group: 'support',
    roles: [role],
    valuesPaths: [],
    tagFrom: 'hard-coded in model-engine',
    primary: false,
    redirectable: false,
    upstream: { repository: ref.slice(0, ref.lastIndexOf(':')), verified: true },
    mirrorPath: repository,
    from: ['code'],
  };
}

/** The minimal pod shape the live image set reads. */
export interface PodLike {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
  spec?: { containers?: { name: string; image?: string }[]; initContainers?: { name: string; image?: string }[] };
}

export type PodKind = 'control-plane' | 'endpoint' | 'image-cache' | 'balloon' | 'other';

/** Which model-engine workload a pod belongs to (facts §1.3, §6.1, §7). */
export function podKind(pod: PodLike): PodKind {
  const labels = pod.metadata.labels ?? {};
  const name = pod.metadata.name;
  const owner = pod.metadata.ownerReferences?.[0]?.name ?? '';
  if (['model-engine', 'model-engine-endpoint-builder', 'model-engine-cacher'].includes(labels.app ?? '')) return 'control-plane';
  if (/^celery-autoscaler-/.test(name) || /^celery-autoscaler-/.test(owner)) return 'control-plane';
  if (labels.endpoint_id || /^launch-endpoint-id-/.test(labels.app ?? '') || /^launch-endpoint-id-/.test(name)) return 'endpoint';
  if (/^launch-image-cache-/.test(owner) || /^launch-image-cache-/.test(name)) return 'image-cache';
  if (/-balloon-/.test(labels.app ?? '') || /^model-engine-balloon-/.test(name)) return 'balloon';
  return 'other';
}

/** Images of the model-engine pods of a live cluster (one pod list per namespace, no per-pod calls). */
export function clusterImages(pods: readonly PodLike[]): ImageEntry[] {
  const images: ImageEntry[] = [];
  const index = new Map<string, ImageEntry>();
  for (const pod of pods) {
    const kind = podKind(pod);
    if (kind === 'other') continue;
    const object: ObjectRef = { kind: 'Pod', name: pod.metadata.name, ...(pod.metadata.namespace ? { namespace: pod.metadata.namespace } : {}) };
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      if (!c.image) continue;
      const forwarder = kind === 'endpoint' && /forwarder|lws-/.test(c.name) && c.name !== 'main';
      const group: ImageGroup =
        kind === 'control-plane' || forwarder ? 'control-plane' : kind === 'endpoint' ? 'framework' : 'support';
      const role =
        kind === 'control-plane'
          ? `${pod.metadata.labels?.app ?? 'control plane'} pod`
          : kind === 'endpoint'
            ? forwarder
              ? 'forwarder (every endpoint pod)'
              : `endpoint container ${c.name}`
            : kind === 'image-cache'
              ? 'image-cache DaemonSets'
              : 'balloon Deployments';
      const { repository } = parseImageRef(c.image);
      add(images, {
        ref: c.image,
        key: baseName(repository),
        group,
        roles: [role],
        valuesPaths: [],
        primary: group !== 'support',
        redirectable: true,
        mirrorPath: repository,
        pods: [object],
        from: ['cluster'],
      }, index);
    }
  }
  return images;
}

/** The whole image set: values-derived images first, then what the cluster actually runs. */
export function imageSet(input: ImageSetInput & { pods?: readonly PodLike[] }): ImageSet {
  const images: ImageEntry[] = [];
  const problems: ImageSetProblem[] = [];
  if (input.values) {
    const cp = controlPlaneImages(input.values);
    cp.images.forEach((e) => add(images, e));
    problems.push(...cp.problems);
  }
  const fw = input.values || input.serviceConfig ? frameworkImages(input) : undefined;
  if (fw) {
    fw.images.forEach((e) => add(images, e));
    if (input.values) problems.push(...fw.problems);
  }
  const registryType = fw?.registryType ?? 'generic';
  if (input.values) supportImages(input, registryType, fw?.prefix).forEach((e) => add(images, e));
  if (input.pods) {
    const index = new Map(images.map((e) => [e.ref, e]));
    clusterImages(input.pods).forEach((e) => add(images, e, index));
  }
  return { images, problems, registryType, ...(fw?.prefix ? { dockerRepoPrefix: fw.prefix } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Tags: which existing tag the user most likely meant.

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

const VERSIONISH = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$/;
function versionKey(tag: string): [number, number, number, string] | undefined {
  const m = VERSIONISH.exec(tag);
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0), m[4] ?? ''] : undefined;
}

/**
 * The existing tags nearest to `wanted`, best first: for version-like tags the closest versions (same suffix
 * preferred, e.g. `-batch`), for a commit SHA the tags sharing its prefix, else edit distance. For `latest`
 * (a floating tag nobody mirrors on purpose) the highest versions.
 */
export function nearestTags(wanted: string, existing: readonly string[], max = 5): string[] {
  const tags = [...new Set(existing)].filter((t) => t !== wanted);
  if (tags.length === 0) return [];
  const w = versionKey(wanted);
  if (wanted === 'latest' || w) {
    const versioned = tags.map((t) => [t, versionKey(t)] as const).filter((x): x is readonly [string, [number, number, number, string]] => !!x[1]);
    if (versioned.length > 0) {
      const score = ([, k]: readonly [string, [number, number, number, string]]) =>
        w
          ? Math.abs(k[0] - w[0]) * 1e6 + Math.abs(k[1] - w[1]) * 1e3 + Math.abs(k[2] - w[2]) + (k[3] === w[3] ? 0 : 0.5)
          : -(k[0] * 1e6 + k[1] * 1e3 + k[2]);
      return versioned
        // Ties (same version distance): the tag closest in spelling, e.g. `0.6.1.post2` before `0.6.1.post2-arm64v8`.
        .sort((a, b) => score(a) - score(b) || levenshtein(wanted, a[0]) - levenshtein(wanted, b[0]) || b[0].localeCompare(a[0]))
        .slice(0, max)
        .map(([t]) => t);
    }
  }
  if (/^[0-9a-f]{7,40}$/.test(wanted)) {
    const shared = (t: string) => {
      let i = 0;
      while (i < t.length && i < wanted.length && t[i] === wanted[i]) i++;
      return i;
    };
    const byPrefix = tags.filter((t) => shared(t) >= 4).sort((a, b) => shared(b) - shared(a));
    if (byPrefix.length > 0) return byPrefix.slice(0, max);
  }
  return tags
    .map((t) => [t, levenshtein(wanted, t)] as const)
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([t]) => t);
}
