/**
 * What model-engine needs of Azure Service Bus (facts §5, matrix §3 "Azure Service Bus — Idle Connection Drop"): the
 * llm-engine commit that keeps its AMQP connections alive, how to verify an image has it, and the keepalive env value.
 * Pure; read by `values/servicebus-fix`, `values/azure` and `broker/servicebus-fix`.
 */

/**
 * Commit #767 "Remove broker_pool_limit=0 to fix Azure Service Bus idle connection 503s" (2026-02-24): with
 * #765 it keeps AMQP connections alive (keepalive 30 s over the default pool) and bumps azure-servicebus to
 * 7.14.3 (facts §5, matrix §3 "Azure Service Bus — Idle Connection Drop").
 */
export const SERVICEBUS_FIX_COMMIT = '9deb59f1677913c071c9570ab80aa70c4698e2a6';
export const SERVICEBUS_FIX_PR = '#767';

/** The commands that answer the question by hand. */
export function verifyCommands(fixCommit: string, ref: string, namespace: string): string[] {
  return [
    `git -C <llm-engine clone> merge-base --is-ancestor ${fixCommit} ${ref} && echo included || echo NOT included`,
    `curl -s https://api.github.com/repos/scaleapi/llm-engine/compare/${fixCommit}...${ref} | grep '"status"'   # "ahead" or "identical": included; "behind" or "diverged": not`,
    `kubectl -n ${namespace} exec deploy/model-engine -- python -c "import azure.servicebus as s; print(s.__version__)"   # 7.14.3 when the fix is in`,
  ];
}

/** Azure Service Bus closes AMQP connections idle for 300 s; the keepalive must fire before that. */
export const SERVICEBUS_IDLE_TIMEOUT_S = 300;

/** What is wrong with a `SERVICEBUS_KEEP_ALIVE_INTERVAL` env value, or undefined when it is fine. */
export function keepAliveProblem(v: unknown): string | undefined {
  if (typeof v === 'number') return 'is a YAML number; Kubernetes env values must be strings, so quote it (value: "30")';
  if (typeof v !== 'string') return 'is not set to a value';
  if (!/^\s*\d+\s*$/.test(v)) return 'is not a whole number of seconds (model-engine does int() on it and the broker fails to start)';
  const n = Number(v);
  if (n < 1 || n >= SERVICEBUS_IDLE_TIMEOUT_S) {
    return `is ${n}; it must be between 1 and ${SERVICEBUS_IDLE_TIMEOUT_S - 1} seconds, because Service Bus drops AMQP connections idle for ${SERVICEBUS_IDLE_TIMEOUT_S} s`;
  }
  return undefined;
}
