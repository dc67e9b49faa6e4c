import semver from 'semver';
import { defineCheck, fail, pass, skip, warn, type Deployment, type Finding, type Pod } from '../../src/engine/index.js';
import type { CommitsPort } from '../../src/engine/ports/commits.js';
import { keepAliveProblem, SERVICEBUS_FIX_COMMIT, SERVICEBUS_FIX_PR, verifyCommands } from '../../src/model-engine/servicebus.js';
import { BUILDER, CACHER, containerEnv, GATEWAY, mainContainer, pickGatewayPod, runningTag } from '../redis/lib/model-engine-redis.js';
import { refFromTag } from '../values/support/tag-ref.js';

const DOCS = 'docs/checks/broker/servicebus-fix.md';
/** azure-servicebus 7.11.4 has the idle-connection regression (azure-sdk-for-python#34212); #767 pinned 7.14.3. */
export const MIN_SERVICEBUS_SDK = '7.14.3';

/** Whether an installed azure-servicebus version is recent enough; undefined when it is not a version. */
export function sdkRecentEnough(version: string): boolean | undefined {
  const v = semver.coerce(version);
  return v ? semver.gte(v, MIN_SERVICEBUS_SDK) : undefined;
}


export default defineCheck({
  meta: {
    id: 'broker/servicebus-fix',
    title: 'Running images carry the Service Bus idle-connection fix (Azure)',
    description: `The running gateway and builder images contain commit ${SERVICEBUS_FIX_COMMIT.slice(0, 8)} (${SERVICEBUS_FIX_PR}) and azure-servicebus ≥ ${MIN_SERVICEBUS_SDK} (read in the pod with --exec), and any SERVICEBUS_KEEP_ALIVE_INTERVAL is 1–299 s.`,
    clouds: ['azure'],
    severity: 'high',
    needs: ['kube'],
    uses: ['commits', 'exec'],
    scopes: ['triage', 'endpoint'],
    timeoutMs: 45_000,
    messages: {
      included: '{{name}} runs {{tag}} ({{from}}), which contains {{short}} ({{pr}}); decided by {{via}}',
      notIncluded:
        '{{name}} runs {{tag}} ({{from}}), which does not contain {{short}} ({{pr}}): Service Bus closes AMQP connections that have had no link for 300 s (and detaches links idle for 10 min, IdleTimerExpired), and this image reuses them, so the first request after a quiet period fails with a 503',
      unverified: 'Cannot tell whether {{name}}\'s image {{tag}} contains {{short}} ({{pr}}): {{detail}}',
      noTag: '{{name}} has no version label, GIT_TAG or image tag that names a commit',
      sdkOk: 'azure-servicebus {{version}} in pod {{pod}} (≥ {{min}})',
      sdkOld: 'azure-servicebus {{version}} in pod {{pod}} is older than {{min}}, which has the idle AMQP connection regression (azure-sdk-for-python#34212)',
      sdkUnknown: 'Could not read the azure-servicebus version in pod {{pod}}: {{detail}}',
      keepAlive: 'SERVICEBUS_KEEP_ALIVE_INTERVAL on {{name}} {{problem}}',
      missing: 'Deployment {{name}} not found in {{namespace}}',
    },
  },
  async run(ctx) {
    const kube = ctx.kube!;
    const ns = ctx.namespaces.controlPlane;
    const deployments = await kube.list<Deployment>('deployments.apps', { namespace: ns });
    const commits = ctx.ports.commits;
    const short = SERVICEBUS_FIX_COMMIT.slice(0, 8);
    const findings: Finding[] = [];
    const memo = new Map<string, ReturnType<CommitsPort['isAncestor']>>();

    for (const name of [GATEWAY, BUILDER]) {
      const d = deployments.find((x) => x.metadata.name === name);
      const object = { kind: 'Deployment', namespace: ns, name };
      if (!d) {
        findings.push(skip('missing', { object, data: { name, namespace: ns } }));
        continue;
      }
      const { tag, from } = runningTag(d);
      const ref = refFromTag(tag);
      if (!tag || !ref) {
        findings.push(
          warn('noTag', {
            object,
            severity: 'medium',
            data: { name },
            remediation: { summary: 'Deploy images tagged with the llm-engine commit SHA, or check the SDK version in the pod with --exec.', commands: [verifyCommands(SERVICEBUS_FIX_COMMIT, '<commit>', ns)[2]!], docs: DOCS },
          }),
        );
        continue;
      }
      const data = { name, tag, from: from ?? '', short, pr: SERVICEBUS_FIX_PR };
      const evidence = [{ type: 'field' as const, object, path: from === 'env GIT_TAG' ? 'spec.template.spec.containers[].env[GIT_TAG]' : from === 'image tag' ? 'spec.template.spec.containers[].image' : 'metadata.labels["app.kubernetes.io/version"]', value: tag }];
      ctx.progress(`checking whether ${ref.ref} contains ${short}`);
      let p = memo.get(ref.ref);
      if (!p) memo.set(ref.ref, (p = commits ? commits.isAncestor(SERVICEBUS_FIX_COMMIT, ref.ref, ctx.signal) : Promise.resolve({ answer: 'unknown' as const, via: 'none', detail: 'no commits lookup in this run' })));
      const answer = await p;
      const ev = [...evidence, { type: 'probe' as const, target: answer.via, detail: `${ref.kind} ${ref.ref}: ${answer.detail ?? answer.answer}` }];
      switch (answer.answer) {
        case 'yes':
          findings.push(pass('included', { object, evidence: ev, data: { ...data, via: answer.via } }));
          break;
        case 'no':
          findings.push(
            fail('notIncluded', {
              object,
              evidence: ev,
              data,
              remediation: {
                summary: `Upgrade to a model-engine image built from ${short} or later (mirror it, set tag, helm upgrade); until then expect a 503 on the first request after 5 idle minutes (300 s without a link closes the connection; 10 min idle detaches a link).`,
                commands: [verifyCommands(SERVICEBUS_FIX_COMMIT, ref.ref, ns)[0]!, `helm -n ${ns} upgrade model-engine <chart> --reuse-values --set tag=<commit containing ${short}>`],
                docs: DOCS,
              },
            }),
          );
          break;
        case 'unknown':
          findings.push(
            warn('unverified', {
              object,
              severity: 'medium',
              evidence: ev,
              data: { ...data, detail: answer.detail ?? 'no source could answer' },
              remediation: { summary: 'Check by hand (or rerun with --exec to read the SDK version in the pod, or --llm-engine-repo <clone>).', commands: verifyCommands(SERVICEBUS_FIX_COMMIT, ref.ref, ns), docs: DOCS },
            }),
          );
      }
    }

    // The SDK version, from inside the gateway pod (--exec).
    const exec = ctx.options.exec ? ctx.ports.exec : undefined;
    if (exec) {
      const pod = pickGatewayPod(await kube.list<Pod>('pods', { namespace: ns, labelSelector: `app=${GATEWAY}` }), ns);
      if (pod) {
        const object = { kind: 'Pod', namespace: ns, name: pod.pod };
        const data = { pod: `${ns}/${pod.pod}`, min: MIN_SERVICEBUS_SDK };
        try {
          const version = await exec.pythonPackageVersion(pod, 'azure-servicebus', { signal: ctx.signal });
          const ok = version ? sdkRecentEnough(version) : undefined;
          const evidence = [{ type: 'probe' as const, target: `pod ${ns}/${pod.pod}`, detail: `importlib.metadata.version("azure-servicebus") = ${version ?? 'not installed'}` }];
          if (ok === true) findings.push(pass('sdkOk', { object, evidence, data: { ...data, version } }));
          else if (ok === false) {
            findings.push(
              fail('sdkOld', {
                object,
                evidence,
                data: { ...data, version },
                remediation: { summary: `Use an image with azure-servicebus ${MIN_SERVICEBUS_SDK} (model-engine ${short} or later pins it).`, docs: DOCS },
              }),
            );
          } else findings.push(skip('sdkUnknown', { object, evidence, data: { ...data, detail: version ? `"${version}" is not a version` : 'azure-servicebus is not installed' } }));
        } catch (e) {
          findings.push(skip('sdkUnknown', { object, data: { ...data, detail: (e as Error).message } }));
        }
      }
    }

    // SERVICEBUS_KEEP_ALIVE_INTERVAL is only settable through extraEnvVars; when set it must beat the 300 s idle drop.
    for (const name of [GATEWAY, BUILDER, CACHER]) {
      const d = deployments.find((x) => x.metadata.name === name);
      const c = mainContainer(d);
      const env = containerEnv(c);
      if (!('SERVICEBUS_KEEP_ALIVE_INTERVAL' in env.values)) continue;
      const problem = keepAliveProblem(env.values.SERVICEBUS_KEEP_ALIVE_INTERVAL);
      if (!problem) continue;
      const object = { kind: 'Deployment', namespace: ns, name };
      findings.push(
        fail('keepAlive', {
          object,
          evidence: [{ type: 'field', object, path: `spec.template.spec.containers[${c?.name ?? name}].env[SERVICEBUS_KEEP_ALIVE_INTERVAL]`, value: env.values.SERVICEBUS_KEEP_ALIVE_INTERVAL }],
          data: { name, problem },
          remediation: {
            summary: 'Set it to 30 (the default) or remove it from extraEnvVars.',
            values: 'extraEnvVars:\n  - name: SERVICEBUS_KEEP_ALIVE_INTERVAL\n    value: "30"\n',
            docs: DOCS,
          },
        }),
      );
    }
    return findings;
  },
});
