import { defineCheck, fail, pass, warn, type Finding } from '../../src/engine/index.js';
import { MATRIX } from '../../src/matrix/index.js';
import { FRAMEWORK_REPOSITORIES, PREFIX, REGISTRY_TYPE } from './support/image-keys.js';
import { effectiveRegistryType, inferRegistryType, isRepoName, registryPlaceholder, repositoryPath, type RegistryType } from './support/registry.js';
import { hasEnvPlaceholder, keyRef, str, truthy, valuesSnippet } from './support/snippet.js';

const ML_ACCOUNT = 'config.values.infra.ml_account_id';
const KNOWN_TYPES = ['ecr', 'acr', 'gar', 'onprem', 'generic'] as const;

/** model-engine's repository class per registry type (`infra/repositories/*_docker_repository.py`). */
export const REGISTRY_CLASS: Readonly<Record<RegistryType, string>> = {
  ecr: 'ECRDockerRepository',
  acr: 'ACRDockerRepository',
  gar: 'GARDockerRepository',
  onprem: 'OnPremDockerRepository',
  generic: 'GenericDockerRepository',
};

/** The host pattern the matrix declares for a registry type (ECR/ACR/GAR); undefined for on-prem/generic. */
function hostPattern(type: RegistryType): RegExp | undefined {
  return Object.values(MATRIX).find((p) => p.registryType === type && type !== 'generic')?.registryHostPattern;
}

/** Why a prefix cannot be used as an image-reference prefix at all, if it cannot. */
export function prefixShapeProblem(prefix: string): string | undefined {
  if (/\s/.test(prefix)) return 'contains whitespace';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(prefix)) return 'starts with a URL scheme (image references have none)';
  if (prefix.endsWith('/')) return 'ends with "/" (model-engine adds one: images would be "<prefix>//vllm")';
  if (/[A-Z]/.test(prefix)) return 'contains upper-case letters (repository names must be lower-case)';
  const last = prefix.split('/').pop() ?? '';
  if (prefix.includes('/') && (last.includes(':') || prefix.includes('@'))) return 'carries a tag or digest';
  return undefined;
}

/** `GARDockerRepository._parse_ar_prefix`: `{location}-docker.pkg.dev/{project}/{repository}`, IndexError below 3 segments. */
export function parseGarPrefix(prefix: string): { location: string; project: string; repository: string; extra: string[] } | { error: string } {
  const parts = prefix.split('/');
  if (parts.length < 3) return { error: `IndexError: list index out of range (${parts.length} segment${parts.length === 1 ? '' : 's'}, needs 3)` };
  return { location: parts[0]!.replace('-docker.pkg.dev', ''), project: parts[1]!, repository: parts[2]!, extra: parts.slice(3) };
}

function existenceText(type: RegistryType, prefix: string, account: string | undefined): string {
  switch (type) {
    case 'ecr':
      return `image existence is checked with ECR DescribeImages in account ${account ?? '<ml_account_id>'}`;
    case 'acr':
      return 'image existence is checked with the ACR manifest API (DefaultAzureCredential)';
    case 'gar': {
      const g = parseGarPrefix(prefix);
      return 'error' in g ? '' : `image existence is checked with the Artifact Registry API (project ${g.project}, location ${g.location}, repository ${g.repository})`;
    }
    case 'onprem':
      return 'image existence is not checked (OnPremDockerRepository.image_exists is always true): a missing image shows up as ImagePullBackOff in the endpoint pod, not as a 404 at endpoint creation';
    case 'generic':
      return 'image existence is checked anonymously';
  }
}

export default defineCheck({
  meta: {
    id: 'values/registry-prefix',
    title: 'docker_repo_prefix usable by model-engine',
    description:
      'config.values.infra.docker_repo_prefix matches the registry type model-engine infers from it (ECR, ACR, GAR, generic, on-prem), suits the cloud, and framework repositories are bare names.',
    clouds: 'all',
    severity: 'high',
    needs: ['values'],
    scopes: ['preflight', 'triage'],
    messages: {
      ok: 'docker_repo_prefix {{prefix}} selects {{className}}: {{existence}}; {{builds}}',
      prefixMissing:
        'config.values.infra.docker_repo_prefix is not set: InfraConfig requires it, so every control-plane pod crashes at start with a TypeError',
      prefixMalformed: 'config.values.infra.docker_repo_prefix "{{prefix}}" {{problem}}',
      garSegments:
        'docker_repo_prefix "{{prefix}}" is a GAR host but not {location}-docker.pkg.dev/{project}/{repository}: GARDockerRepository fails with {{error}} on the first image lookup',
      garExtraSegments:
        'docker_repo_prefix "{{prefix}}" has {{count}} path segments: GARDockerRepository looks images up in repository {{repository}} while pulls use the full prefix, so existence checks miss them',
      hostMalformed: 'docker_repo_prefix host {{host}} is inferred as {{type}} but does not look like one ({{example}})',
      prefixPathIgnored:
        'docker_repo_prefix "{{prefix}}" has a path after the {{type}} host: pulls use {{prefix}}/<repo> while {{className}} checks <repo> on {{host}}, so existence checks miss every image',
      ecrAccountMismatch:
        'docker_repo_prefix is in ECR account {{account}} but ml_account_id is {{mlAccount}}: ECR DescribeImages runs against account {{mlAccount}}, so every image looks missing',
      registryTypeUnknown:
        'docker_registry_type "{{value}}" is not one of ecr, acr, gar, onprem: model-engine falls back to GenericDockerRepository',
      registryTypeConflict:
        'docker_registry_type is {{explicit}} but docker_repo_prefix {{prefix}} is {{inferred}}: {{className}} will query the wrong registry API',
      genericAnonymous:
        'docker_repo_prefix {{prefix}} selects GenericDockerRepository, which checks images with anonymous OCI requests: a registry that needs credentials reports every image missing and LLM endpoint creation fails with 404 "The specified docker image could not be found."',
      registryCloudMismatch:
        'docker_repo_prefix is {{typeName}} but this is {{cloud}}, where the matrix expects {{expected}}: {{className}} needs {{provider}} credentials from the control-plane pods',
      buildsUnsupported:
        '{{cloud}} builds custom model bundle images with kaniko, which only ECRDockerRepository supports; with {{className}} every build raises NotImplementedError',
      frameworkRepoFullPath:
        '{{key}} is the full path "{{value}}": {{consequence}}',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    const findings: Finding[] = [];
    const object = keyRef(PREFIX);
    const prefix = str(values, PREFIX);
    const prefixEvidence = values.evidence(PREFIX);
    const explicitRaw = values.get(REGISTRY_TYPE);
    const example = registryPlaceholder(ctx.matrix?.registryType);

    if (!prefix) {
      findings.push(
        fail('prefixMissing', {
          object,
          evidence: [prefixEvidence],
          severity: 'critical',
          remediation: { summary: 'Set docker_repo_prefix to the registry you mirrored images into.', values: valuesSnippet([{ path: PREFIX, value: example }]) },
        }),
      );
    }
    const type = prefix ? effectiveRegistryType(explicitRaw, prefix) : undefined;

    if (prefix && type) {
      // An unexpanded $VARIABLE is values/env-placeholders' finding; its "fix" is envsubst, not a new spelling.
      const problem = hasEnvPlaceholder(prefix) ? undefined : prefixShapeProblem(prefix);
      const inferred = inferRegistryType(prefix);
      const host = prefix.split('/')[0] ?? prefix;
      const path = prefix.split('/').slice(1);
      const account = /^(\d{12})\./.exec(host)?.[1];
      if (problem) {
        const cleaned = prefix.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '').toLowerCase();
        findings.push(
          fail('prefixMalformed', {
            object,
            evidence: [prefixEvidence],
            data: { prefix, problem },
            remediation: { summary: 'Write docker_repo_prefix as a bare registry host (plus path, for GAR).', values: valuesSnippet([{ path: PREFIX, value: cleaned }]) },
          }),
        );
      }
      if (truthy(explicitRaw)) {
        const explicit = String(explicitRaw);
        if (!(KNOWN_TYPES as readonly string[]).includes(explicit)) {
          findings.push(
            warn('registryTypeUnknown', {
              object: keyRef(REGISTRY_TYPE),
              evidence: [values.evidence(REGISTRY_TYPE)],
              data: { value: explicit },
              remediation: {
                summary: 'Use one of ecr, acr, gar, onprem, or remove the key to let model-engine infer the type from the prefix.',
                values: valuesSnippet([{ path: REGISTRY_TYPE, value: inferred === 'generic' ? 'onprem' : inferred }]),
              },
            }),
          );
        } else if (explicit !== 'onprem' && explicit !== 'generic' && explicit !== inferred) {
          findings.push(
            fail('registryTypeConflict', {
              object: keyRef(REGISTRY_TYPE),
              evidence: [values.evidence(REGISTRY_TYPE), prefixEvidence],
              data: { explicit, prefix, inferred, className: REGISTRY_CLASS[type] },
              remediation: {
                summary: 'Remove docker_registry_type (model-engine infers it from the prefix) or make the prefix match it.',
                values: valuesSnippet([{ path: REGISTRY_TYPE, value: null, comment: `inferred from the prefix: ${inferred}` }]),
              },
            }),
          );
        }
      }

      // A prefix that is not even an image-reference prefix: report that alone, the rules below would misread it.
      switch (problem ? undefined : type) {
        case undefined:
          break;
        case 'gar': {
          const g = parseGarPrefix(prefix);
          if ('error' in g) {
            findings.push(
              fail('garSegments', {
                object,
                evidence: [prefixEvidence],
                data: { prefix, error: g.error },
                remediation: {
                  summary: 'Give the full Artifact Registry repository path: <location>-docker.pkg.dev/<project>/<repository>.',
                  commands: ['gcloud artifacts repositories list --format="value(name)"'],
                  values: valuesSnippet([{ path: PREFIX, value: `${host}/<project>/<repository>` }]),
                },
              }),
            );
          } else if (g.extra.length > 0) {
            findings.push(
              warn('garExtraSegments', {
                object,
                evidence: [prefixEvidence],
                data: { prefix, count: prefix.split('/').length - 1, repository: g.repository },
                remediation: {
                  summary: 'Point docker_repo_prefix at the Artifact Registry repository itself and keep sub-paths in the repository names.',
                  values: valuesSnippet([{ path: PREFIX, value: prefix.split('/').slice(0, 3).join('/') }]),
                },
              }),
            );
          }
          break;
        }
        case 'ecr':
        case 'acr': {
          const re = hostPattern(type);
          if (type === inferred && re && !re.test(host) && !hasEnvPlaceholder(host)) {
            const ex = registryPlaceholder(type);
            findings.push(
              warn('hostMalformed', {
                object,
                evidence: [prefixEvidence],
                data: { host, type: type.toUpperCase(), example: ex },
                remediation: { summary: `Use the registry host exactly as the console shows it (${ex}).`, values: valuesSnippet([{ path: PREFIX, value: ex }]) },
              }),
            );
          }
          if (path.length > 0) {
            findings.push(
              warn('prefixPathIgnored', {
                object,
                evidence: [prefixEvidence],
                data: { prefix, type: type.toUpperCase(), className: REGISTRY_CLASS[type], host },
                remediation: {
                  summary: 'Set docker_repo_prefix to the bare registry host and put the path into each repository name instead.',
                  values: valuesSnippet([
                    { path: PREFIX, value: host },
                    { path: 'config.values.launch.vllm_repository', value: `${path.join('/')}/vllm` },
                  ]),
                },
              }),
            );
          }
          const mlAccount = str(values, ML_ACCOUNT);
          if (type === 'ecr' && account && mlAccount && mlAccount !== account) {
            findings.push(
              warn('ecrAccountMismatch', {
                object: keyRef(ML_ACCOUNT),
                evidence: [values.evidence(ML_ACCOUNT), prefixEvidence],
                data: { account, mlAccount },
                remediation: {
                  summary: 'ECRDockerRepository passes ml_account_id as the registry id: make it the account of docker_repo_prefix.',
                  values: valuesSnippet([{ path: ML_ACCOUNT, value: account }]),
                },
              }),
            );
          }
          break;
        }
        case 'generic':
          findings.push(
            warn('genericAnonymous', {
              object,
              evidence: [prefixEvidence, values.evidence(REGISTRY_TYPE)],
              data: { prefix },
              remediation: {
                summary:
                  'If the registry needs credentials, set docker_registry_type: onprem (existence checks are then skipped); otherwise allow anonymous pulls of these repositories.',
                commands: [`curl -sI https://${host}/v2/${path.length ? `${path.join('/')}/` : ''}vllm/tags/list`],
                values: valuesSnippet([{ path: REGISTRY_TYPE, value: 'onprem' }]),
              },
            }),
          );
          break;
        case 'onprem':
          break;
      }

      const m = ctx.matrix;
      if (m && !problem) {
        const fits = type === m.registryType || (m.registryType === 'generic' && type === 'onprem');
        const creds: Record<RegistryType, string> = { ecr: 'AWS', acr: 'Azure (DefaultAzureCredential)', gar: 'GCP (ADC)', onprem: 'no', generic: 'no' };
        if (!fits && type !== 'generic' && type !== 'onprem') {
          findings.push(
            warn('registryCloudMismatch', {
              object,
              evidence: [prefixEvidence],
              data: {
                typeName: type.toUpperCase(),
                cloud: m.displayName,
                expected: m.registryType === 'generic' ? 'a custom registry' : m.registryType.toUpperCase(),
                className: REGISTRY_CLASS[type],
                provider: creds[type],
              },
              remediation: {
                summary: `Mirror into a ${m.registryType === 'generic' ? 'registry reachable from the cluster' : m.registryType.toUpperCase()} registry and point docker_repo_prefix at it, or make ${creds[type]} credentials available to the control plane.`,
                values: valuesSnippet([{ path: PREFIX, value: registryPlaceholder(m.registryType) }]),
              },
            }),
          );
        }
        if (m.imageBuilds && type !== 'ecr') {
          findings.push(
            warn('buildsUnsupported', {
              object,
              evidence: [prefixEvidence],
              data: { cloud: m.displayName, className: REGISTRY_CLASS[type] },
              remediation: {
                summary: 'Use an ECR registry for docker_repo_prefix if you need custom model bundle images; prebuilt framework endpoints (vLLM, TGI …) do not need builds.',
                values: valuesSnippet([{ path: PREFIX, value: registryPlaceholder(m.registryType) }]),
              },
            }),
          );
        }
      }
    }

    for (const { key } of FRAMEWORK_REPOSITORIES) {
      const value = str(values, key);
      if (!value || isRepoName(value)) continue;
      const name = repositoryPath(value.split('@')[0]!.replace(/:[^/]*$/, ''));
      const sameRegistry = prefix ? value.startsWith(`${prefix.replace(/\/+$/, '')}/`) : false;
      const gar = type === 'gar';
      const consequence = gar
        ? `GARDockerRepository always prefixes docker_repo_prefix, so endpoints pull "${prefix}/${value}", which cannot exist`
        : `pulls use it verbatim, but the existence check at LLM endpoint creation looks up the whole string as a repository name and the image cache pulls "${prefix ?? '<prefix>'}/${value}"; keep it a bare name${sameRegistry ? '' : ` and mirror the image into ${prefix ?? 'the docker_repo_prefix registry'}`}`;
      const finding = gar ? fail : warn;
      findings.push(
        finding('frameworkRepoFullPath', {
          object: keyRef(key),
          evidence: [values.evidence(key), prefixEvidence],
          severity: gar ? 'high' : 'medium',
          data: { key, value, consequence },
          remediation: {
            summary: `Make ${key} a bare repository name (resolved against docker_repo_prefix, facts §8); the cloud support matrix's full-path advice is wrong here.`,
            values: valuesSnippet([{ path: key, value: name }]),
          },
        }),
      );
    }

    if (findings.length > 0 || !prefix || !type) return findings;
    const account = /^(\d{12})\./.exec(prefix)?.[1];
    const builds =
      type === 'ecr'
        ? 'custom image builds run with kaniko in namespace default'
        : `custom image builds are not supported (${REGISTRY_CLASS[type]}.build_image raises NotImplementedError)`;
    return pass('ok', {
      object,
      evidence: [prefixEvidence, values.evidence(REGISTRY_TYPE)],
      data: { prefix, className: REGISTRY_CLASS[type], existence: existenceText(type, prefix, str(values, ML_ACCOUNT) ?? account), builds },
    });
  },
});
