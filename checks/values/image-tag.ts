import { defineCheck, fail, pass, warn, type Finding } from '../../src/engine/index.js';
import { CONTROL_PLANE_IMAGES } from './support/image-keys.js';
import { splitImage } from './support/registry.js';
import { keyRef, str, valuesSnippet } from './support/snippet.js';

export type TagKind =
  | { kind: 'missing' }
  | { kind: 'latest' }
  | { kind: 'sha'; sha: string }
  | { kind: 'release'; version: string; date: string; sha: string }
  | { kind: 'unrecognized'; tag: string }
  | { kind: 'number'; tag: string };

const SHA40 = /^[0-9a-f]{40}$/;
/** `.gitlab-ci.yml`: `${VERSION}-${YYYYMMDD}-${CI_COMMIT_SHORT_SHA}` (facts §5), e.g. `1.0.0-20260701-a8236961`. */
const RELEASE = /^(\d+\.\d+\.\d+)-(\d{4})(\d{2})(\d{2})-([0-9a-f]{7,40})$/;

/** Classify the chart's `tag` (used for the gateway, builder, cacher and every forwarder) against model-engine's conventions. */
export function classifyTag(raw: unknown): TagKind {
  if (raw === undefined || raw === null || raw === '') return { kind: 'missing' };
  // A YAML number (tag: 20260701) renders through Go's fmt, e.g. 1e+07 for large values: quote it.
  if (typeof raw === 'number') return { kind: 'number', tag: String(raw) };
  const tag = String(raw).trim();
  if (tag.toLowerCase() === 'latest') return { kind: 'latest' };
  if (SHA40.test(tag)) return { kind: 'sha', sha: tag };
  const m = RELEASE.exec(tag);
  if (m) {
    const [, version, y, mo, d, sha] = m as unknown as [string, string, string, string, string, string];
    const month = Number(mo);
    const day = Number(d);
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31) return { kind: 'release', version, date: `${y}-${mo}-${d}`, sha };
  }
  return { kind: 'unrecognized', tag };
}

const EXAMPLE_SHA = 'a82369619a365b79a45e49ef6af1045653102615';

export default defineCheck({
  meta: {
    id: 'values/image-tag',
    title: 'Image tag pinned to a model-engine build',
    description:
      'tag is set, is not latest, and looks like a model-engine build (a 40-character commit SHA or x.y.z-YYYYMMDD-<sha>); image.cacherRepository is not relied on.',
    clouds: 'all',
    severity: 'high',
    needs: ['values'],
    scopes: ['preflight', 'triage'],
    messages: {
      sha: 'tag {{tag}} is a full commit SHA of scaleapi/llm-engine (the OSS convention: CircleCI builds model-engine:<SHA>)',
      release: 'tag {{tag}} is a release build tag: version {{version}}, built {{date}} from commit {{sha}}',
      missing:
        'tag is not set: the gateway, builder, cacher and every endpoint forwarder render as "<repository>:" and fail with InvalidImageName{{hint}}',
      latest:
        'tag is "latest": model-engine publishes no latest tag, the control plane (pullPolicy {{pullPolicy}}) and the endpoint forwarders (IfNotPresent) drift onto different builds, and GIT_TAG=latest names no commit',
      number: 'tag {{tag}} is a YAML number, not a string: helm renders large numbers in exponent form (1e+07); quote it',
      unrecognized:
        'tag "{{tag}}" does not look like a model-engine build (a 40-character commit SHA or x.y.z-YYYYMMDD-<sha>): make sure your mirror has exactly this tag',
      repositoryHasTag:
        '{{key}} is "{{value}}", which already carries a tag or digest: the chart appends ":{{tag}}", giving an invalid image reference',
      cacherRepositoryUnused:
        'image.cacherRepository is set but never read: the cacher Deployment runs image.gatewayRepository:{{tag}} (the matrix says otherwise; the chart wins)',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    const findings: Finding[] = [];
    const raw = values.get('tag');
    const c = classifyTag(raw);
    const object = keyRef('tag');
    const evidence = [values.evidence('tag')];
    const tagText = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
    const pin = (tag: string) => valuesSnippet([{ path: 'tag', value: tag }]);
    switch (c.kind) {
      case 'sha':
        findings.push(pass('sha', { object, evidence, data: { tag: c.sha } }));
        break;
      case 'release':
        findings.push(pass('release', { object, evidence, data: { tag: tagText, version: c.version, date: c.date, sha: c.sha } }));
        break;
      case 'missing': {
        const nested = str(values, 'image.tag');
        findings.push(
          fail('missing', {
            object,
            evidence: nested ? [...evidence, values.evidence('image.tag')] : evidence,
            data: { hint: nested ? ' (image.tag is set, but the chart reads the top-level tag)' : '' },
            remediation: {
              summary: 'Set the top-level tag to the model-engine build you mirrored (a full commit SHA of scaleapi/llm-engine).',
              values: pin(nested ?? EXAMPLE_SHA),
            },
          }),
        );
        break;
      }
      case 'latest':
        findings.push(
          fail('latest', {
            object,
            evidence,
            data: { pullPolicy: str(values, 'image.pullPolicy') ?? 'IfNotPresent' },
            remediation: {
              summary: 'Pin tag to the exact model-engine commit SHA you mirrored.',
              commands: ['git ls-remote https://github.com/scaleapi/llm-engine HEAD'],
              values: pin(EXAMPLE_SHA),
            },
          }),
        );
        break;
      case 'number':
        findings.push(
          warn('number', {
            object,
            evidence,
            severity: 'medium',
            data: { tag: c.tag },
            remediation: { summary: 'Quote the tag so helm keeps it a string.', values: pin(c.tag) },
          }),
        );
        break;
      case 'unrecognized':
        findings.push(
          warn('unrecognized', {
            object,
            evidence,
            severity: 'low',
            data: { tag: c.tag },
            remediation: {
              summary: 'Check that the tag exists in your registry for model-engine (gateway, builder and forwarder all use it).',
              commands: [`crane ls ${str(values, 'image.gatewayRepository') ?? '<your-registry>/model-engine'} | grep -x '${c.tag}'`],
            },
          }),
        );
        break;
    }

    for (const { key } of CONTROL_PLANE_IMAGES) {
      const repo = str(values, key);
      if (!repo || splitImage(repo).tag === undefined) continue;
      const bare = splitImage(repo).repository;
      findings.push(
        fail('repositoryHasTag', {
          object: keyRef(key),
          evidence: [values.evidence(key)],
          data: { key, value: repo, tag: tagText || '<tag>' },
          remediation: { summary: `Put only the repository in ${key}; the tag goes in the top-level tag.`, values: valuesSnippet([{ path: key, value: bare }]) },
        }),
      );
    }

    if (values.get('image.cacherRepository') !== undefined) {
      findings.push(
        warn('cacherRepositoryUnused', {
          object: keyRef('image.cacherRepository'),
          evidence: [values.evidence('image.cacherRepository'), values.evidence('image.gatewayRepository')],
          severity: 'low',
          data: { tag: tagText || '<tag>' },
          remediation: {
            summary:
              'Remove image.cacherRepository (it has no effect) and make sure image.gatewayRepository:tag is mirrored: the cacher pulls that image.',
            values: valuesSnippet([{ path: 'image.cacherRepository', value: null, comment: 'unused: the cacher runs image.gatewayRepository' }]),
          },
        }),
      );
    }
    return findings;
  },
});
