/**
 * The programs tests drive for real, and what to do when one is missing. On a developer's machine a missing tool
 * skips its tests, loudly. Under `CI=true` (scripts/test-all.sh, which installs every one of them) a missing tool is a
 * broken CI machine, not a reason to skip: the test file fails, naming the tool and the command that installs it.
 */
import { spawnSync } from 'node:child_process';

/** Each tool, and the command that installs it (scripts/test-all.sh runs these). */
export const TOOLS = {
  'redis-server': 'apt-get install redis-server',
  "python3's redis module": 'apt-get install python3-redis',
  'docker-registry': 'apt-get install docker-registry',
  openssl: 'apt-get install openssl',
  htpasswd: 'apt-get install apache2-utils',
  tmux: 'apt-get install tmux',
  zsh: 'apt-get install zsh',
  fish: 'apt-get install fish',
  kubectl: 'bash scripts/build-control-plane.sh (test/control-plane/bin/kubectl, which scripts/test-all.sh puts first on PATH)',
  helm: 'bash scripts/build-control-plane.sh (test/control-plane/bin/helm, which scripts/test-all.sh puts first on PATH)',
} as const;
export type Tool = keyof typeof TOOLS;


/** Thrown under CI=true when a tool a test needs is missing. */
export class MissingToolError extends Error {
  constructor(
    readonly tool: Tool,
    what: string,
  ) {
    super(`${tool} is missing, and CI=true does not skip ${what}: install it with \`${TOOLS[tool]}\` (scripts/test-all.sh does)`);
    this.name = 'MissingToolError';
  }
}

const warned = new Set<string>();

/**
 * Whether `tool` is here (`available`, as the caller found it). When it is not: under CI=true this throws
 * {@link MissingToolError}; elsewhere it warns once, loudly, and returns false so the caller skips `what`.
 */
export function toolAvailable(tool: Tool, available: boolean, what: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (available) return true;
  // test/setup deletes CI (ink and the CLI read it) and keeps its value as MED_TEST_CI.
  if ((env.MED_TEST_CI ?? env.CI) === 'true') throw new MissingToolError(tool, what);
  const line = `${what}: ${tool} is missing (install: ${TOOLS[tool]})`;
  if (!warned.has(line)) {
    warned.add(line);
    process.stderr.write(`\n*** SKIPPED: ${line} ***\n`);
  }
  return false;
}

/** Whether a command is on PATH. */
export function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
