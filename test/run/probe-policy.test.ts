import { describe, expect, it } from '@jest/globals';
import { probePolicy } from '../../src/run/ports.js';

describe('probePolicy: whether network probes may leave the machine', () => {
  it.each([
    [{}, {}, 'all'],
    [{}, { MED_NETWORK: 'loopback' }, 'loopback'],
    [{ probes: false }, {}, 'none'],
    [{ snapshot: './snap' }, {}, 'none'],
    [{ snapshot: './snap', probes: true }, {}, 'all'],
    [{ snapshot: './snap', probes: true }, { MED_NETWORK: 'loopback' }, 'loopback'],
    [{ snapshot: './snap', probes: false }, {}, 'none'],
    [{ probes: true }, { MED_NETWORK: 'none' }, 'none'],
  ] as const)('%j with env %j → %s', (opts, env, policy) => {
    expect(probePolicy(opts, env)).toBe(policy);
  });
});
