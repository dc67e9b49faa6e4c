/**
 * The installed helm release, read from helm v3's storage: one Secret per revision, named
 * `sh.helm.release.v1.<release>.v<revision>`, type `helm.sh/release.v1`, labels `owner=helm`, `name`, `status`,
 * `version`. `data.release` is base64 (the Secret's own encoding) of base64 of gzip of the release JSON
 * (helm `pkg/storage/driver/util.go`); the ConfigMap driver stores the inner string without the outer base64.
 */
import { gunzipSync, gzipSync, constants as zlibConstants } from 'node:zlib';
import { FatalError } from '../../engine/errors.js';
import { redactText, redactValue } from '../../engine/redact.js';
import type { KubeObject } from '../../engine/types.js';
import { isPlainMap, layerFromObject, mergeLayers, type MergedValues, type Plain } from './merge.js';

/** The parts of helm's release JSON the doctor reads; everything else is kept as is. */
export interface HelmReleaseJson {
  name: string;
  namespace?: string;
  version: number;
  info?: {
    status?: string;
    first_deployed?: string;
    last_deployed?: string;
    description?: string;
    notes?: string;
    [k: string]: unknown;
  };
  chart?: {
    metadata?: { name?: string; version?: string; appVersion?: string; [k: string]: unknown };
    values?: Plain | null;
    [k: string]: unknown;
  };
  /** The user-supplied values (`helm get values`), nulls included. */
  config?: Plain | null;
  manifest?: string;
  hooks?: { name?: string; kind?: string; path?: string; manifest?: string; [k: string]: unknown }[];
  [k: string]: unknown;
}

/** An installed release, decoded. */
export interface InstalledRelease {
  name: string;
  namespace: string;
  revision: number;
  /** `deployed`, `superseded`, `failed`, `pending-upgrade`, … */
  status: string;
  chartName: string;
  chartVersion: string;
  appVersion: string;
  /** User-supplied values (what `helm get values` prints). */
  config: Plain;
  /** The chart's own values.yaml as stored in the release. */
  chartValues: Plain;
  /** The storage object it was read from (`sh.helm.release.v1.model-engine.v2`). */
  secretName: string;
}

const RELEASE_TYPE = 'helm.sh/release.v1';
const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

const hasGzipMagic = (b: Buffer) => b.length > 3 && GZIP_MAGIC.every((m, i) => b[i] === m);

/**
 * Decode a release from a storage object's `data.release`. `layer` says which encoding the string has:
 * `secret` (as a Secret's data holds it, base64 of helm's string) or `helm` (helm's own string, as the
 * ConfigMap driver stores it). Tolerant of a missing outer layer and of un-gzipped JSON, as helm is.
 */
export function decodeRelease(data: string, layer: 'secret' | 'helm' = 'secret'): HelmReleaseJson {
  let cur: Buffer = Buffer.from(data.trim(), layer === 'secret' ? 'base64' : 'utf8');
  // Peel base64 layers until we reach gzip or JSON; two layers at most, one more for a doubly-encoded copy.
  for (let round = 0; round < 4; round++) {
    if (hasGzipMagic(cur)) cur = gunzipSync(cur);
    const text = cur.toString('utf8').trim();
    if (text.startsWith('{')) {
      const json: unknown = JSON.parse(text);
      if (!isPlainMap(json)) throw new Error('release data is not a JSON object');
      return json as unknown as HelmReleaseJson;
    }
    if (!/^[A-Za-z0-9+/=\s_-]+$/.test(text)) break;
    cur = Buffer.from(text, 'base64');
  }
  throw new Error('release data is neither gzip nor JSON after base64 decoding');
}

/**
 * Encode a release the way helm stores it: JSON, gzip, base64 (`layer: 'helm'`), then base64 again for a
 * Secret's `data.release` (`layer: 'secret'`, the default).
 */
export function encodeRelease(obj: HelmReleaseJson | Plain, layer: 'secret' | 'helm' = 'secret'): string {
  const gz = gzipSync(Buffer.from(JSON.stringify(obj), 'utf8'), { level: zlibConstants.Z_BEST_COMPRESSION });
  const inner = gz.toString('base64');
  return layer === 'secret' ? Buffer.from(inner, 'utf8').toString('base64') : inner;
}

function isReleaseStorage(o: KubeObject): boolean {
  if (o.metadata.labels?.owner !== 'helm') return false;
  if (o.kind === 'ConfigMap') return true;
  const type = (o as { type?: unknown }).type;
  return type === undefined || type === RELEASE_TYPE;
}

function revisionOf(o: KubeObject): number {
  const label = Number.parseInt(o.metadata.labels?.version ?? '', 10);
  if (Number.isFinite(label)) return label;
  const m = /\.v(\d+)$/.exec(o.metadata.name);
  return m ? Number(m[1]) : 0;
}

/**
 * Pick the storage object of the release's current revision among a release's revisions: the highest
 * `deployed` one (a `pending-upgrade` or `failed` revision above it is not what runs), else the highest.
 */
export function pickReleaseRevision<T extends KubeObject>(objects: readonly T[]): T | undefined {
  const byRev = [...objects].sort((a, b) => revisionOf(b) - revisionOf(a));
  return byRev.find((o) => o.metadata.labels?.status === 'deployed') ?? byRev[0];
}

function storageData(o: KubeObject): { data: string; layer: 'secret' | 'helm' } | undefined {
  const data = (o as { data?: Record<string, unknown> }).data?.release;
  if (typeof data !== 'string') return undefined;
  return { data, layer: o.kind === 'ConfigMap' ? 'helm' : 'secret' };
}

function toInstalled(o: KubeObject): InstalledRelease {
  const where = `${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
  const stored = storageData(o);
  if (!stored) throw new FatalError(`helm release ${where} has no data.release`);
  let rel: HelmReleaseJson;
  try {
    rel = decodeRelease(stored.data, stored.layer);
  } catch (e) {
    throw new FatalError(`cannot decode helm release ${where}: ${(e as Error).message.split('\n')[0]}`);
  }
  const meta = rel.chart?.metadata ?? {};
  return {
    name: rel.name ?? o.metadata.labels?.name ?? '',
    namespace: rel.namespace ?? o.metadata.namespace ?? '',
    revision: typeof rel.version === 'number' ? rel.version : revisionOf(o),
    status: rel.info?.status ?? o.metadata.labels?.status ?? 'unknown',
    chartName: meta.name ?? '',
    chartVersion: meta.version ?? '',
    appVersion: meta.appVersion ?? '',
    config: isPlainMap(rel.config) ? rel.config : {},
    chartValues: isPlainMap(rel.chart?.values) ? rel.chart.values : {},
    secretName: o.metadata.name,
  };
}

/**
 * Read the installed release from helm's storage objects (Secrets, or ConfigMaps of the ConfigMap driver).
 * Without `name`, the one release whose chart is model-engine (or the only release) is chosen; several
 * candidates are a FatalError asking for the name. Undefined when there is no such release.
 */
export function readInstalledRelease(
  objects: readonly KubeObject[],
  opts: { name?: string; chart?: string } = {},
): InstalledRelease | undefined {
  const groups = new Map<string, KubeObject[]>();
  for (const o of objects) {
    if (!isReleaseStorage(o)) continue;
    const name = o.metadata.labels?.name ?? '';
    if (opts.name !== undefined && name !== opts.name) continue;
    groups.set(name, [...(groups.get(name) ?? []), o]);
  }
  const picks = [...groups.values()].map((g) => pickReleaseRevision(g)!).filter((o) => storageData(o));
  if (picks.length === 0) return undefined;
  if (picks.length === 1) return toInstalled(picks[0]!);
  const chart = opts.chart ?? 'model-engine';
  const decoded = picks.map(toInstalled);
  const matching = decoded.filter((r) => r.chartName === chart);
  if (matching.length === 1) return matching[0];
  const names = (matching.length > 0 ? matching : decoded).map((r) => r.name).sort();
  throw new FatalError(`several helm releases found (${names.join(', ')}); name the one to read`);
}

/** The release label used as the provenance of its user-supplied values. */
export function releaseSourceLabel(release: Pick<InstalledRelease, 'name' | 'revision'>): string {
  return `release ${release.name} revision ${release.revision} (user-supplied values)`;
}

/**
 * Values as the installed release rendered them: its stored chart values as defaults, then its user-supplied
 * values (nulls delete, as at install time). No line numbers: the files they came from are not stored.
 */
export function releaseValuesPort(release: InstalledRelease): MergedValues {
  const defaults = layerFromObject(
    release.chartValues,
    { file: `chart defaults (${release.chartName || 'chart'} ${release.chartVersion} values.yaml)` },
    false,
  );
  const user = layerFromObject(release.config, { file: releaseSourceLabel(release) }, true);
  return mergeLayers(defaults, [user], {
    files: [`release ${release.name} revision ${release.revision}`],
    origin: 'release',
  });
}

/**
 * A copy safe for a snapshot: credential-looking values in `config` and `chart.values` redacted, rendered
 * manifests (which may hold Secrets) emptied, notes masked.
 */
export function redactRelease(release: HelmReleaseJson): HelmReleaseJson {
  const copy = structuredClone(release);
  if (isPlainMap(copy.config)) copy.config = redactValue(undefined, copy.config) as Plain;
  if (copy.chart && isPlainMap(copy.chart.values)) copy.chart.values = redactValue(undefined, copy.chart.values) as Plain;
  if (typeof copy.manifest === 'string') copy.manifest = '';
  if (Array.isArray(copy.hooks)) for (const h of copy.hooks) if (typeof h.manifest === 'string') h.manifest = '';
  if (copy.info && typeof copy.info.notes === 'string') copy.info.notes = redactText(copy.info.notes);
  return copy;
}
