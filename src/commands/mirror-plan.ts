/**
 * `mirror-plan`: every image the install and its endpoints pull, with the commands that copy each one at its
 * exact tag into the user's registry, and the values that point the install at the mirror. `-o script` writes
 * a runnable, idempotent bash script.
 */
import { EXIT, FatalError, ifForbidden, type ExitCode } from '../engine/errors.js';
import { REDACTED, redactText, urlPasswordsIn } from '../engine/redact.js';
import { imageSet, parseFrameworkTags, serviceConfigFromData } from '../model-engine/images.js';
import type { ConfigMap } from '../engine/kube-types.js';
import { planMirror, renderMirrorPlanText, renderMirrorScript, type MirrorPlan } from '../model-engine/mirror-plan.js';
import type { KubePort } from '../engine/types.js';
import { resolveContext } from '../run/context.js';
import { openSources, openValues, type CommonOptions, type Streams } from './run.js';

export interface MirrorPlanOptions extends Omit<CommonOptions, 'output'> {
  output?: 'text' | 'script' | 'json' | 'markdown';
  mirrorTo?: string;
  mirrorFrom?: string;
}

const tolerantGet = (kube: KubePort, name: string, ns: string): Promise<ConfigMap | undefined> =>
  ifForbidden(() => kube.get<ConfigMap>('configmaps', name, ns), () => undefined);

/** The plan as Markdown (for tickets and runbooks). */
export function renderMirrorPlanMarkdown(plan: MirrorPlan): string {
  const out = [`# Image mirror plan${plan.target ? ` into \`${plan.target.prefix}\`` : ''}`, ''];
  out.push('| Image | Source | Used by |', '|---|---|---|');
  for (const s of plan.steps) out.push(`| \`${s.target}\` | ${s.source ? `\`${s.source}\`${s.sourceVerified ? '' : ' (assumed)'}` : '—'} | ${s.roles.join(', ')} |`);
  out.push('', '## Commands', '', '```bash', renderMirrorScript(plan).trimEnd(), '```');
  if (plan.valuesSnippet) out.push('', '## Values', '', '```yaml', plan.valuesSnippet, '```');
  if (plan.notes.length) out.push('', '## Notes', '', ...plan.notes.map((n) => `- ${n}`));
  return `${out.join('\n')}\n`;
}

/**
 * The passwords of every `scheme://user:password@host` URL and scheme-less `user:password@registry/…` prefix among
 * the strings of `inputs` (of 4 characters or more, longest first).
 */
function urlPasswords(inputs: unknown[]): string[] {
  const found = new Set<string>();
  const visit = (v: unknown, depth: number): void => {
    if (typeof v === 'string') for (const p of urlPasswordsIn(v)) found.add(p);
    else if (v && typeof v === 'object' && depth < 64) for (const x of Object.values(v)) visit(x, depth + 1);
  };
  visit(inputs, 0);
  return [...found].filter((p) => p.length >= 4).sort((a, b) => b.length - a.length);
}

export async function mirrorPlanCommand(opts: MirrorPlanOptions, streams: Streams, signal: AbortSignal): Promise<ExitCode> {
  const { output: _output, ...common } = opts;
  const sources = await openSources(common, false, signal, streams.stderr);
  const first = await resolveContext({ ...(sources.kube ? { kube: sources.kube } : {}), ...(opts.namespace ? { namespace: opts.namespace } : {}) });
  const controlPlane = first.context.namespaces.controlPlane;
  // The context's port: reads in a namespace it could not determine fail with the reason instead of guessing.
  const kube = first.context.kube;
  const values = await openValues(common, kube, controlPlane, { signal });
  if (!values && !sources.kube) throw new FatalError('mirror-plan needs helm values: pass -f values.yaml (or a cluster with the release installed)');
  let frameworkTags;
  try {
    frameworkTags = parseFrameworkTags(opts.extra?.frameworkTag);
  } catch (e) {
    throw new FatalError((e as Error).message);
  }
  const frameworkConfigMap = kube ? (await tolerantGet(kube, 'model-engine-inference-framework-latest-config', controlPlane))?.data : undefined;
  const serviceConfig = kube && !values ? serviceConfigFromData((await tolerantGet(kube, 'model-engine-service-config', controlPlane))?.data) : undefined;
  const set = imageSet({
    ...(values ? { values } : {}),
    ...(frameworkConfigMap ? { frameworkConfigMap } : {}),
    ...(serviceConfig ? { serviceConfig } : {}),
    frameworkTags,
  });
  const plan = planMirror(set, { ...(opts.mirrorTo ? { mirrorTo: opts.mirrorTo } : {}), ...(opts.mirrorFrom ? { mirrorFrom: opts.mirrorFrom } : {}) });
  for (const p of set.problems) plan.notes.push(`${p.valuesPath}: ${p.detail}`);
  // Image references come from the values as written: a registry URL with a password in it (`https://user:pw@…`, or
  // `user:pw@registry/…` without a scheme) is printed masked, also where the plan cut the reference apart (a
  // reference parser takes `pw@registry/…` for a tag and a digest).
  const known = urlPasswords([values?.merged, frameworkConfigMap, serviceConfig, opts.mirrorTo, opts.mirrorFrom]);
  const out = (text: string) => streams.stdout.write(known.reduce((t, p) => t.split(p).join(REDACTED), redactText(text)));
  switch (opts.output ?? 'text') {
    case 'script':
      out(renderMirrorScript(plan));
      break;
    case 'json':
      out(`${JSON.stringify({ schemaVersion: 1, plan, images: set.images }, null, 2)}\n`);
      break;
    case 'markdown':
      out(renderMirrorPlanMarkdown(plan));
      break;
    case 'text':
      out(renderMirrorPlanText(plan));
      break;
  }
  return EXIT.ok;
}
