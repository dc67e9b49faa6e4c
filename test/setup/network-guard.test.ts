import { describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { hostAllowed, isLoopbackHost, policyFromEnv } from '../../src/sources/net-policy.js';

describe('network policy', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['[::1]', true],
    ['localhost', true],
    ['10.0.0.4', false],
    ['192.168.1.1', false],
    ['111122223333.dkr.ecr.us-east-1.amazonaws.com', false],
    ['api.github.com', false],
  ])('isLoopbackHost(%s) = %s', (h, v) => expect(isLoopbackHost(h)).toBe(v));

  it('allows per policy and explains refusals', () => {
    expect(hostAllowed('example.com', 'all')).toEqual({ ok: true });
    expect(hostAllowed('127.0.0.1', 'loopback')).toEqual({ ok: true });
    expect(hostAllowed('example.com', 'loopback')).toMatchObject({ ok: false, reason: expect.stringContaining('loopback addresses only') });
    expect(hostAllowed('127.0.0.1', 'none')).toMatchObject({ ok: false });
  });

  it('tests run with the loopback policy', () => expect(policyFromEnv()).toBe('loopback'));

  it('the test guard refuses a non-loopback connection before any DNS lookup', async () => {
    const err = await new Promise<Error>((resolve) => {
      const s = net.connect({ host: 'example.invalid', port: 443 });
      s.on('error', resolve);
    });
    expect(err.message).toMatch(/test network guard: connection to example.invalid blocked/);
  });

  it('fetch to a public host is refused by the guard too', async () => {
    await expect(fetch('https://api.github.com/', { signal: AbortSignal.timeout(3000) })).rejects.toThrow();
  });
});

describe('probe sources honour the policy', () => {
  it('the Redis source refuses a non-loopback host under the loopback policy, and says why', async () => {
    const { RedisSource } = await import('../../src/sources/redis/probe.js');
    const src = new RedisSource({ network: 'loopback' });
    expect(src.refusal('llm-engine-prod-cache.use1.cache.amazonaws.com')).toMatch(/loopback addresses only/);
    expect(src.refusal('127.0.0.1')).toBeUndefined();
    expect(new RedisSource({ network: 'none' }).refusal('127.0.0.1')).toMatch(/disabled/);
  });
});

describe('the test DNS guard', () => {
  it('fails lookups of public names at once, and still resolves localhost', async () => {
    const dns = await import('node:dns');
    await expect(dns.promises.lookup('api.github.com')).rejects.toThrow(/test network guard/);
    const r = await dns.promises.lookup('localhost');
    expect(['127.0.0.1', '::1']).toContain(r.address);
  });
});
