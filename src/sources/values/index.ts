export { CHART_DEFAULTS_SOURCE, CHART_DEFAULTS_YAML, CHART_NAME, CHART_VERSION } from './chart-defaults.js';
export { chartDefaultsLayer, loadValuesFiles, parseValuesYaml } from './load.js';
export { MergedValues, mergeLayers, type ValuesLayer } from './merge.js';
export { applySets, parseSet, parseSets, typedSetValue, type SetAssignment } from './set.js';
export {
  decodeRelease,
  encodeRelease,
  pickReleaseRevision,
  readInstalledRelease,
  redactRelease,
  releaseSourceLabel,
  releaseValuesPort,
  type HelmReleaseJson,
  type InstalledRelease,
} from './release.js';
