export { CHART_DEFAULTS_SOURCE, CHART_DEFAULTS_YAML, CHART_NAME, CHART_VERSION } from './chart-defaults.js';
export { chartDefaultsLayer, loadValues, loadValuesFiles, readBounded, STDIN_LABEL, type ValuesFlags, type ValuesInput } from './load.js';
export { parseValuesFile, VALUES_LIMITS, type ParsedValuesFile } from './parse.js';
export { CHART_TOP_LEVEL_KEYS, foreignValuesProblem, MODEL_ENGINE_MARKERS } from './recognise.js';
export { MergedValues, mergeLayers, type ValuesLayer } from './merge.js';
export { applySets, parseSet, parseSetFile, parseSets, setSourceLabel, typedSetValue, type SetAssignment, type SetFlag } from './set.js';
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
