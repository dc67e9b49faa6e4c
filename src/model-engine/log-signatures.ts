/**
 * Known causes of a crash-looping endpoint (or control-plane) container, recognised in its last log lines.
 * Order is priority: a container often prints its root cause first and a louder consequence last (s5cmd's
 * `AccessDenied` on the weights, then vLLM's "does not appear to have a file named config.json"), so the matcher
 * picks the highest-priority signature anywhere in the tail, not the last error. Pure.
 */
import { str } from '../engine/safe.js';

export type LogSignatureId =
  | 'redis-auth'
  | 'weights-access-denied'
  | 'missing-config-field'
  | 'gpu-driver'
  | 'weights-missing'
  | 'cuda-oom'
  | 'gated-model'
  | 'module-missing';

export interface LogSignature {
  id: LogSignatureId;
  title: string;
  re: RegExp;
  /** What it means, in one sentence. */
  meaning: string;
  /** What to do, in one sentence. */
  fix: string;
}

export const LOG_SIGNATURES: readonly LogSignature[] = [
  {
    id: 'redis-auth',
    title: 'Redis authentication failed',
    re: /WRONGPASS[^"\n]*|NOAUTH Authentication required[^"\n]*|AuthenticationError: [^"\n]*|invalid username-password pair[^"\n]*|ERR AUTH <password> called without any password configured[^"\n]*|Client sent AUTH, but no password is set/,
    meaning: 'the container reached Redis but its credentials were refused (wrong or rotated password, expired Entra token, or AUTH sent to a server without auth)',
    fix: 'make the Redis credential the pods use match the server (redis.auth / redis.authSecretName, or the cache URL secret), then restart the pods',
  },
  {
    id: 'weights-access-denied',
    title: 'model weights: access denied',
    re: /\bAccessDenied\b[^"\n]*|An error occurred \(AccessDenied\)[^"\n]*|\b403 Forbidden\b[^"\n]*|AuthorizationPermissionMismatch[^"\n]*|AuthorizationFailure[^"\n]*|does not have storage\.objects\.(?:get|list) access[^"\n]*|status code: 403[^"\n]*/,
    meaning: "the pod's cloud identity may not read the model weights (S3 AccessDenied, Azure blob 403, GCS storage.objects.get denied)",
    fix: "grant the endpoint service account's role/identity read on the weights location (or fix the service account's workload-identity annotation), then restart the pods",
  },
  {
    id: 'missing-config-field',
    title: 'a required config field is missing',
    re: /TypeError: (?:\w+\.)?__init__\(\) missing \d+ required (?:positional|keyword-only) arguments?:?[^"\n]*/,
    meaning: 'the service config lacks a field the code requires, so the process dies at import (model-engine drops unknown keys, then the dataclass constructor fails)',
    fix: 'add the named field to config.values (launch or infra) in the helm values, helm upgrade, and restart',
  },
  {
    id: 'gpu-driver',
    title: 'no usable GPU or driver',
    re: /CUDA driver version is insufficient[^"\n]*|NVIDIA driver on your system is too old[^"\n]*|no CUDA-capable device is detected[^"\n]*|Found no NVIDIA driver on your system[^"\n]*|RuntimeError: No CUDA GPUs are available[^"\n]*/,
    meaning: "the container sees no GPU, or the node's NVIDIA driver is older than the image's CUDA needs",
    fix: "check the node's NVIDIA driver and device plugin (nvidia-smi on the node, the nvidia-device-plugin DaemonSet), or use an image built for that driver",
  },
  {
    id: 'weights-missing',
    title: 'model weights not found',
    re: /\bNoSuchKey\b[^"\n]*|\bNoSuchBucket\b[^"\n]*|The specified key does not exist[^"\n]*|\bBlobNotFound\b[^"\n]*|\bContainerNotFound\b[^"\n]*|ERROR "cp [^"]+": no object found[^\n]*|FileNotFoundError: [^"\n]*|No such file or directory: '[^']*'|does not appear to have a file named [^"\n]*|(?:is not|isn't) a valid model identifier[^"\n]*/,
    meaning: 'the weights path the endpoint was created with does not exist (wrong bucket/prefix, or the weights were never uploaded)',
    fix: 'upload the weights to the path in the endpoint command, or recreate the endpoint with the right checkpoint path',
  },
  {
    id: 'cuda-oom',
    title: 'CUDA out of memory',
    re: /CUDA out of memory[^"\n]*|torch\.(?:cuda\.)?OutOfMemoryError[^"\n]*|CUDA error: out of memory[^"\n]*|No available memory for the cache blocks[^"\n]*/,
    meaning: 'the model (plus KV cache) does not fit in the GPU memory of this GPU type and count',
    fix: 'give the endpoint more or larger GPUs (gpus / gpu_type), or lower max_model_len / gpu_memory_utilization, or use a quantized checkpoint',
  },
  {
    id: 'gated-model',
    title: 'Hugging Face refused the model download',
    re: /GatedRepoError[^"\n]*|401 Client Error[^"\n]*huggingface[^"\n]*|Access to model [^\s]+ is restricted[^"\n]*/,
    meaning: 'the model is gated or private on Hugging Face and the pod has no accepted token',
    fix: 'mirror the weights to your own storage, or give the pods an HF token that has accepted the model licence',
  },
  {
    id: 'module-missing',
    title: 'a Python module is missing from the image',
    re: /ModuleNotFoundError: No module named [^"\n]*/,
    meaning: 'the image does not match the command it is started with (wrong image tag or framework version)',
    fix: 'use the image tag that matches the endpoint framework version',
  },
];

export interface LogMatch {
  signature: LogSignature;
  /** The matched line, trimmed. */
  line: string;
  /** 1-based line number in the text given. */
  lineNumber: number;
  /** The clause that matched. */
  match: string;
}

/**
 * Lines of a container log, with JSON log records (model-engine logs JSON in production) unfolded: the message and
 * the `exc_info` traceback become lines of their own, so signatures match inside them.
 */
export function logLines(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line.startsWith('{') && line.endsWith('}')) {
      try {
        const rec: unknown = JSON.parse(line);
        const msg = str(rec, 'message') ?? str(rec, 'msg');
        if (msg !== undefined) {
          const level = str(rec, 'level') ?? str(rec, 'levelname') ?? '';
          out.push(`${level ? `${level} ` : ''}${msg}`);
          const exc = str(rec, 'exc_info') ?? str(rec, 'traceback');
          if (exc) out.push(...exc.split('\n'));
          continue;
        }
      } catch {
        // not JSON after all: keep the raw line
      }
    }
    out.push(line);
  }
  return out;
}

/** Every signature that matches, best first (priority, then the earliest line for that signature). */
export function matchLogSignatures(text: string): LogMatch[] {
  const lines = logLines(text);
  const out: LogMatch[] = [];
  for (const signature of LOG_SIGNATURES) {
    for (let i = 0; i < lines.length; i++) {
      const m = signature.re.exec(lines[i]!);
      if (m) {
        out.push({ signature, line: lines[i]!.trim(), lineNumber: i + 1, match: m[0].trim() });
        break;
      }
    }
  }
  return out;
}

/** The best match, or undefined. */
export function matchLogSignature(text: string): LogMatch | undefined {
  return matchLogSignatures(text)[0];
}

const ERROR_LINE = /\bTraceback \(most recent call last\)|^(?:ERROR|CRITICAL|FATAL)\b|\bERROR\b[/:\]]|\[ERROR\]|\blevel[=:]"?error|^\w*(?:Error|Exception): |^\S+\.\w*(?:Error|Exception): |\bpanic: /i;

/** Lines that look like errors (tracebacks, ERROR records, `XyzError: …` lines), with 1-based line numbers. */
export function errorLines(text: string): { line: string; lineNumber: number }[] {
  return logLines(text)
    .map((line, i) => ({ line: line.trim(), lineNumber: i + 1 }))
    .filter((l) => l.line !== '' && ERROR_LINE.test(l.line));
}

/** The last `n` non-empty lines (after unfolding JSON records). */
export function lastLines(text: string, n: number): { line: string; lineNumber: number }[] {
  const lines = logLines(text).map((line, i) => ({ line: line.trim(), lineNumber: i + 1 }));
  return lines.filter((l) => l.line !== '').slice(-n);
}
