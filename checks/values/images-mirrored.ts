import { defineCheck, fail, pass, type Evidence, type Finding, type ValuesPort } from '../../src/engine/index.js';
import {
  effectiveRegistryType,
  isRepoName,
  mirrorCommands,
  registryHost,
  registryPlaceholder,
  repositoryPath,
  resolveRepository,
  scaleRegistryOf,
} from './support/registry.js';
import { CONTROL_PLANE_IMAGES, FRAMEWORK_REPOSITORIES, OTHER_IMAGES, PREFIX, REGISTRY_TYPE } from './support/image-keys.js';
import { keyRef, str, valuesSnippet, type SnippetEntry } from './support/snippet.js';

/** One image the install pulls, and the values key a user edits to change it. */
export interface ImageUse {
  /** The values key to edit (for a bare framework name resolved against the prefix, the prefix). */
  key: string;
  role: string;
  /** The repository model-engine or the chart will pull. */
  repository: string;
  tag?: string;
  /** The framework key whose bare value was resolved against `docker_repo_prefix`. */
  via?: string;
}

/** Every image repository these values make the install pull, resolved as the chart and model-engine do. */
// Not built on imageSet() (src/model-engine/images.ts): that one needs a tag (drops untagged repos), fills in defaults and hard-coded images, and maps an unknown docker_registry_type by inference, not to generic.
export function imageUses(values: ValuesPort): ImageUse[] {
  const out: ImageUse[] = [];
  const tag = str(values, 'tag');
  for (const { key, role } of CONTROL_PLANE_IMAGES) {
    const repo = str(values, key);
    if (repo) out.push({ key, role, repository: repo, ...(tag ? { tag } : {}) });
  }
  const prefix = str(values, PREFIX);
  const type = prefix ? effectiveRegistryType(values.get(REGISTRY_TYPE), prefix) : 'generic';
  for (const { key, tagKey, role } of FRAMEWORK_REPOSITORIES) {
    const repo = str(values, key);
    if (repo === undefined) continue;
    const bare = type === 'gar' || isRepoName(repo);
    if (bare && !prefix) continue; // nothing to resolve against; values/registry-prefix reports the missing prefix
    const t = tagKey ? str(values, tagKey) : undefined;
    out.push({
      key: bare ? PREFIX : key,
      role,
      repository: resolveRepository(prefix ?? '', repo, type),
      ...(t ? { tag: t } : {}),
      ...(bare ? { via: key } : {}),
    });
  }
  for (const { key, tagKey, role } of OTHER_IMAGES) {
    const repo = str(values, key);
    const t = str(values, tagKey);
    if (repo) out.push({ key, role, repository: repo, ...(t ? { tag: t } : {}) });
  }
  return out;
}

export interface MirrorStep {
  source: string;
  target: string;
  /** Whether the source is known to be published (only model-engine itself is, facts §9 #20). */
  published: boolean;
}

/**
 * Where to copy an image from and to. Scale's private accounts and the placeholders cannot be pulled by anyone
 * else, so the source is always the public gallery path; the target keeps the repository path.
 */
export function mirrorStep(repository: string, tag: string | undefined, registry: string): MirrorStep {
  const path = repositoryPath(repository);
  const t = tag ?? '<tag>';
  return {
    source: `public.ecr.aws/b2z8n5q1/${path}:${t}`,
    target: `${registry.replace(/\/+$/, '')}/${path}:${t}`,
    published: path === 'model-engine',
  };
}

const REGISTRY_VAR = '$REGISTRY';

export default defineCheck({
  meta: {
    id: 'values/images-mirrored',
    title: 'Images mirrored out of Scale registries',
    description:
      "Every image repository the install pulls (control plane, forwarder, framework images, utility and Triton images) points at the user's registry, not Scale's.",
    clouds: 'all',
    severity: 'critical',
    needs: ['values'],
    scopes: ['preflight', 'triage'],
    messages: {
      mirrored: 'None of the {{count}} image repositories the install pulls is in a Scale registry (registries: {{registries}})',
      repositoryMissing:
        '{{key}} is not set and the chart has no default for it: the {{role}} image renders as ":{{tag}}" and cannot be pulled',
      scaleRegistry:
        '{{key}} makes the {{role}} pull {{image}}, in {{registry}}: a cluster outside Scale cannot pull it, and the pod waits in ImagePullBackOff while the API reports the endpoint READY',
      scalePrefix:
        'config.values.infra.docker_repo_prefix is {{registry}}: the framework images ({{image}}) and every image model-engine builds resolve there, and a cluster outside Scale cannot pull them',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    const findings: Finding[] = [];
    const tag = str(values, 'tag');
    const prefix = str(values, PREFIX);
    const userRegistry = prefix && !scaleRegistryOf(prefix) ? prefix : undefined;
    const registry = userRegistry ?? REGISTRY_VAR;
    const example = registryPlaceholder(ctx.matrix?.registryType);
    const setRegistry = userRegistry ? [] : [`export REGISTRY=${example}   # your registry`];
    const snippetRegistry = userRegistry ?? example;

    for (const { key, role } of CONTROL_PLANE_IMAGES) {
      if (str(values, key) !== undefined) continue;
      findings.push(
        fail('repositoryMissing', {
          object: keyRef(key),
          evidence: [values.evidence(key), values.evidence('image')],
          data: { key, role, tag: tag ?? '' },
          remediation: {
            summary: `Set ${key} to the model-engine repository in your registry (the chart's values.yaml has no image block; values_sample.yaml's points at Scale's).`,
            values: valuesSnippet([{ path: key, value: `${snippetRegistry}/model-engine` }]),
          },
        }),
      );
    }

    const uses = imageUses(values);
    const scale = uses.filter((u) => scaleRegistryOf(u.repository));
    // One finding per key to edit: the bare framework names all resolve through the one prefix key.
    const byKey = new Map<string, ImageUse[]>();
    for (const u of scale) byKey.set(u.key, [...(byKey.get(u.key) ?? []), u]);
    for (const [key, group] of byKey) {
      const first = group[0]!;
      const steps = group.map((u) => mirrorStep(u.repository, u.tag, registry));
      const unpublished = steps.filter((s) => !s.published);
      const evidence: Evidence[] = [values.evidence(key), ...group.flatMap((u) => (u.via ? [values.evidence(u.via)] : []))];
      if (unpublished.length > 0) {
        evidence.push({
          type: 'note',
          text:
            `Only model-engine itself is known to be published at public.ecr.aws/b2z8n5q1; ${unpublished.map((s) => s.source).join(', ')} ` +
            'are listed by the cloud support matrix but nothing in the repository shows they exist (facts §9 #20). If a copy fails, build the image ' +
            '(model-engine/inference/vllm/build_and_upload_image.sh for vLLM) and push it to the target instead.',
        });
      }
      let snippet: SnippetEntry[];
      if (key === PREFIX) snippet = [{ path: PREFIX, value: snippetRegistry }];
      else if (FRAMEWORK_REPOSITORIES.some((f) => f.key === key))
        snippet = [{ path: key, value: repositoryPath(first.repository), comment: 'a bare name, resolved against docker_repo_prefix' }];
      else snippet = [{ path: key, value: `${snippetRegistry}/${repositoryPath(first.repository)}` }];
      findings.push(
        fail(key === PREFIX ? 'scalePrefix' : 'scaleRegistry', {
          object: keyRef(key),
          evidence,
          data: {
            key,
            role: group.map((u) => u.role).join(', '),
            image: group.map((u) => `${u.repository}${u.tag ? `:${u.tag}` : ''}`).join(', '),
            registry: scaleRegistryOf(first.repository),
          },
          remediation: {
            summary: `Mirror ${steps.map((s) => `${s.source} → ${s.target}`).join('; ')}, then point ${key} at your registry.`,
            commands: [...setRegistry, ...steps.flatMap((s) => mirrorCommands(s.source, s.target))],
            values: valuesSnippet(snippet),
          },
        }),
      );
    }

    if (findings.length > 0) return findings;
    const registries = [...new Set(uses.map((u) => registryHost(u.repository)))].sort();
    return pass('mirrored', {
      data: { count: uses.length, registries },
      evidence: uses.slice(0, 12).map((u) => values.evidence(u.via ?? u.key)),
    });
  },
});
