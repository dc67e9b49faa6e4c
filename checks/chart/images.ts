import { defineCheck, fail, pass, skip, warn, type Evidence, type Finding, type ValuesPort } from '../../src/engine/index.js';
import { imageSet } from '../../src/model-engine/images.js';
import { containersOf, isFinding, podLabel, refOf, RENDER_MESSAGES, renderedEvidence, renderedOrSkip, renderedPods, type RenderedPod, RENDERED_CHECK_META } from './support/rendered.js';

const DOCS = 'docs/checks/chart/images.md';

/** Variables the builder fills into image references of the endpoint templates, and how to resolve them offline. */
const IMAGE_VARIABLES: Readonly<Record<string, (values: ValuesPort | undefined) => string | undefined>> = {
  // The forwarder image is `{forwarderRepository}:${GIT_TAG}`; GIT_TAG is the chart's `tag` (facts §1.4, §6.4).
  GIT_TAG: (v) => (typeof v?.get('tag') === 'string' || typeof v?.get('tag') === 'number' ? String(v.get('tag')) : undefined),
};
/** Variables that are the user's own image per endpoint (`${IMAGE}`) or per bundle: nothing to resolve or mirror. */
const PER_ENDPOINT = new Set(['IMAGE', 'TRITON_COMMIT_TAG']);

export type ImageProblem = 'missing' | 'emptyRepository' | 'emptyTag' | 'templateError' | 'whitespace' | 'unresolvedVariable';

/** What is wrong with a rendered image reference, if anything (variables of the endpoint templates allowed). */
export function imageProblem(image: string | undefined, endpointTemplate: boolean): ImageProblem | undefined {
  if (image === undefined || image.trim() === '') return 'missing';
  if (/<nil>|%!|<no value>/.test(image)) return 'templateError';
  if (/\s/.test(image)) return 'whitespace';
  const vars = [...image.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]!);
  if (vars.length > 0 && (!endpointTemplate || vars.some((v) => !(v in IMAGE_VARIABLES) && !PER_ENDPOINT.has(v)))) return 'unresolvedVariable';
  const withoutDigest = image.split('@')[0]!;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  if (withoutDigest.startsWith(':') || withoutDigest.startsWith('/')) return 'emptyRepository';
  if (withoutDigest.endsWith(':') || (colon >= 0 && colon === withoutDigest.length - 1)) return 'emptyTag';
  return undefined;
}

/** The image as it will be pulled, with the variables the doctor can fill (GIT_TAG); undefined: per endpoint. */
export function resolvedImage(image: string, values: ValuesPort | undefined): string | undefined {
  let unresolved = false;
  const out = image.replace(/\$\{([A-Z0-9_]+)\}/g, (whole, name: string) => {
    const f = IMAGE_VARIABLES[name];
    const v = f?.(values);
    if (v === undefined) unresolved = true;
    return v ?? whole;
  });
  return unresolved ? undefined : out;
}

const PROBLEM_TEXT: Record<ImageProblem, string> = {
  missing: 'has no image',
  emptyRepository: 'has an image with no repository (the image.*Repository value that names it is unset): the kubelet rejects it with InvalidImageName',
  emptyTag: 'has an image with an empty tag (the value that names it is unset): the kubelet rejects it with InvalidImageName',
  templateError: 'has an image that holds a template error (<nil> / <no value>): a value the template reads is unset',
  whitespace: 'has an image with whitespace in it: the kubelet rejects it with InvalidImageName',
  unresolvedVariable: 'has an image with a ${VARIABLE} nothing fills in',
};

export default defineCheck({
  meta: {
    id: 'chart/images',
    title: 'Every image the rendered chart pulls',
    description:
      'Every container image in the rendered chart (workloads, hook Jobs and the endpoint templates) is a well-formed reference, and the doctor\'s own image list (which the images checks probe) covers it.',
    ...RENDERED_CHECK_META,
    severity: 'high',
    messages: {
      ...RENDER_MESSAGES,
      images: 'The rendered chart pulls {{count}} distinct images ({{list}}); all are well-formed{{coverage}}',
      malformed: '{{where}} (container {{container}}) {{problem}}: {{image}}',
      tagUnset: '{{count}} containers render with an empty image tag because tag is unset: see values/image-tag',
      notCovered:
        '{{image}} is pulled by {{where}} but is not in the image list the doctor derives from the values, so images/* did not probe it and mirror-plan does not copy it',
    },
  },
  async run(ctx) {
    const render = await renderedOrSkip(ctx);
    if (isFinding(render)) return render;
    const values = ctx.values;
    const known = new Set(values ? imageSet({ values }).images.map((i) => i.ref) : []);
    const findings: Finding[] = [];
    const seen = new Map<string, { pod: RenderedPod; path: string }>();
    // One finding per malformed image (one cause), listing every pod template that pulls it.
    const malformed = new Map<string, { problem: ImageProblem; pods: { pod: RenderedPod; path: string; container: string }[] }>();
    for (const p of renderedPods(render)) {
      for (const c of containersOf(p)) {
        const problem = imageProblem(c.image, !!p.endpointTemplate);
        if (problem) {
          // Keyed by the image as pulled, so `:${GIT_TAG}` in a template and `:<tag>` in a Deployment are one cause.
          const key = (c.image ? resolvedImage(c.image, values) : undefined) ?? c.image ?? '';
          const m = malformed.get(key) ?? { problem, pods: [] };
          m.pods.push({ pod: p, path: c.path, container: c.name });
          malformed.set(key, m);
          continue;
        }
        const resolved = resolvedImage(c.image!, values);
        if (resolved && !seen.has(resolved)) seen.set(resolved, { pod: p, path: c.path });
      }
    }
    // An empty tag because `tag` is unset is values/image-tag's finding (same cause): not repeated here.
    const tagUnset = values !== undefined && (values.get('tag') === undefined || values.get('tag') === null || values.get('tag') === '');
    let emptyForTag = 0;
    for (const [image, m] of malformed) {
      if (m.problem === 'emptyTag' && tagUnset) {
        emptyForTag += m.pods.length;
        continue;
      }
      const first = m.pods[0]!;
      const where = m.pods.length > 1 ? `${podLabel(first.pod)} and ${m.pods.length - 1} more` : podLabel(first.pod);
      findings.push(
        fail('malformed', {
          severity: m.pods.every((x) => x.pod.endpointTemplate) ? 'high' : 'critical',
          object: refOf(first.pod.owner, render),
          data: { where, container: first.container, problem: PROBLEM_TEXT[m.problem], image: JSON.stringify(image) },
          evidence: [...m.pods.slice(0, 5).flatMap((x) => renderedEvidence(x.pod.owner, render, x.path, image)), ...(values ? [values.evidence('tag')] : [])],
          remediation: {
            summary: 'Set the values the image is built from (usually tag and image.*Repository), then render again.',
            commands: [render.command],
            docs: DOCS,
          },
        }),
      );
    }
    const uncovered = values ? [...seen].filter(([ref]) => !known.has(ref)) : [];
    for (const [ref, { pod, path }] of uncovered) {
      findings.push(
        warn('notCovered', {
          severity: 'medium',
          object: { kind: 'Image', name: ref },
          data: { image: ref, where: podLabel(pod) },
          evidence: renderedEvidence(pod.owner, render, path, ref),
          remediation: {
            summary: `Mirror ${ref} along with the others and check that the nodes can pull it (the doctor's list missed it: please report it).`,
            commands: [`crane manifest ${ref} >/dev/null && echo pullable from here`],
            docs: DOCS,
          },
        }),
      );
    }
    if (findings.some((f) => f.status === 'fail')) return findings;
    if (emptyForTag > 0) return [...findings, skip('tagUnset', { data: { count: emptyForTag }, evidence: values ? [values.evidence('tag')] : [] })];
    const list = [...seen.keys()];
    const evidence: Evidence[] = [...seen].slice(0, 25).map(([ref, { pod, path }]) => ({ type: 'field', object: refOf(pod.owner, render), path, value: ref }));
    return [
      ...findings,
      pass('images', {
        data: {
          count: list.length,
          list: list.length > 6 ? `${list.slice(0, 6).join(', ')}, …` : list.join(', '),
          coverage: values ? (uncovered.length === 0 ? ", and the doctor's image list covers every one" : '') : '',
        },
        evidence,
      }),
    ];
  },
});
