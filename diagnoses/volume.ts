import { str, type Evidence, type Verdict } from '../src/engine/index.js';
import { defineEndpointCause, eventsAbout, type EndpointView, type PodView } from '../src/model-engine/endpoint-view.js';
import { oneLine } from '../src/model-engine/format.js';
import { apiUpdate } from './lib/commands.js';
import { unscheduledAs, unscheduledContext } from './lib/unscheduled.js';
import { eventEvidence, field, forFirstPod, verdict } from './lib/verdict.js';

/** The PVCs the pod mounts, which one is not bound and why, and the fix for the model cache. */
function volumeVerdict(v: EndpointView, p: PodView, summary: string, evidence: Evidence[]): Verdict {
  const f = v.facts;
  const ns = v.subject.namespace;
  const claims = (p.pod.spec.volumes ?? []).map((x) => str(x, 'persistentVolumeClaim', 'claimName')).filter((c): c is string => !!c);
  const pvcs = f.pvcs.filter((c) => claims.includes(c.metadata.name));
  const pending = pvcs.find((c) => c.status?.phase !== 'Bound');
  const pvcEvents = pending ? eventsAbout(f, pending.metadata.name).filter((e) => e.type === 'Warning') : [];
  const missingClaim = claims.find((c) => !f.pvcs.some((x) => x.metadata.name === c));
  const ev: Evidence[] = [
    ...evidence,
    ...(pending
      ? [
          field(pending, 'PersistentVolumeClaim', 'status.phase', pending.status?.phase ?? 'Pending'),
          field(pending, 'PersistentVolumeClaim', 'spec', `storageClassName=${pending.spec?.storageClassName ?? '(default)'}, accessModes=${(pending.spec?.accessModes ?? []).join(',')}, storage=${pending.spec?.resources?.requests?.storage ?? '?'}`),
        ]
      : []),
    ...pvcEvents.slice(0, 2).map(eventEvidence),
  ];
  const reason = oneLine(pvcEvents[0]?.message);
  const rwx = (pending?.spec?.accessModes ?? []).includes('ReadWriteMany');
  const rwxUnsupported = /MULTI_NODE|ReadWriteMany|access ?mode/i.test(reason);
  const noClass = /storageclass[^"]*"([^"]+)" not found/i.exec(reason);
  const commands = [...(pending ? [`kubectl -n ${ns} describe pvc ${pending.metadata.name}`] : []), 'kubectl get storageclass'];
  let fix: string;
  let values: string | undefined;
  if (missingClaim) fix = `PVC ${missingClaim} does not exist: update the endpoint so the builder re-creates it.`;
  else if (noClass) {
    fix = `StorageClass ${noClass[1]} does not exist: set modelCache.storageClassName to one that does (kubectl get storageclass).`;
    values = ['modelCache:', '  storageClassName: <an existing class>', ''].join('\n');
  } else if (rwx && rwxUnsupported) {
    fix = `The model cache PVC asks for ReadWriteMany, which ${pending?.spec?.storageClassName ?? 'the default StorageClass'} cannot provide (block storage such as EBS/Azure Disk/PD is ReadWriteOnce): use an RWX class (EFS, Azure Files, Filestore), or ReadWriteOnce.`;
    values = ['modelCache:', '  storageClassName: <an RWX class, e.g. efs-sc>', '  accessMode: ReadWriteMany   # or ReadWriteOnce with a block-storage class', ''].join('\n');
  } else fix = reason ? `Fix what the provisioner reports: ${reason}` : 'Find why the volume does not bind or mount (describe the PVC and the pod).';
  if (missingClaim) commands.push(apiUpdate(v.subject, {}));
  return verdict(
    'VOLUME',
    'pod',
    pending ? `${summary} — PVC ${pending.metadata.name} is ${pending.status?.phase ?? 'Pending'}${reason ? `: ${reason}` : ''}` : summary,
    ev,
    { summary: fix, commands, ...(values ? { values } : {}) },
    [`kubectl -n ${ns} describe pod ${p.name}`],
  );
}

const mountFailed = (p: PodView) => p.state.kind === 'mount-failed' && !p.state.missing;

export default defineEndpointCause({
  meta: {
    code: 'VOLUME',
    title: 'A volume does not bind, attach or mount',
    rank: 40,
    docs: 'docs/endpoint.md#volume',
    reads: ['pods', 'pvcs', 'events', 'nodes'],
  },
  match(v) {
    return forFirstPod(
      v,
      (p) => mountFailed(p) || unscheduledAs(v, p, 'VOLUME'),
      (p) => {
        if (p.state.kind === 'mount-failed') {
          const cs = p.state.container;
          const ev = [field(p.pod, 'Pod', `status.containerStatuses[${cs.name}].state.waiting`, cs.state?.waiting?.reason ?? 'ContainerCreating'), ...p.state.events.slice(0, 2).map(eventEvidence)];
          return volumeVerdict(v, p, `Pod ${p.name} cannot mount its volumes: ${oneLine(p.state.events[0]!.message ?? '')}`, ev);
        }
        const u = unscheduledContext(v, p, 'VOLUME');
        return volumeVerdict(v, p, `${u.pending}: ${u.verdict.detail}`, u.evidence);
      },
    );
  },
});
