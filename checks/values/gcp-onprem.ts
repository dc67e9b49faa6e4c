import { defineCheck, fail, formatPath, pass, warn, type CheckContext, type Finding, type ValuesPort } from '../../src/engine/index.js';

/** A parsed Google service account email `<name>@<project>.iam.gserviceaccount.com`. */
export interface GsaEmail {
  name: string;
  project: string;
}

const GSA = /^([a-z](?:[-a-z0-9]{4,28}[a-z0-9]))@([a-z](?:[-a-z0-9]{4,28}[a-z0-9])(?:\.[a-z0-9][-a-z0-9.]*[a-z0-9])?)\.iam\.gserviceaccount\.com$/;

/** Parse a GKE Workload Identity service account email, or say what is wrong with it. */
export function parseGsa(v: unknown): { gsa: GsaEmail } | { problem: string } {
  if (typeof v !== 'string' || v.trim() === '') return { problem: 'is empty' };
  if (v !== v.trim()) return { problem: 'has leading or trailing whitespace' };
  const at = v.indexOf('@');
  if (at < 0) return { problem: 'is not an email; the format is <name>@<project>.iam.gserviceaccount.com' };
  const domain = v.slice(at + 1);
  if (domain === 'developer.gserviceaccount.com' || domain === 'appspot.gserviceaccount.com') {
    return { problem: 'is a default (Compute Engine or App Engine) service account; Workload Identity needs a dedicated <name>@<project>.iam.gserviceaccount.com' };
  }
  if (!domain.endsWith('.iam.gserviceaccount.com')) return { problem: 'does not end in .iam.gserviceaccount.com' };
  const m = GSA.exec(v);
  if (!m) {
    return { problem: 'has an invalid name or project (both 6–30 lowercase letters, digits and hyphens, starting with a letter)' };
  }
  return { gsa: { name: m[1]!, project: m[2]! } };
}

/** What is wrong with an `s3EndpointUrl`, or undefined when boto3 can use it. */
export function s3EndpointProblem(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.trim() === '') return 'is empty';
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return 'has no scheme; boto3 needs a full URL such as http://minio.minio.svc.cluster.local:9000';
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `uses ${url.protocol}//; S3 endpoints are http:// or https://`;
  if (!url.hostname) return 'has no host';
  if (url.username || url.password) return 'carries credentials; put them in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from a Secret instead';
  if (url.pathname !== '/' && url.pathname !== '') return `has a path (${url.pathname}); give the endpoint only, the bucket comes from config.values.infra.s3_bucket`;
  return undefined;
}

const ref = (path: string) => ({ kind: 'HelmValues', name: path });
const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const nonEmpty = (v: unknown) => v !== undefined && v !== null && v !== '';
const DOCS = 'docs/checks/values/gcp-onprem.md';

/** One ServiceAccount's GSA: the chart's key and the manual annotation (facts §1.3: the chart adds it itself). */
function checkGsa(
  values: ValuesPort,
  annotation: string,
  p: { chartKey: string; chartValue: unknown; map: string; sa: string; required: boolean },
): Finding[] {
  const out: Finding[] = [];
  const map = values.get(p.map);
  const manualPath = formatPath([...p.map.split('.'), annotation]);
  const manual = isMap(map) ? map[annotation] : undefined;
  const chartSnippet = `gcp:\n  ${p.chartKey.split('.')[1]}: <name>@<project>.iam.gserviceaccount.com\n`;
  if (!nonEmpty(p.chartValue) && !nonEmpty(manual)) {
    const finding = {
      data: { path: p.chartKey, sa: p.sa },
      object: ref(p.chartKey),
      evidence: [values.evidence(p.chartKey), values.evidence(manualPath)],
      remediation: {
        summary: `Set ${p.chartKey} to the Google service account ${p.sa} should act as (and bind it with roles/iam.workloadIdentityUser).`,
        values: chartSnippet,
        commands: [
          'gcloud iam service-accounts add-iam-policy-binding <name>@<project>.iam.gserviceaccount.com --role roles/iam.workloadIdentityUser --member "serviceAccount:<project>.svc.id.goog[<namespace>/<kubernetes sa>]"',
        ],
        docs: DOCS,
      },
    };
    out.push(p.required ? fail('gsaMissing', finding) : warn('gsaMissing', { ...finding, severity: 'medium' }));
    return out;
  }
  for (const [path, v] of [
    [p.chartKey, p.chartValue],
    [manualPath, manual],
  ] as const) {
    if (!nonEmpty(v)) continue;
    const r = parseGsa(v);
    if ('problem' in r) {
      out.push(
        fail('gsaMalformed', {
          data: { path, value: String(v), problem: r.problem, sa: p.sa },
          object: ref(path),
          evidence: [values.evidence(path)],
          remediation: { summary: `Fix ${path}: it ${r.problem}.`, values: chartSnippet, docs: DOCS },
        }),
      );
    }
  }
  if (nonEmpty(p.chartValue) && nonEmpty(manual)) {
    const same = String(manual) === String(p.chartValue);
    const finding = {
      data: { path: manualPath, chartKey: p.chartKey, manual: String(manual), chart: String(p.chartValue), sa: p.sa },
      object: ref(manualPath),
      evidence: [values.evidence(manualPath), values.evidence(p.chartKey)],
      remediation: {
        summary: `Delete ${manualPath}: the chart adds iam.gke.io/gcp-service-account from ${p.chartKey}.`,
        values: `${p.map.split('.')[0]}:\n  ${p.map.split('.')[1]}:\n    ${annotation}: null   # or delete the line; the chart sets it from ${p.chartKey}\n`,
        docs: DOCS,
      },
    };
    out.push(same ? warn('gsaAnnotationDuplicate', { ...finding, severity: 'low' }) : fail('gsaAnnotationConflict', finding));
  }
  if (out.length === 0) {
    const path = nonEmpty(p.chartValue) ? p.chartKey : manualPath;
    out.push(pass('gsaOk', { data: { path, sa: p.sa, value: String(nonEmpty(p.chartValue) ? p.chartValue : manual) }, object: ref(path), evidence: [values.evidence(path)] }));
  }
  return out;
}

function checkGcp(ctx: CheckContext, values: ValuesPort): Finding[] {
  const annotation = ctx.matrix?.serviceAccountAnnotation ?? 'iam.gke.io/gcp-service-account';
  const cp = values.get('gcp.iam_service_account');
  const inference = values.get('gcp.inference_service_account');
  return [
    ...checkGsa(values, annotation, { chartKey: 'gcp.iam_service_account', chartValue: cp, map: 'serviceAccount.annotations', sa: 'the model-engine ServiceAccount (control plane)', required: true }),
    ...checkGsa(values, annotation, {
      chartKey: nonEmpty(inference) ? 'gcp.inference_service_account' : 'gcp.iam_service_account',
      chartValue: nonEmpty(inference) ? inference : cp,
      map: 'serviceTemplate.serviceAccountAnnotations',
      sa: 'the endpoint ServiceAccount',
      required: false,
    }),
  ].filter(
    // The endpoint SA falls back to gcp.iam_service_account: a problem with that key is reported once.
    (f, i, all) => f.status === 'pass' || all.findIndex((g) => g.messageId === f.messageId && g.object?.name === f.object?.name) === i,
  );
}

function checkOnprem(values: ValuesPort): Finding[] {
  const path = 's3EndpointUrl';
  const v = values.get(path);
  const snippet = 's3EndpointUrl: http://minio.minio.svc.cluster.local:9000   # your S3-compatible endpoint\n';
  if (!nonEmpty(v)) {
    return [
      fail('s3EndpointMissing', {
        data: { path },
        object: ref(path),
        evidence: [values.evidence(path)],
        remediation: { summary: 'Set s3EndpointUrl to your S3-compatible storage (MinIO, Ceph RGW …); the chart injects it as S3_ENDPOINT_URL.', values: snippet, docs: DOCS },
      }),
    ];
  }
  const problem = s3EndpointProblem(v);
  if (problem) {
    return [
      fail('s3EndpointMalformed', {
        data: { path, value: String(v), problem },
        object: ref(path),
        evidence: [values.evidence(path)],
        remediation: { summary: `Fix s3EndpointUrl: it ${problem}.`, values: snippet, docs: DOCS },
      }),
    ];
  }
  return [pass('s3EndpointOk', { data: { path, value: String(v) }, object: ref(path), evidence: [values.evidence(path)] })];
}

export default defineCheck({
  meta: {
    id: 'values/gcp-onprem',
    title: 'GCP and on-prem values',
    description: 'GKE Workload Identity service accounts are well-formed, on-prem points boto3 at S3-compatible storage, and what these clouds cannot do is said up front.',
    clouds: ['gcp', 'onprem'],
    severity: 'high',
    needs: ['values'],
    messages: {
      gsaOk: '{{path}} = {{value}} gives {{sa}} a Google identity',
      gsaMissing: '{{path}} is not set (nor an iam.gke.io/gcp-service-account annotation): {{sa}} has no Google identity, so GCS, Artifact Registry and Pub/Sub calls fail',
      gsaMalformed: '{{path}} = "{{value}}" {{problem}}; {{sa}} cannot use it',
      gsaAnnotationDuplicate: '{{path}} is set by hand and the chart adds the same annotation from {{chartKey}}: {{sa}} gets the key twice (same value today)',
      gsaAnnotationConflict: '{{path}} = "{{manual}}" is set by hand while the chart adds it again from {{chartKey}} = "{{chart}}": {{sa}} gets the key twice with different accounts and only one takes effect',
      imageBuildsUnsupported:
        'Custom image builds do not work on {{cloud}}: {{unsupported}}. Endpoints from cloudpickle/zip model bundles (which need an image build) fail; LLM endpoints and bundles with your own pre-built image work',
      s3EndpointOk: 's3EndpointUrl = {{value}} points boto3 at S3-compatible storage',
      s3EndpointMissing: 's3EndpointUrl is not set: on-prem, boto3 then talks to AWS S3 (s3.amazonaws.com) instead of your S3-compatible storage',
      s3EndpointMalformed: 's3EndpointUrl = "{{value}}" {{problem}}',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    const out: Finding[] = ctx.cloud === 'gcp' ? checkGcp(ctx, values) : checkOnprem(values);
    const m = ctx.matrix;
    if (m && !m.imageBuilds) {
      // Said once per run, as a warning: nothing to fix in the values, but users must know before they rely on it.
      out.push(
        warn('imageBuildsUnsupported', {
          severity: 'low',
          data: { cloud: m.displayName, unsupported: m.unsupported.filter((u) => u.includes('image build')).join('; ') || 'no registry class can build' },
          object: ref('config.values.infra.cloud_provider'),
          evidence: [values.evidence('config.values.infra.cloud_provider'), values.evidence('config.values.infra.docker_repo_prefix')],
          remediation: {
            summary: 'Build and push images yourself, then create endpoints from runnable-image bundles (or LLM endpoints); do not use cloudpickle/zip artifact bundles on this cloud.',
            docs: DOCS,
          },
        }),
      );
    }
    return out;
  },
});
