/**
 * RBAC on a real API server: docs/rbac.md's roles, applied exactly as the page says, are enough for every check; a
 * user lacking any single rule gets skips that name the permission — no crash, no `error` result, and no wrong
 * verdict (nothing that passed with full access fails, nothing that failed passes, no new failure appears).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createEndpoint } from './harness/builder.js';
import { apply, BIN, cluster, doctorJson, e2eUnavailable, exec, REPO, userKubeconfig } from './harness/cluster.js';
import { chartUnavailable, installModelEngine, uninstall, type Install } from './harness/install.js';
import { waitForAvailable, waitForEvent } from './harness/scenario.js';

const skip = e2eUnavailable() ?? chartUnavailable();
if (skip) process.stderr.write(`\n!!! ${skip}: test/e2e/rbac.test.ts SKIPPED\n`);

interface Result {
  id: string;
  status: string;
  severity: string;
  message: string;
  messageId: string;
  object?: { kind: string; name: string; namespace?: string };
}
interface Report {
  results: Result[];
  endpoints?: { name: string; cause: string; summary?: string }[];
}
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface RbacObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string }[];
}

const DOC = readFileSync(join(REPO, 'docs/rbac.md'), 'utf8');

/** The page's fenced blocks of one language, with the file name their first comment line gives. */
function blocks(lang: string): { file?: string; text: string }[] {
  return [...DOC.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => {
    const text = m[1]!;
    const file = /^# ([\w.-]+\.yaml)/.exec(text)?.[1];
    return { ...(file ? { file } : {}), text };
  });
}

const keyOf = (r: Result) => `${r.id}|${r.messageId}|${r.object?.kind ?? ''}/${r.object?.namespace ?? ''}/${r.object?.name ?? ''}`;
const PERMISSION = /forbidden|cannot (get|list|watch)|not allowed|permission|RBAC/i;

/**
 * The same finding about another object: a check names a helm values key (HelmValues) as its subject when the values
 * (or the service ConfigMap they render) can be read, and the live object they made when they cannot — e.g.
 * gpu/accelerator-labels' balloon type without the release Secret, redis/connectivity's config without the ConfigMap.
 * Same check, message id and status, one side a values key: not a new finding, and not a new skip.
 */
const aboutAnotherObject = (full: Result[], r: Result): Result | undefined =>
  full.find((x) => x.id === r.id && x.messageId === r.messageId && x.status === r.status && (x.object?.kind === 'HelmValues' || r.object?.kind === 'HelmValues'));

(skip ? describe.skip : describe)('RBAC: docs/rbac.md on a real API server', () => {
  let install: Install;
  let full: Report;
  let work: string;
  const clusterRole = () => parseAllDocuments(blocks('yaml').find((b) => b.file === 'model-engine-doctor-cluster.yaml')!.text).map((d) => d.toJS() as RbacObject);
  const role = () => parseAllDocuments(blocks('yaml').find((b) => b.file === 'model-engine-doctor-role.yaml')!.text).map((d) => d.toJS() as RbacObject);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'med-e2e-rbac-'));
    install = await installModelEngine({
      cloud: 'aws',
      nodes: [{ name: 'rbac-a100-0', cloud: 'aws', gpus: 8, acceleratorLabel: 'nvidia-ampere-a100' }],
    });
    const ok = await createEndpoint({ name: 'llama-3-8b', gpuType: 'nvidia-ampere-a100', gpus: 1 });
    const pending = await createEndpoint({ name: 'llama-3-70b', gpuType: 'nvidia-hopper-h100', gpus: 4 });
    await waitForAvailable(ok);
    await waitForEvent(pending, 'FailedScheduling');
    full = (await doctorJson<Report>(['triage'], { kubeconfig: userKubeconfig('rbac-admin', ['system:masters']) })).report;
  }, 300_000);
  afterAll(async () => {
    if (install) await uninstall(install);
  }, 300_000);

  it('the commands on the page apply the roles as written (kubectl apply, sed per namespace, auth can-i)', async () => {
    for (const b of blocks('yaml')) if (b.file) writeFileSync(join(work, b.file), b.text);
    const script = blocks('sh')[0]!.text;
    const r = await exec('bash', ['-c', script], { cwd: work, env: { PATH: `${BIN}:${process.env.PATH}`, KUBECONFIG: cluster().kubeconfig, HOME: work } });
    expect(r.stderr).not.toMatch(/error/i);
    // `auth can-i` exits 1 for "no"; the script's output says what the page promises.
    expect(r.stdout).toMatch(/clusterrole\.rbac\.authorization\.k8s\.io\/model-engine-doctor (created|serverside-applied|configured|unchanged)/);
    expect(r.stdout.trim().split('\n').slice(-2)).toEqual(['yes', 'no']);
  });

  it('a user bound to exactly those roles runs triage with no permission skip, and the same verdicts as an admin', async () => {
    const { code, report } = await doctorJson<Report>(['triage'], { kubeconfig: userKubeconfig('model-engine-doctor') });
    const permissionSkips = report.results.filter((r) => r.status === 'skip' && PERMISSION.test(r.message));
    expect(permissionSkips.map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    expect(report.results.map((r) => [keyOf(r), r.status])).toEqual(full.results.map((r) => [keyOf(r), r.status]));
    expect(report.endpoints?.map((e) => [e.name, e.cause])).toEqual(full.endpoints?.map((e) => [e.name, e.cause]));
    expect(code).toBe(3);
  });

  // One case per (role, apiGroup, resource) on the page.
  const cases = (): { scope: 'cluster' | 'namespace'; group: string; resource: string }[] => [
    ...clusterRole()
      .filter((o) => o.kind === 'ClusterRole')
      .flatMap((o) => o.rules!.flatMap((rule) => rule.resources.map((resource) => ({ scope: 'cluster' as const, group: rule.apiGroups[0]!, resource })))),
    ...role()
      .filter((o) => o.kind === 'Role')
      .flatMap((o) => o.rules!.flatMap((rule) => rule.resources.map((resource) => ({ scope: 'namespace' as const, group: rule.apiGroups[0]!, resource })))),
  ];

  it('without any one rule: skips name the permission; no crash, no error result, no wrong verdict', async () => {
    const failures: string[] = [];
    for (const c of cases()) {
      // Certificate CNs are at most 64 characters: the scope is one letter and the API group its first label
      // (minus-c-mutatingwebhookconfigurations-admissionregistration is 60).
      const user = `minus-${c.scope[0]}-${c.resource.replace('/', '-')}-${(c.group || 'core').split('.')[0]}`;
      if (user.length > 64) throw new Error(`user name ${user} is longer than a certificate CN may be`);
      const drop = (o: RbacObject, scope: 'cluster' | 'namespace'): RbacObject => ({
        ...o,
        metadata: { ...o.metadata, name: `doctor-${user}` },
        ...(o.rules
          ? {
              rules: o.rules
                .map((rule) => (scope === c.scope && rule.apiGroups[0] === c.group ? { ...rule, resources: rule.resources.filter((res) => res !== c.resource) } : rule))
                .filter((rule) => rule.resources.length > 0),
            }
          : {}),
        ...(o.roleRef ? { roleRef: { ...o.roleRef, name: `doctor-${user}` }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }] } : {}),
      } as RbacObject);
      const objects = [
        ...clusterRole().map((o) => drop(o, 'cluster')),
        ...['model-engine', 'llm-engine', 'default'].flatMap((ns) => role().map((o) => drop({ ...o, metadata: { ...o.metadata, namespace: ns } }, 'namespace'))),
      ];
      await apply(objects);
      const label = `${c.scope} ${c.resource}${c.group ? `.${c.group}` : ''}`;
      let run;
      try {
        run = await doctorJson<Report>(['triage'], { kubeconfig: userKubeconfig(user) });
      } catch (err) {
        failures.push(`${label}: no report (${String(err).split('\n').slice(0, 2).join(' ')})`);
        continue;
      }
      const { code, report } = run;
      if (code !== 0 && code !== 3) failures.push(`${label}: exit ${code}`);
      for (const r of report.results.filter((x) => x.status === 'error')) failures.push(`${label}: error result ${r.id}: ${r.message}`);
      const before = new Map(full.results.map((r) => [keyOf(r), r]));
      const plural = c.resource.split('/')[0]!;
      for (const r of report.results) {
        const was = before.get(keyOf(r)) ?? aboutAnotherObject(full.results, r);
        if ((r.status === 'fail' || r.status === 'warn') && was?.status !== r.status && was?.status !== 'fail')
          failures.push(`${label}: new ${r.status} ${r.id} (${r.message.slice(0, 160)})`);
        if (r.status === 'pass' && was?.status === 'fail') failures.push(`${label}: ${r.id} passes without the permission but fails with it`);
        if (r.status === 'skip' && was?.status !== 'skip' && !(PERMISSION.test(r.message) && r.message.toLowerCase().includes(plural)))
          failures.push(`${label}: ${r.id} skips without naming the permission: ${r.message.slice(0, 160)}`);
      }
      for (const e of report.endpoints ?? []) {
        const was = full.endpoints?.find((x) => x.name === e.name);
        if (was && was.cause !== e.cause && !(e.summary && PERMISSION.test(e.summary) && e.summary.toLowerCase().includes(plural)))
          failures.push(`${label}: endpoint ${e.name} is ${e.cause} (was ${was.cause}) without naming the permission`);
      }
    }
    expect(failures).toEqual([]);
  }, 900_000);
});
