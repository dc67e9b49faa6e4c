import { bool, defineCheck, fail, pass, records, skip, str, strMap, warn, type Evidence, type Finding, type ObjectRef, type Pod, type Secret } from '../../src/engine/index.js';

/** The control-plane pods (facts §1.3), by their `app` label. */
export const CONTROL_PLANE_APPS = ['model-engine', 'model-engine-endpoint-builder', 'model-engine-cacher'] as const;

/** Env vars that carry S3-compatible storage (MinIO) credentials for boto3. */
export const STORAGE_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

export interface SecretUse {
  secret: string;
  /** Keys read one by one (`secretKeyRef`); empty for a whole-secret `envFrom`/volume. */
  keys: { key: string; env?: string }[];
  whole: boolean;
  optional: boolean;
  /** Where it is referenced: `pod/container`. */
  users: string[];
}

/** Every Secret the pods read, merged by name: env `secretKeyRef`, `envFrom.secretRef`, secret volumes. */
export function secretUses(pods: readonly Pod[]): SecretUse[] {
  const by = new Map<string, SecretUse>();
  const use = (secret: string, optional: boolean, user: string) => {
    let u = by.get(secret);
    if (!u) by.set(secret, (u = { secret, keys: [], whole: false, optional, users: [] }));
    u.optional &&= optional;
    if (!u.users.includes(user)) u.users.push(user);
    return u;
  };
  for (const p of pods) {
    for (const c of [...p.spec.containers, ...(p.spec.initContainers ?? [])]) {
      const user = `${p.metadata.name}/${c.name}`;
      for (const e of c.env ?? []) {
        const name = str(e.valueFrom, 'secretKeyRef', 'name');
        const key = str(e.valueFrom, 'secretKeyRef', 'key');
        if (!name || !key) continue;
        const u = use(name, bool(e.valueFrom, 'secretKeyRef', 'optional') === true, user);
        if (!u.keys.some((k) => k.key === key && k.env === e.name)) u.keys.push({ key, env: e.name });
      }
      for (const ef of c.envFrom ?? []) {
        const name = str(ef, 'secretRef', 'name');
        if (name) use(name, bool(ef, 'secretRef', 'optional') === true, user).whole = true;
      }
    }
    for (const v of p.spec.volumes ?? []) {
      const secretName = str(v, 'secret', 'secretName');
      if (!secretName) continue;
      const u = use(secretName, bool(v, 'secret', 'optional') === true, `${p.metadata.name}/volume ${str(v, 'name') ?? ''}`);
      const items = records(v, 'secret', 'items').flatMap((it) => str(it, 'key') ?? []);
      if (items.length) {
        for (const key of items) if (!u.keys.some((k) => k.key === key)) u.keys.push({ key });
      } else {
        u.whole = true;
      }
    }
  }
  return [...by.values()].sort((a, b) => (a.secret < b.secret ? -1 : 1));
}

/** Where the pods get storage credentials from: a Secret key, a whole Secret, or literal env values. */
export function storageCredentialSources(pods: readonly Pod[], secrets: ReadonlyMap<string, Secret | undefined>): { fromSecret: string[]; literal: string[] } {
  const fromSecret = new Set<string>();
  const literal = new Set<string>();
  for (const p of pods) {
    for (const c of p.spec.containers) {
      for (const e of c.env ?? []) {
        if (!(STORAGE_KEYS as readonly string[]).includes(e.name)) continue;
        const name = str(e.valueFrom, 'secretKeyRef', 'name');
        const key = str(e.valueFrom, 'secretKeyRef', 'key');
        // Only a Secret that exists with the key delivers anything; a dangling reference is reported above.
        if (name && key && str(secrets.get(name), 'data', key) !== undefined) fromSecret.add(`${name} (${e.name})`);
        else if (e.value) literal.add(`${p.metadata.name}/${c.name} ${e.name}`);
      }
      for (const ef of c.envFrom ?? []) {
        const name = str(ef, 'secretRef', 'name');
        const keys = name ? Object.keys(strMap(secrets.get(name), 'data')) : [];
        for (const k of keys) if ((STORAGE_KEYS as readonly string[]).includes(k)) fromSecret.add(`${name} (${k})`);
      }
    }
  }
  return { fromSecret: [...fromSecret].sort(), literal: [...literal].sort() };
}

export default defineCheck({
  meta: {
    id: 'identity/credential-secrets',
    title: 'Static credentials exist in Kubernetes Secrets',
    description:
      'On-prem has no managed identity: the Secrets (and keys) the control-plane pods read for storage, database and Redis credentials exist, and storage credentials come from a Secret. Values are never shown.',
    clouds: ['onprem'],
    severity: 'critical',
    needs: ['kube'],
    messages: {
      ok: 'Secret {{namespace}}/{{name}} exists with the keys the control plane reads ({{keys}})',
      noPods: 'no control-plane pods found in namespace {{namespace}} to read credential references from',
      missing: 'Secret {{namespace}}/{{name}} does not exist, but {{users}} read it',
      missingOptional: 'optional Secret {{namespace}}/{{name}} does not exist ({{users}} start without it)',
      missingKeys: 'Secret {{namespace}}/{{name}} lacks key(s) {{keys}} that {{users}} read',
      storageOk: 'storage (S3/MinIO) credentials come from Secret {{sources}}',
      storageLiteral: 'storage credentials are literal env values in the pod spec ({{where}}); anyone who can read the Deployment sees them',
      noStorageCredentials:
        'no AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY reach the control plane from a Secret; S3-compatible storage (MinIO) calls will fail unless credentials come from elsewhere',
    },
  },
  async run(ctx) {
    const kube = ctx.kube!;
    const ns = ctx.namespaces.controlPlane;
    const pods = (await kube.list<Pod>('pods', { namespace: ns })).filter((p) =>
      (CONTROL_PLANE_APPS as readonly string[]).includes(p.metadata.labels?.app ?? ''),
    );
    if (pods.length === 0) return skip('noPods', { data: { namespace: ns } });
    const uses = secretUses(pods);
    const secrets = new Map<string, Secret | undefined>();
    await Promise.all(uses.map(async (u) => secrets.set(u.secret, await kube.get<Secret>('secrets', u.secret, ns))));
    const out: Finding[] = [];
    for (const u of uses) {
      const object: ObjectRef = { kind: 'Secret', namespace: ns, name: u.secret };
      const users = u.users.slice(0, 3).join(', ') + (u.users.length > 3 ? ` (+${u.users.length - 3} more)` : '');
      const data = { namespace: ns, name: u.secret, users };
      const s = secrets.get(u.secret);
      const create = `kubectl -n ${ns} create secret generic ${u.secret} ${(u.keys.length ? u.keys.map((k) => k.key) : ['<key>']).map((k) => `--from-literal=${k}=<value>`).join(' ')}`;
      if (!s) {
        if (u.optional) out.push(warn('missingOptional', { data, object, severity: 'low', remediation: { summary: `Create Secret ${u.secret} if these pods need what it holds.`, commands: [create] } }));
        else
          out.push(
            fail('missing', {
              data,
              object,
              evidence: [{ type: 'note', text: `referenced by ${u.users.join(', ')}` }],
              remediation: { summary: `Create Secret ${u.secret} in namespace ${ns}; until then the pods that read it fail with CreateContainerConfigError.`, commands: [create, `kubectl -n ${ns} get secrets`] },
            }),
          );
        continue;
      }
      const present = new Set(Object.keys({ ...strMap(s, 'data'), ...strMap(s, 'stringData') }));
      const missing = [...new Set(u.keys.filter((k) => !present.has(k.key)).map((k) => k.key))];
      // Key names only: a Secret's values never reach a result.
      const keyEvidence: Evidence = { type: 'object', object, detail: `keys: ${[...present].sort().join(', ') || '(none)'}` };
      if (missing.length > 0) {
        out.push(
          fail('missingKeys', {
            data: { ...data, keys: missing.join(', ') },
            object,
            evidence: [keyEvidence],
            remediation: {
              summary: `Add the missing key(s) to Secret ${u.secret} (or fix the key names in the values), then restart the pods.`,
              commands: [`kubectl -n ${ns} patch secret ${u.secret} --type merge -p '{"stringData":{${missing.map((k) => `"${k}":"<value>"`).join(',')}}}'`],
            },
          }),
        );
      } else {
        out.push(pass('ok', { data: { ...data, keys: u.keys.length ? [...new Set(u.keys.map((k) => k.key))].join(', ') : 'whole Secret' }, object, evidence: [keyEvidence] }));
      }
    }
    const storage = storageCredentialSources(pods, secrets);
    if (storage.literal.length > 0) {
      out.push(
        warn('storageLiteral', {
          data: { where: storage.literal.join(', ') },
          severity: 'medium',
          remediation: {
            summary: 'Move the storage credentials into a Secret and reference it with extraPodEnvFrom or valueFrom.secretKeyRef in extraEnvVars.',
            values: 'extraEnvVars:\n  - name: AWS_ACCESS_KEY_ID\n    valueFrom:\n      secretKeyRef: {name: minio-credentials, key: AWS_ACCESS_KEY_ID}\n  - name: AWS_SECRET_ACCESS_KEY\n    valueFrom:\n      secretKeyRef: {name: minio-credentials, key: AWS_SECRET_ACCESS_KEY}',
          },
        }),
      );
    } else if (storage.fromSecret.length > 0) {
      out.push(pass('storageOk', { data: { sources: storage.fromSecret.join(', ') } }));
    } else {
      out.push(
        warn('noStorageCredentials', {
          severity: 'high',
          evidence: [{ type: 'note', text: `control-plane pods checked: ${pods.map((p) => p.metadata.name).join(', ')}` }],
          remediation: {
            summary: 'Give the control plane the MinIO/S3 credentials from a Secret (extraEnvVars), unless they come from a mounted AWS config file.',
            commands: [`kubectl -n ${ns} create secret generic minio-credentials --from-literal=AWS_ACCESS_KEY_ID=<id> --from-literal=AWS_SECRET_ACCESS_KEY=<secret>`],
            values: 'extraEnvVars:\n  - name: AWS_ACCESS_KEY_ID\n    valueFrom:\n      secretKeyRef: {name: minio-credentials, key: AWS_ACCESS_KEY_ID}\n  - name: AWS_SECRET_ACCESS_KEY\n    valueFrom:\n      secretKeyRef: {name: minio-credentials, key: AWS_SECRET_ACCESS_KEY}',
          },
        }),
      );
    }
    return out;
  },
});
