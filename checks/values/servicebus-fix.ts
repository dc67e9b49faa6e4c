import { defineCheck, fail, pass, skip, warn, type Check, type Evidence } from '../../src/engine/index.js';
import { SERVICEBUS_FIX_COMMIT, SERVICEBUS_FIX_PR, verifyCommands } from '../../src/model-engine/servicebus.js';

import { refFromTag } from './support/tag-ref.js';

const ref = (path: string) => ({ kind: 'HelmValues', name: path });
const DOCS = 'docs/checks/values/servicebus-fix.md';


/** The check, for a given fix commit (tests substitute a commit of a repository they create). */
export function makeServicebusFixCheck(fixCommit: string = SERVICEBUS_FIX_COMMIT): Check {
  const short = fixCommit.slice(0, 8);
  return defineCheck({
    meta: {
      id: 'values/servicebus-fix',
      title: 'Service Bus idle-connection fix in the image',
      description: `On Azure, the model-engine image tag contains commit ${short} (${SERVICEBUS_FIX_PR}), without which the first request after 5 idle minutes fails with a 503.`,
      clouds: ['azure'],
      severity: 'high',
      needs: ['values'],
      uses: ['commits'],
      timeoutMs: 20_000,
      messages: {
        included: 'tag {{tag}} contains commit {{short}} ({{pr}}, the Service Bus idle-connection fix); decided by {{via}}',
        notIncluded:
          'tag {{tag}} does not contain commit {{short}} ({{pr}}): Service Bus closes AMQP connections idle for 300 s, and this image reuses them, so the first request after a quiet period fails with a 503 (amqp:connection:forced); decided by {{via}}',
        unverified: 'Cannot verify that tag {{tag}} contains commit {{short}} ({{pr}}, the Service Bus idle-connection fix): {{detail}}',
        noCommit: 'tag {{tag}} names no commit, so nothing shows whether it contains {{short}} ({{pr}}, the Service Bus idle-connection fix)',
        noTag: 'tag is not set; the image-tag check reports that',
      },
    },
    async run(ctx) {
      const values = ctx.values!;
      const tag = values.get('tag');
      const data = { tag: String(tag), short, pr: SERVICEBUS_FIX_PR };
      const object = ref('tag');
      if (tag === undefined || tag === null || tag === '') return skip('noTag', { object, evidence: [values.evidence('tag')] });
      const tagRef = refFromTag(tag);
      const ns = ctx.namespaces.controlPlane;
      if (!tagRef) {
        return warn('noCommit', {
          data,
          object,
          evidence: [values.evidence('tag')],
          remediation: {
            summary: `Pin tag to the 40-character commit SHA the image was built from (a commit that contains ${short}), then verify.`,
            values: 'tag: <40-character llm-engine commit SHA>\n',
            commands: [verifyCommands(fixCommit, '<commit>', ns)[2]!],
            docs: DOCS,
          },
        });
      }
      const port = ctx.ports.commits;
      ctx.progress(`checking whether ${tagRef.ref} contains ${short}`);
      const answer = port
        ? await port.isAncestor(fixCommit, tagRef.ref, ctx.signal)
        : { answer: 'unknown' as const, via: 'none', detail: 'no commits lookup in this run' };
      const evidence: Evidence[] = [
        values.evidence('tag'),
        { type: 'probe', target: answer.via, detail: `${tagRef.kind === 'name' ? 'tag name' : tagRef.kind} ${tagRef.ref}: ${answer.detail ?? answer.answer}` },
      ];
      switch (answer.answer) {
        case 'yes':
          return pass('included', { data: { ...data, via: answer.via }, object, evidence });
        case 'no':
          return fail('notIncluded', {
            data: { ...data, via: answer.via },
            object,
            evidence,
            remediation: {
              summary: `Move to a model-engine image built from ${short} or later (any main commit after 2026-02-24), mirror it, and set tag to it.`,
              values: 'tag: <40-character SHA of an llm-engine commit that contains 9deb59f1>\n',
              commands: [`git -C <llm-engine clone> log -1 --format=%H origin/main`, verifyCommands(fixCommit, '<new tag>', ns)[0]!],
              docs: DOCS,
            },
          });
        case 'unknown':
          return warn('unverified', {
            severity: 'medium',
            data: { ...data, detail: answer.detail ?? 'no source could answer' },
            object,
            evidence,
            remediation: {
              summary: 'Check it by hand with one of these commands, or rerun with --llm-engine-repo <path to a clone of scaleapi/llm-engine> (or with access to api.github.com).',
              commands: verifyCommands(fixCommit, tagRef.ref, ns),
              docs: DOCS,
            },
          });
      }
    },
  });
}

export default makeServicebusFixCheck();
