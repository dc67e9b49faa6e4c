/**
 * The exec port (`--exec` only): run model-engine's own Python inside a running gateway pod through the
 * Kubernetes exec API, so probes see exactly the pod's config, network, identity and client libraries.
 * Read-only by construction: the scripts only connect, authenticate, PING, SELECT, ask ACL DRYRUN, LLEN and read
 * package versions. Created in `src/run/ports.ts` as `ctx.ports.exec`; implemented in `src/sources/kube/exec.ts`.
 */
import type { RedisProbeOptions, RedisProbeResult } from './redis.js';

export const EXEC_PORT = 'exec';

export interface PodRef {
  namespace: string;
  pod: string;
  container: string;
}

/** What an exec returned: exit code (undefined when the API gave no status), stdout and stderr. */
export interface ExecOutput {
  exitCode?: number;
  stdout: string;
  stderr: string;
}

export interface ExecPort {
  /**
   * Probe a Redis as model-engine connects to it, from inside the pod: `cache` resolves
   * `hmi_config.cache_redis_url`, `broker` resolves `get_redis_endpoint(db)`, then the same steps as the local
   * probe with redis-py. Throws when the exec itself fails (RBAC on pods/exec, pod gone, no python).
   */
  redisProbe(pod: PodRef, which: 'cache' | 'broker', opts?: Omit<RedisProbeOptions, 'pings'> & { db?: number }): Promise<RedisProbeResult>;
  /** A Python package's installed version in the pod (`importlib.metadata.version`), undefined when absent. */
  pythonPackageVersion(pod: PodRef, distribution: string, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<string | undefined>;
}
