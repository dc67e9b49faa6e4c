/**
 * The planted cluster, shared by the leak test and the no-false-redactions test: a copy of the demo cluster with
 * credentials planted wherever a cluster keeps them (env values, container arguments and commands, annotations,
 * last-applied-configuration, ConfigMap strings and service config, Secret data and stringData, a pull secret, event
 * and status messages, the helm release's values, container logs) and a values file holding two more. Every planted
 * value is unique, so a count of 0 means it never came out, and the set of them is exactly what may be masked.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../../src/engine/types.js';
import { loadSnapshot } from '../../src/sources/snapshot/load.js';
import { decodeRelease, encodeRelease } from '../../src/sources/values/release.js';
import { fixture } from '../support/check-tester.js';
import { SECRET_SHAPES } from './secret-shapes.js';
import { logFilesOf, writeSnapshotFolder } from './support.js';

export const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Credentials planted in objects, values and files: each unique, so a count of 0 means it never came out. */
export const PLANTED = {
  envPassword: 'plantEnvRedisPw-01',
  envUrlPassword: 'plantEnvUrlPw-02',
  argPassword: 'plantArgPw-03',
  redisCliArg: 'plantRedisCliPw-04',
  annotationToken: 'plantAnnoTok-05',
  annotationJson: 'plantAnnoJsonSecret-06',
  lastApplied: 'plantLastAppliedPw-07',
  configMapKey: 'plantCmPasswordKey-08',
  configMapJson: 'plantCmJsonTok-09',
  serviceConfigUrl: 'plantSvcCfgUrlPw-10',
  serviceConfigKey: 'plantSvcCfgDbPw-11',
  secretData: 'plantSecretDataPw-12',
  secretStringData: 'plantStringDataKey-13',
  pullSecret: 'plantPullSecretPw-14',
  eventMessage: 'plantEventUrlPw-15',
  waitingMessage: 'plantWaitingTok-16',
  terminatedMessage: 'plantTerminatedTok-17',
  deploymentEnv: 'plantDeployHfTok-18',
  endpointEnv: 'plantEndpointAzSecret-19',
  releaseValue: 'plantReleaseRedisAuth-20',
  releaseUrl: 'plantReleaseDbUrlPw-21',
  valuesFile: 'plantValuesFileAuth-22',
  valuesUrl: 'plantValuesUrlPw-23',
  kubeconfigUrl: 'plantKubeconfigUrlPw-24',
  execStderr: 'plantExecStderrTok-25',
  pullEvent: 'plantPullEventPw-26',
};
export const SECRETS = [...Object.values(PLANTED), b64(`bot:${PLANTED.pullEvent}`), b64(`bot:${PLANTED.pullSecret}`), b64(PLANTED.secretData), ...SECRET_SHAPES.flatMap((s) => s.secrets)];
/** Log lines carry a marker each (`LEAKCTX-07`): it must come out where the line does, the secret must not. */
export const marker = (i: number) => `LEAKCTX-${String(i).padStart(2, '0')}`;
const LOG_LINES = SECRET_SHAPES.map((s, i) => (s.text.includes('\n') ? `ERROR ${marker(i)} ${s.shape}:\n${s.text}` : `ERROR ${marker(i)} ${s.text}`));
/**
 * Every log gets every line; each log ends with a different four of them, since the checks show the last error
 * lines of a container: that way reports show many shapes, not the same four from every log.
 */
function plantedTail(logIndex: number): string {
  const last = new Set([0, 1, 2, 3].map((k) => (logIndex * 4 + k) % LOG_LINES.length));
  return [...LOG_LINES.filter((_l, i) => !last.has(i)), ...[...last].map((i) => LOG_LINES[i]!)].join('\n');
}

/** The planted secrets found in `text` (with the count of each). */
export function leaks(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of SECRETS) {
    const n = text.split(s).length - 1;
    if (n > 0) out[s] = n;
  }
  return out;
}
export const markersIn = (text: string) => new Set(text.match(/LEAKCTX-\d\d/g) ?? []);

const isPod = (o: KubeObject, prefix: string) => o.kind === 'Pod' && o.metadata.name.startsWith(prefix);
type Container = { env?: { name: string; value?: string }[]; args?: string[]; command?: string[] };
type Status = { state?: { waiting?: { message?: string } }; lastState?: { terminated?: { message?: string } } };

/** Plant credentials wherever a cluster keeps them, in the demo's own objects. */
export function plant(objects: KubeObject[]): void {
  const cacher = objects.find((o) => isPod(o, 'model-engine-cacher'))!;
  cacher.metadata.annotations = {
    ...cacher.metadata.annotations,
    'example.com/api-token': PLANTED.annotationToken,
    'example.com/config': JSON.stringify({ endpoint: 'https://api.internal', credentials: { client_secret: PLANTED.annotationJson, client_id: 'id-1' } }),
    'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ kind: 'Secret', stringData: { password: PLANTED.lastApplied } }),
  };
  const spec = cacher.spec as { containers: Container[] };
  const c0 = spec.containers[0]!;
  c0.env = [...(c0.env ?? []), { name: 'REDIS_PASSWORD', value: PLANTED.envPassword }, { name: 'ML_INFRA_DATABASE_URL', value: `postgresql://llm:${PLANTED.envUrlPassword}@db.internal:5432/llm` }];
  c0.args = [...(c0.args ?? []), '--password', PLANTED.argPassword];
  c0.command = ['sh', '-c', `redis-cli -h cache.internal -a ${PLANTED.redisCliArg} ping; exec python -m model_engine_server.entrypoints.k8s_cache`];
  const status = (cacher.status as { containerStatuses: Status[] }).containerStatuses[0]!;
  status.state = { waiting: { ...status.state?.waiting, message: `back-off restarting failed container (Authorization: Bearer ${PLANTED.waitingMessage})` } };
  status.lastState = { terminated: { ...status.lastState?.terminated, message: `fatal: AUTH failed, REDIS_AUTH_TOKEN=${PLANTED.terminatedMessage}` } };

  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'model-engine-cacher')!;
  const template = (deployment.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0]!;
  template.env = [...(template.env ?? []), { name: 'HF_TOKEN', value: PLANTED.deploymentEnv }];

  const endpointPod = objects.find((o) => isPod(o, 'launch-endpoint-id-end-ct4p8uhn2ojg00a4qkgg'))!;
  const ec = (endpointPod.spec as { containers: Container[] }).containers[0]!;
  ec.env = [...(ec.env ?? []), { name: 'AZURE_CLIENT_SECRET', value: PLANTED.endpointEnv }];

  const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'model-engine-service-config' && o.metadata.namespace === 'model-engine')!;
  const data = config.data as Record<string, string>;
  data.password = PLANTED.configMapKey;
  data['extra.json'] = JSON.stringify({ auth: { token: PLANTED.configMapJson }, host: 'cache.internal' });
  data.launch_service_config += `\ncache_redis_aws_url: "rediss://:${PLANTED.serviceConfigUrl}@master.cache.internal:6379/15"\ndb_password: "${PLANTED.serviceConfigKey}"`;

  objects.push(
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'planted-credentials', namespace: 'model-engine', annotations: { 'example.com/rotated-token': PLANTED.annotationToken } },
      type: 'Opaque',
      data: { password: b64(PLANTED.secretData), database_url: b64(`postgresql://llm:${PLANTED.secretData}@db:5432/llm`) },
      stringData: { api_key: PLANTED.secretStringData },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'planted-pull', namespace: 'llm-engine' },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': b64(JSON.stringify({ auths: { 'registry.internal': { username: 'bot', password: PLANTED.pullSecret, auth: b64(`bot:${PLANTED.pullSecret}`) } } })) },
    },
  );

  const event = objects.find((o) => o.kind === 'Event' && (o as { involvedObject?: { name?: string } }).involvedObject?.name === cacher.metadata.name)!;
  event.message = `${String(event.message)} (cache url rediss://:${PLANTED.eventMessage}@cache.internal:6379/0)`;

  const pullEvent = objects.find((o) => o.kind === 'Event' && o.type === 'Warning' && (o as { involvedObject?: { name?: string } }).involvedObject?.name === endpointPod.metadata.name)!;
  pullEvent.message = `${String(pullEvent.message)} LEAKEV (registry sent Authorization: Basic ${b64(`bot:${PLANTED.pullEvent}`)})`;

  const release = objects.find((o) => o.kind === 'Secret' && o.type === 'helm.sh/release.v1')!;
  const rel = decodeRelease((release.data as { release: string }).release);
  const user = (rel.config ?? {}) as Record<string, unknown>;
  user.redis = { ...(user.redis as object), auth: PLANTED.releaseValue };
  user.extraEnvVars = [{ name: 'ML_INFRA_DATABASE_URL', value: `postgresql://llm:${PLANTED.releaseUrl}@db.internal:5432/llm` }];
  rel.config = user as typeof rel.config;
  (release.data as { release: string }).release = encodeRelease(rel);
}

/** Write the planted cluster (`<root>/planted`) and the planted values file (`<root>/values.yaml`). */
export async function writePlantedCluster(root: string): Promise<{ snapshotDir: string; valuesFile: string }> {
  const demo = await loadSnapshot(fixture('fixtures/clusters/demo-aws'));
  const objects = structuredClone(demo.objects);
  plant(objects);
  const logs = logFilesOf(demo.logs).map((l, i) => ({ ...l, text: `${l.text.replace(/\n?$/, '\n')}${plantedTail(i)}\n` }));
  const snapshotDir = join(root, 'planted');
  await writeSnapshotFolder(snapshotDir, objects, logs, demo.info);
  const valuesFile = join(root, 'values.yaml');
  await writeFile(
    valuesFile,
    `redis:\n  auth: ${PLANTED.valuesFile}\nconfig:\n  values:\n    launch:\n      cache_redis_aws_url: "rediss://:${PLANTED.valuesUrl}@master.cache.internal:6379/15"\n`,
  );
  return { snapshotDir, valuesFile };
}
