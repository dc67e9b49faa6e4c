/**
 * Install failures the doctor predicts, proven on the real thing: `preflight` says what is wrong with a values file
 * and how helm install will fail, then the real helm installs model-engine's real chart with the same values into
 * the real API server and fails exactly so. Each case starts from the good AWS fixture (installable as it is:
 * clouds.test.ts and aws-endpoints.test.ts install it) with the one thing taken out that model-engine's own
 * values_sample.yaml, or an operator following it, gets wrong.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, type Document } from 'yaml';
import { doctorJson, e2eUnavailable, kubectl, kubectlJson, REPO, waitFor } from './harness/cluster.js';
import { chartUnavailable, helmInstall, installModelEngine, prepareInstall, uninstall, type Install } from './harness/install.js';
import { events } from './harness/scenario.js';

const skip = e2eUnavailable() ?? chartUnavailable();
if (skip) process.stderr.write(`\n!!! ${skip}: test/e2e/install-failures.test.ts SKIPPED\n`);

interface Result {
  id: string;
  status: string;
  messageId: string;
  message: string;
  object?: { kind: string; namespace?: string; name: string };
  evidence: { type: string; reason?: string; message?: string }[];
}
interface Report {
  results: Result[];
  incidents?: { members: number[] }[];
}

const NS = 'model-engine';
let dir: string;

/** aws-good.yaml with one edit: what a values file without the fix looks like. */
function variant(name: string, edit: (doc: Document) => void): string {
  const doc = parseDocument(readFileSync(join(REPO, 'fixtures/values/aws-good.yaml'), 'utf8'));
  edit(doc);
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, doc.toString());
  return path;
}

const find = (report: Report, id: string, messageId: string) => report.results.find((r) => r.id === id && r.messageId === messageId);

/** `preflight -n model-engine -f <values>` against the real cluster (nothing installed yet): the JSON report. */
async function preflight(values: string): Promise<Report> {
  return (await doctorJson<Report>(['preflight', '-n', NS, '-f', values])).report;
}

(skip ? describe.skip : describe)('install failures: what preflight says, then what real helm does', () => {
  let install: Install | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'med-install-failures-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // Every install is removed, whatever the test did.
  afterEach(async () => {
    if (install) await uninstall(install);
    install = undefined;
  }, 300_000);

  it('aws without aws.configMap.mountPath (as values_sample.yaml): preflight says values/required-fields, and helm install fails with the API server\'s own words', async () => {
    const values = variant('no-mount-path', (d) => d.deleteIn(['aws', 'configMap', 'mountPath']));
    const report = await preflight(values);
    const finding = find(report, 'values/required-fields', 'emptyField');
    expect(finding).toMatchObject({ status: 'fail', object: { kind: 'HelmValues', name: 'aws.configMap.mountPath' } });
    expect(finding!.message).toContain('spec.template.spec.containers[0].volumeMounts[2].mountPath empty in Job model-engine-database-migration-1, Deployment model-engine-cacher, Deployment model-engine-endpoint-builder, Deployment model-engine');
    const predicted = 'Job.batch "model-engine-database-migration-1" is invalid: spec.template.spec.containers[0].volumeMounts[2].mountPath: Required value';
    expect(finding!.message).toContain(predicted);

    install = await prepareInstall({ cloud: 'aws', values: [values] });
    const helm = await helmInstall(install, ['--wait', '--timeout', '60s']);
    expect(helm.code).not.toBe(0);
    expect(helm.stderr).toContain('failed pre-install');
    expect(helm.stderr).toContain(predicted);
    // Refused before anything ran: no Job, no Deployment.
    expect((await kubectl(['get', 'jobs,deployments', '-n', NS, '-o', 'name'])).trim()).toBe('');
  });

  describe('the service account is not a pre-install hook (a values file written from the chart README)', () => {
    let values: string;
    beforeAll(() => {
      values = variant('sa-not-hook', (d) => {
        d.deleteIn(['serviceAccount', 'annotations', 'helm.sh/hook']);
        d.deleteIn(['serviceAccount', 'annotations', 'helm.sh/hook-weight']);
      });
    });

    it('preflight says values/hook-jobs; helm install --wait hangs on the migration hook and fails as predicted', async () => {
      const report = await preflight(values);
      const finding = find(report, 'values/hook-jobs', 'createdAfter');
      expect(finding).toMatchObject({ status: 'fail', object: { kind: 'HelmValues', name: 'serviceAccount.annotations' } });
      expect(finding!.message).toContain('needs ServiceAccount model-engine, which helm creates only with the release\'s objects, after every pre-install hook');

      install = await prepareInstall({ cloud: 'aws', values: [values] });
      const helm = await helmInstall(install, ['--wait', '--timeout', '30s']);
      expect(helm.code).not.toBe(0);
      // The doctor quotes helm's failure: check the quote against the real one.
      const quoted = /\("(resource Job\/[^"…]+) … (context deadline exceeded)"\)/.exec(finding!.message)!;
      expect(helm.stderr).toContain(quoted[1]);
      expect(helm.stderr).toContain(quoted[2]);
      // And the Job controller's own FailedCreate, as the finding says.
      const failed = (await events(NS)).find((e) => e.reason === 'FailedCreate' && e.involvedObject.name === 'model-engine-database-migration-1');
      expect(failed?.message).toContain('error looking up service account model-engine/model-engine: serviceaccount "model-engine" not found');
      expect(finding!.message).toContain('error looking up service account model-engine/model-engine: serviceaccount "model-engine" not found');
    });

    it('helm install --wait=false: the Job\'s FailedCreate appears and triage reports it live (database/schema), with the values cause as one incident', async () => {
      install = await prepareInstall({ cloud: 'aws', values: [values] });
      // helm waits for hook Jobs even without --wait: it runs until its timeout while the doctor looks.
      const running = helmInstall(install, ['--wait=false', '--timeout', '90s']);
      try {
        const event = await waitFor(
          'FailedCreate of the migration Job',
          async () => (await events(NS)).find((e) => e.reason === 'FailedCreate' && e.involvedObject.kind === 'Job' && e.involvedObject.name === 'model-engine-database-migration-1'),
          60_000,
          500,
        );
        expect(event.message).toMatch(/^Error creating: pods "model-engine-database-migration-1-" is forbidden: error looking up service account model-engine\/model-engine: serviceaccount "model-engine" not found$/);

        const { report } = await doctorJson<Report>(['triage', '-n', NS]);
        const live = find(report, 'database/schema', 'jobPodsRefused');
        expect(live).toMatchObject({ status: 'fail', object: { kind: 'Job', namespace: NS, name: 'model-engine-database-migration-1' } });
        expect(live!.message).toContain('ServiceAccount model-engine is not a pre-install hook in the release\'s values');
        expect(live!.evidence).toContainEqual(expect.objectContaining({ type: 'event', reason: 'FailedCreate', message: event.message }));
        // The values (read from the pending release helm wrote) say the same: one incident, two views.
        const cause = find(report, 'values/hook-jobs', 'createdAfter');
        expect(cause?.status).toBe('fail');
        const index = (r: Result) => report.results.indexOf(r);
        expect(report.incidents!.some((i) => i.members.includes(index(live!)) && i.members.includes(index(cause!)))).toBe(true);
      } finally {
        const helm = await running;
        expect(helm.code).not.toBe(0);
      }
    });
  });

  it('the endpoint namespace in serviceAccount.namespaces: the service account is rendered twice, helm applies both, and the doctor names the double render', async () => {
    const values = variant('sa-twice', (d) => d.setIn(['serviceAccount', 'namespaces'], ['llm-engine', 'default']));
    install = await installModelEngine({ cloud: 'aws', values: [values] });
    const sa = await kubectlJson<{ metadata: { annotations?: Record<string, string> } }>(['get', 'serviceaccount', '-n', 'llm-engine', 'model-engine']);
    const kept = sa.metadata.annotations?.['eks.amazonaws.com/role-arn'];
    expect(['arn:aws:iam::482093716652:role/k8s-prod-use1-llm-engine', 'arn:aws:iam::482093716652:role/llm-engine-endpoints']).toContain(kept);

    const { report } = await doctorJson<Report>(['triage', '-n', NS]);
    const values_ = find(report, 'values/duplicate-objects', 'differing');
    expect(values_).toMatchObject({ status: 'warn', object: { kind: 'ServiceAccount', namespace: 'llm-engine', name: 'model-engine' } });
    expect(values_!.message).toContain('by templates/service_account.yaml');
    expect(values_!.message).toContain('by templates/service_account_inference.yaml');
    expect(values_!.message).toContain('k8s-prod-use1-llm-engine');
    expect(values_!.message).toContain('llm-engine-endpoints');
    const live = find(report, 'identity/service-account-annotations', 'renderedTwiceDiffering');
    expect(live).toMatchObject({ status: 'warn', object: { kind: 'ServiceAccount', namespace: 'llm-engine', name: 'model-engine' } });
    expect(live!.message).toContain(`the cluster kept ${kept}`);
    // No bare "values say …" mismatch for that account: the double render is the cause.
    expect(report.results.filter((r) => r.id === 'identity/service-account-annotations' && r.messageId === 'mismatch' && r.object?.namespace === 'llm-engine')).toEqual([]);
  });
});
