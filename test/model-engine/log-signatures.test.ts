import { describe, expect, it } from '@jest/globals';
import { errorLines, lastLines, logLines, matchLogSignature, matchLogSignatures } from '../../src/model-engine/log-signatures.js';

describe('matchLogSignature', () => {
  it.each([
    ['redis-auth', 'redis.exceptions.AuthenticationError: invalid username-password pair or user is disabled.'],
    ['redis-auth', "WRONGPASS invalid username-password pair or user is disabled."],
    ['redis-auth', 'redis.exceptions.ResponseError: NOAUTH Authentication required.'],
    ['weights-access-denied', 'ERROR "cp s3://acme-ml-finetunes/llama-3-8b-ft-v2/*": AccessDenied: Access Denied status code: 403, request id: 9Q4T7WZC2M1KX8D3, host id: abc='],
    ['weights-access-denied', 'botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the GetObject operation: Access Denied'],
    ['weights-access-denied', 'azure.core.exceptions.HttpResponseError: This request is not authorized to perform this operation using this permission. ErrorCode:AuthorizationPermissionMismatch'],
    ['weights-access-denied', 'google.api_core.exceptions.Forbidden: 403 GET https://storage.googleapis.com/storage/v1/b/ml-weights/o?prefix=llama: sa@p.iam.gserviceaccount.com does not have storage.objects.list access to the Google Cloud Storage bucket.'],
    ['weights-missing', 'botocore.errorfactory.NoSuchKey: An error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist.'],
    ['weights-missing', 'ERROR "cp s3://ml-prod-model-engine/model-weights/llama-4/*": no object found'],
    ['weights-missing', "FileNotFoundError: [Errno 2] No such file or directory: '/workspace/model_files/config.json'"],
    ['weights-missing', "OSError: model_files does not appear to have a file named config.json. Checkout 'https://huggingface.co/model_files/tree/None' for available files."],
    ['cuda-oom', 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.96 GiB. GPU 0 has a total capacity of 22.19 GiB of which 1.12 GiB is free.'],
    ['cuda-oom', 'ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine.'],
    ['missing-config-field', "TypeError: HostedModelInferenceServiceConfig.__init__() missing 1 required positional argument: 'cloud_file_llm_fine_tune_repository'"],
    ['missing-config-field', "TypeError: __init__() missing 1 required positional argument: 'endpoint_namespace'"],
    ['gpu-driver', 'RuntimeError: The NVIDIA driver on your system is too old (found version 11040). Please update your GPU driver.'],
    ['gated-model', 'huggingface_hub.errors.GatedRepoError: 401 Client Error. (Request ID: Root=1-6734) Cannot access gated repo for url https://huggingface.co/meta-llama/Meta-Llama-3-8B/resolve/main/config.json.'],
    ['module-missing', "ModuleNotFoundError: No module named 'vllm_server'"],
  ])('%s: %s', (id, line) => {
    expect(matchLogSignature(`INFO starting\n${line}\n`)?.signature.id).toBe(id);
  });

  it('picks the root cause, not the last error: AccessDenied first, the missing config.json it causes last', () => {
    const log = [
      'ERROR "cp s3://acme/w/*": AccessDenied: Access Denied status code: 403, request id: X, host id: Y',
      'INFO 11-21 18:56:05 api_server.py:495] vLLM API server version 0.6.1.post2',
      'Traceback (most recent call last):',
      "OSError: model_files does not appear to have a file named config.json.",
    ].join('\n');
    const all = matchLogSignatures(log);
    expect(all.map((m) => m.signature.id)).toEqual(['weights-access-denied', 'weights-missing']);
    expect(all[0]).toMatchObject({ lineNumber: 1, match: expect.stringContaining('AccessDenied') });
  });

  it('finds signatures inside JSON log records (model-engine logs exc_info in JSON)', () => {
    const rec = JSON.stringify({ message: 'Uncaught exception', level: 'ERROR', exc_info: 'Traceback (most recent call last):\n  File "x.py", line 1\nredis.exceptions.AuthenticationError: invalid username-password pair or user is disabled.' });
    const m = matchLogSignature(`${rec}\n`);
    expect(m?.signature.id).toBe('redis-auth');
    expect(logLines(rec)[0]).toBe('ERROR Uncaught exception');
  });

  it('returns nothing for a clean log', () => {
    expect(matchLogSignature('INFO:     Application startup complete.\nINFO:     Uvicorn running on http://0.0.0.0:5005\n')).toBeUndefined();
  });
});

describe('errorLines and lastLines', () => {
  it('finds tracebacks, ERROR records and exception lines; skips INFO', () => {
    const log = [
      '[2026-11-18 14:05:46 +0000] [10] [INFO] Application startup complete.',
      '[2026-11-18 15:02:13,412: ERROR/ForkPoolWorker-1] Task x raised unexpected: ValueError()',
      'Traceback (most recent call last):',
      '  File "a.py", line 3, in <module>',
      'ValueError: Only redis, sqs, and servicebus are supported values for broker_type',
      JSON.stringify({ message: 'boom', level: 'ERROR' }),
      '[2026-11-18 14:05:46 +0000] [10] [ERROR] Exception in worker process',
    ].join('\n');
    expect(errorLines(log).map((e) => e.lineNumber)).toEqual([2, 3, 5, 6, 7]);
  });

  it('lastLines keeps the tail without blank lines', () => {
    expect(lastLines('a\nb\n\nc\n', 2).map((l) => l.line)).toEqual(['b', 'c']);
  });
});
