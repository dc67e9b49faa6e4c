/**
 * Inputs the fuzzer (fuzz.test.ts) once failed on, kept as regression cases and replayed before each fuzz run.
 * Each names what it broke; the shapes are the generators' own.
 */
export interface SnapshotCase {
  base: number;
  mutations: { pick: number; path: number[]; op: 'set' | 'delete' | 'embedded'; value: unknown }[];
  renameNamespace?: { pick: number; to: string };
  strays: { name: string; content: string }[];
  format: 'yaml' | 'json';
  pack: 'folder' | 'tar' | 'truncated';
  cut: number;
  command: 'triage-json' | 'triage-text' | 'endpoint' | 'collect';
  endpoint: number;
}

export interface KubeconfigCase {
  server: string;
  token?: string;
  insecure?: unknown;
  exec?: 'missing' | 'fails' | 'garbage' | 'empty' | 'ok';
  mutations: SnapshotCase['mutations'];
  currentContext?: unknown;
  raw?: string;
}

export interface ValuesCase {
  text: string;
  cloud: 'aws' | 'azure' | 'gcp' | 'onprem';
}

const NO_MUTATIONS: SnapshotCase['mutations'] = [];

export const SNAPSHOT_REGRESSIONS: SnapshotCase[] = [
  // A namespace named `../../…/escape`: collect's log paths left the output folder (and the harness's own did too).
  { base: 4, mutations: NO_MUTATIONS, renameNamespace: { pick: 0, to: '../../../../../../../../../../../escape' }, strays: [], format: 'yaml', pack: 'folder', cut: 0.05, command: 'collect', endpoint: 0 },
  // An empty stray .json: "invalid JSON: Unexpected end of JSON input" (V8's words) on stderr.
  { base: 0, mutations: NO_MUTATIONS, strays: [{ name: 'fuzz.json', content: '' }], format: 'yaml', pack: 'folder', cut: 0.05, command: 'triage-json', endpoint: 0 },
  { base: 0, mutations: NO_MUTATIONS, strays: [{ name: 'fuzz.json', content: '{"a": ' }], format: 'yaml', pack: 'folder', cut: 0.05, command: 'triage-json', endpoint: 0 },
  // A Pod whose spec is a number: "Cannot read properties of undefined (reading 'length')" in endpoints/serving.
  { base: 0, mutations: [{ pick: 1011001651, path: [1525436813], op: 'set', value: 0 }], strays: [], format: 'yaml', pack: 'folder', cut: 0.05, command: 'triage-json', endpoint: 0 },
];

export const KUBECONFIG_REGRESSIONS: KubeconfigCase[] = [
  // Exec plugins printing nothing, or not JSON: were "cannot get credentials …: Unexpected end of JSON input" (V8's
  // words); now the plugin named and what it must print.
  { server: '@live', exec: 'empty', mutations: [], currentContext: 'c' },
  { server: '@live', exec: 'garbage', mutations: [], currentContext: 'c' },
  // `null` as a whole kubeconfig: "Cannot read properties of null (reading 'clusters')".
  { server: '', mutations: [], raw: 'null' },
  // A server of blanks (fuzz seed -163507003): was "internal error: Invalid URL".
  { server: ' ', mutations: [], currentContext: 'c' },
  // A server with another scheme (fuzz seed 2063663081): was "internal error: You need to define an absolute base url
  // for the server." (the client library's words), exit 1.
  { server: 'ftp://127.0.0.1:1/', mutations: [], currentContext: 'c' },
  // A context whose name is a map: "has no current context (contexts: [object Object])".
  { server: '@live', mutations: [], raw: 'contexts:\n- name: {a: 1}\n  context: {cluster: c}\n' },
  { server: '@live', mutations: [], raw: 'clusters: 5\ncontexts: "x"\nusers: {}\n' },
  { server: '@live', mutations: [], raw: 'a: &a [*a]\n' },
];

export const VALUES_REGRESSIONS: ValuesCase[] = [];

/**
 * Failures the fuzzer found in code another engineer is changing (issue 17): kept out of the properties and
 * asserted as still failing (`it.failing`), so the suite says so the day they are fixed and these move to the
 * regressions above.
 * - values files (src/sources/values/**, the values parser's hardening): each of these is exit 1 with an
 *   internal error today.
 */
export const VALUES_KNOWN_OPEN: ValuesCase[] = [];
/** Values inputs that once ended in an internal error; now one line and exit 2 (the values parser's bounds). */
export const VALUES_FIXED: ValuesCase[] = [
  { text: '<<: 5\n', cloud: 'gcp' }, // was "internal error: Merge sources must be maps or map aliases"
  { text: 'a: &a [*a]\n', cloud: 'onprem' }, // was "internal error: Maximum call stack size exceeded"
  { text: 'a: *b\n', cloud: 'onprem' }, // was "internal error: Unresolved alias (the anchor must be set before the alias): b"
];
export const KUBECONFIG_KNOWN_OPEN: KubeconfigCase[] = [];

/** Inputs of a class listed in the known-open lists (the properties skip them). */
export const knownOpenValues = (c: ValuesCase) => VALUES_KNOWN_OPEN.some((k) => c.text.includes(k.text.trim()));
export const knownOpenKubeconfig = (c: KubeconfigCase) => KUBECONFIG_KNOWN_OPEN.some((k) => JSON.stringify(k) === JSON.stringify(c));
