/**
 * The mirror plan: for every image the install pulls, the exact commands that copy it at its exact tag from its
 * source into the user's registry (skopeo, crane, docker fallback), the repository creation each registry needs,
 * and the values snippet that points the install at the mirror. Pure: `mirror-plan` and the `images` checks'
 * remediations render it.
 */
import { stringify } from 'yaml';
import {
  inferRegistryType,
  isRepoName,
  mirrorCommands,
  registryHost,
  SCALE_PUBLIC_PREFIX,
  scaleRegistryOf,
  type ImageEntry,
  type ImageSet,
  type RegistryType,
} from './images.js';
import { parseImageRef } from '../engine/kube-types.js';

export interface MirrorTarget {
  /** `host[/path]` images are copied under (for GAR: `<loc>-docker.pkg.dev/<project>/<repository>`). */
  prefix: string;
  host: string;
  type: RegistryType;
}

export function mirrorTarget(prefix: string): MirrorTarget {
  const clean = prefix.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  return { prefix: clean, host: clean.split('/')[0] ?? clean, type: inferRegistryType(clean) };
}

export interface MirrorStep {
  ref: string;
  key: string;
  roles: string[];
  /** Where to copy from; undefined when no source is known (an image only the user's registry has). */
  source?: string;
  /** False when the source is an assumption (Scale does not document publishing it, facts §9 #20). */
  sourceVerified: boolean;
  target: string;
  /** The repository path inside the target registry (`vllm`, `llm-engine/batch-infer-vllm`). */
  repository: string;
  /** The image is already referenced at its mirror location: only the copy is needed. */
  inPlace: boolean;
  /** Values can point at the mirror (false: hard-coded, needs a node-level registry mirror). */
  redirectable: boolean;
  note?: string;
}

export interface MirrorPlan {
  target?: MirrorTarget;
  steps: MirrorStep[];
  /** Registry-side setup, once per repository (ECR) or registry (GAR). */
  createRepositories: string[];
  /** Values to paste so the install pulls from the mirror. */
  valuesSnippet?: string;
  notes: string[];
}

export interface MirrorPlanOptions {
  /** `--mirror-to`: the registry prefix to copy into (default: `docker_repo_prefix` when it is not Scale's). */
  mirrorTo?: string;
  /** `--mirror-from`: where Scale's images come from (default public.ecr.aws/b2z8n5q1). */
  mirrorFrom?: string;
}

function sourceFor(e: ImageEntry, tag: string, opts: MirrorPlanOptions): { source?: string; verified: boolean } {
  if (!e.upstream) return { verified: false };
  const from = opts.mirrorFrom?.replace(/\/+$/, '');
  const repo = from && e.upstream.repository.startsWith(`${SCALE_PUBLIC_PREFIX}/`) ? `${from}/${e.upstream.repository.slice(SCALE_PUBLIC_PREFIX.length + 1)}` : e.upstream.repository;
  return { source: `${repo}:${tag}`, verified: e.upstream.verified || !!from };
}

/** `aws ecr create-repository` (idempotent form) for each repository (full name inside the registry); one `gcloud` repository for GAR. */
export function createRepositoryCommands(target: MirrorTarget, repositories: readonly string[]): string[] {
  if (target.type === 'ecr') {
    const region = /\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com/.exec(target.host)?.[1] ?? '<region>';
    return [...new Set(repositories)].map(
      (name) => `aws ecr describe-repositories --region ${region} --repository-names ${name} >/dev/null 2>&1 || aws ecr create-repository --region ${region} --repository-name ${name}`,
    );
  }
  if (target.type === 'gar') {
    const m = /^([a-z0-9-]+)-docker\.pkg\.dev\/([^/]+)\/([^/]+)/.exec(target.prefix);
    if (!m) return [`# ${target.prefix} is not <location>-docker.pkg.dev/<project>/<repository>: fix docker_repo_prefix first`];
    const [, location, project, repo] = m;
    return [
      `gcloud artifacts repositories describe ${repo} --location=${location} --project=${project} >/dev/null 2>&1 || gcloud artifacts repositories create ${repo} --repository-format=docker --location=${location} --project=${project}`,
    ];
  }
  return [];
}

/** The copy commands for one step: skopeo and crane (every platform), docker as the fallback. */
export function copyCommands(source: string, target: string): { skopeo: string; crane: string; docker: string[] } {
  const [crane, skopeo] = mirrorCommands(source, target) as [string, string];
  return { skopeo, crane, docker: [`docker pull ${source}`, `docker tag ${source} ${target}`, `docker push ${target}`] };
}

/** `az acr import`, ACR's server-side alternative to pulling through the workstation. */
export function acrImportCommand(target: MirrorTarget, source: string, repository: string, tag: string): string {
  return `az acr import --name ${target.host.split('.')[0]} --source ${source} --image ${repository}:${tag} --force`;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
  cur[parts.at(-1)!] = value;
}

/** Plan the mirror of every values/code-derived image of an image set. */
export function planMirror(set: ImageSet, opts: MirrorPlanOptions = {}): MirrorPlan {
  const notes: string[] = [];
  const prefix = opts.mirrorTo ?? (set.dockerRepoPrefix && !scaleRegistryOf(set.dockerRepoPrefix) ? set.dockerRepoPrefix : undefined);
  const target = prefix ? mirrorTarget(prefix) : undefined;
  if (!target) notes.push('No mirror registry known: pass --mirror-to <registry[/path]> (docker_repo_prefix is unset or one of Scale\'s registries).');
  const steps: MirrorStep[] = [];
  const values: Record<string, unknown> = {};
  const entries = set.images.filter((e) => e.from.some((f) => f !== 'cluster'));
  for (const e of entries) {
    const parsed = parseImageRef(e.ref);
    const tag = parsed.tag ?? 'latest';
    const inPlace = !!target && (e.ref.startsWith(`${target.prefix}/`) || (registryHost(e.ref) === target.host && !target.prefix.includes('/')));
    const repository = inPlace && target ? e.ref.slice(target.host.length + 1, e.ref.length - tag.length - 1) : e.mirrorPath;
    const upstream = sourceFor(e, tag, opts);
    // Scale's private accounts and the samples' placeholder account cannot be pulled by anyone else: copy from
    // the public upstream instead (the public gallery itself is a fine source as it is).
    const fromScalePrivate = !!scaleRegistryOf(e.ref) && !e.ref.startsWith(`${SCALE_PUBLIC_PREFIX}/`);
    const source = inPlace || fromScalePrivate ? upstream.source : e.ref;
    const stepTarget = inPlace ? e.ref : `${target?.prefix ?? '$REGISTRY'}/${e.mirrorPath}:${tag}`;
    const step: MirrorStep = {
      ref: e.ref,
      key: e.key,
      roles: e.roles,
      ...(source ? { source } : {}),
      sourceVerified: inPlace || fromScalePrivate ? upstream.verified : !(e.ref.startsWith(`${SCALE_PUBLIC_PREFIX}/`) && e.upstream && !e.upstream.verified),
      target: stepTarget,
      repository: inPlace ? repository : `${target && target.prefix.includes('/') ? `${target.prefix.slice(target.host.length + 1)}/` : ''}${e.mirrorPath}`,
      inPlace,
      redirectable: e.redirectable,
    };
    if (!e.redirectable) step.note = `${e.ref} is hard-coded in model-engine: after copying, configure a registry mirror for ${registryHost(e.ref)} on the nodes (containerd hosts.toml) or allow egress to it.`;
    else if (!step.source) step.note = `no known source for ${e.ref}: push it from wherever you build it.`;
    else if (!step.sourceVerified) step.note = `${step.source} is an assumed source: Scale does not document publishing it; if the copy fails, build it (model-engine/inference/vllm/build_and_upload_image.sh) or pass --mirror-from.`;
    if (tag === 'latest' && e.group === 'framework') {
      const key = e.valuesPaths.find((p) => p.startsWith('inferenceFramework.')) ?? 'inferenceFramework';
      notes.push(`${e.key} is at the floating tag "latest" (${e.tagFrom ?? 'default'}): pin a version in ${key}, so the mirror and the install agree on what "latest" was.`);
    }
    steps.push(step);
    if (!inPlace && target && e.redirectable) {
      for (const p of e.valuesPaths) {
        if (p === 'tag' || p.startsWith('inferenceFramework.') || p === 'imageCache.devices') continue;
        if (p === 'config.values.infra.docker_repo_prefix') setPath(values, p, target.prefix);
        else if (p.startsWith('config.values.launch.')) setPath(values, p, isRepoName(e.mirrorPath) ? e.mirrorPath : e.key);
        else if (p.startsWith('image.')) setPath(values, p, `${target.prefix}/${e.mirrorPath}`);
        else if (p.endsWith('.repository')) setPath(values, p, `${target.prefix}/${e.mirrorPath}`);
      }
    }
  }
  const repos = steps.filter((s) => s.redirectable || !s.inPlace).map((s) => s.repository);
  const createRepositories = target ? createRepositoryCommands(target, repos) : [];
  if (target?.type === 'acr') notes.push(`ACR needs no repository creation; "az acr import" copies server-side without a local pull (shown per image).`);
  return {
    ...(target ? { target } : {}),
    steps,
    createRepositories,
    ...(Object.keys(values).length > 0 ? { valuesSnippet: stringify(values).trimEnd() } : {}),
    notes: [...new Set(notes)],
  };
}

/** Human-readable plan (the default output of `mirror-plan`). */
export function renderMirrorPlanText(plan: MirrorPlan): string {
  const out: string[] = [];
  out.push(plan.target ? `Mirror plan into ${plan.target.prefix} (${plan.target.type})` : 'Mirror plan (target registry unknown: $REGISTRY)');
  out.push('');
  if (plan.createRepositories.length > 0) {
    out.push('1. Create the repositories:');
    for (const c of plan.createRepositories) out.push(`   ${c}`);
    out.push('');
  }
  out.push(`${plan.createRepositories.length > 0 ? '2' : '1'}. Copy each image at its exact tag (skopeo or crane copy every platform; docker pull/tag/push only the local one):`);
  for (const s of plan.steps) {
    out.push('');
    out.push(`   ${s.target}  — ${s.roles.join(', ')}`);
    if (s.source) {
      const c = copyCommands(s.source, s.target);
      out.push(`     ${c.skopeo}`, `     ${c.crane}`, `     # or: ${c.docker.join(' && ')}`);
      if (plan.target?.type === 'acr') {
        const t = parseImageRef(s.target);
        out.push(`     # or server-side: ${acrImportCommand(plan.target, s.source, s.repository, t.tag ?? 'latest')}`);
      }
    }
    if (s.note) out.push(`     note: ${s.note}`);
  }
  if (plan.valuesSnippet) {
    out.push('', `${plan.createRepositories.length > 0 ? '3' : '2'}. Point the install at the mirror (values.yaml):`, '');
    for (const l of plan.valuesSnippet.split('\n')) out.push(`   ${l}`);
  }
  if (plan.notes.length > 0) {
    out.push('', 'Notes:');
    for (const n of plan.notes) out.push(`  - ${n}`);
  }
  return `${out.join('\n')}\n`;
}

/** Single-quote for bash. */
export function shq(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A runnable, idempotent bash script (`-o script`). */
export function renderMirrorScript(plan: MirrorPlan): string {
  const L: string[] = [
    '#!/usr/bin/env bash',
    '# Generated by model-engine-doctor mirror-plan: copies every image model-engine pulls into your registry.',
    '# Idempotent: images already present in the target are skipped. Log in to both registries first',
    '# (e.g. aws ecr get-login-password | docker login …, az acr login, gcloud auth configure-docker).',
    '# MIRROR_TOOL=skopeo|crane|docker picks the copier (default: the first one found).',
    'set -euo pipefail',
    '',
    `REGISTRY=${shq(plan.target?.prefix ?? '')}`,
    'if [ -z "$REGISTRY" ]; then echo "set REGISTRY (no mirror registry was known when this script was made)" >&2; exit 2; fi',
    'TOOL="${MIRROR_TOOL:-}"',
    'if [ -z "$TOOL" ]; then for t in skopeo crane docker; do if command -v "$t" >/dev/null 2>&1; then TOOL=$t; break; fi; done; fi',
    'if [ -z "$TOOL" ]; then echo "need skopeo, crane or docker on PATH" >&2; exit 2; fi',
    'case "$TOOL" in skopeo|crane|docker) ;; *) echo "MIRROR_TOOL must be skopeo, crane or docker" >&2; exit 2 ;; esac',
    '',
    'present() {',
    '  case "$TOOL" in',
    '    skopeo) skopeo inspect --raw "docker://$1" >/dev/null 2>&1 ;;',
    '    crane) crane manifest "$1" >/dev/null 2>&1 ;;',
    '    docker) docker manifest inspect "$1" >/dev/null 2>&1 ;;',
    '  esac',
    '}',
    '',
    'copy() {',
    '  local src="$1" dst="$2"',
    '  if present "$dst"; then echo "present: $dst"; return 0; fi',
    '  echo "copying: $src -> $dst"',
    '  case "$TOOL" in',
    '    skopeo) skopeo copy --all "docker://$src" "docker://$dst" ;;',
    '    crane) crane copy "$src" "$dst" ;;',
    '    docker) docker pull "$src" && docker tag "$src" "$dst" && docker push "$dst" ;;',
    '  esac',
    '}',
    '',
  ];
  if (plan.createRepositories.length > 0) {
    L.push('# Repositories (created only when missing)');
    L.push(...plan.createRepositories);
    L.push('');
  }
  L.push('# Images');
  for (const s of plan.steps) {
    const target = plan.target && s.target.startsWith(`${plan.target.prefix}/`) ? `"$REGISTRY"/${shq(s.target.slice(plan.target.prefix.length + 1))}` : shq(s.target.replace(/^\$REGISTRY\//, '')).replace(/^/, s.target.startsWith('$REGISTRY/') ? '"$REGISTRY"/' : '');
    L.push(`# ${s.key}: ${s.roles.join(', ')}`);
    if (s.note) L.push(`# note: ${s.note}`);
    if (s.source) L.push(`copy ${shq(s.source)} ${target}`);
    else L.push(`# (skipped: no source for ${s.target})`);
  }
  if (plan.valuesSnippet) {
    L.push('', '# Then point the install at the mirror (values.yaml):');
    for (const l of plan.valuesSnippet.split('\n')) L.push(`#   ${l}`);
  }
  L.push('echo "mirror complete"', '');
  return L.join('\n');
}
