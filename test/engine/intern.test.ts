/**
 * The interner (src/engine/intern.ts) may change how objects are held, never what they say: an interned value is
 * equal to its input key by key and in the same key order, equal subtrees become one object, and values that only
 * look alike (other key order, other types, 0 and -0, other lengths) stay apart — hash collisions included.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { deepFreeze } from '../../src/engine/frozen.js';
import { Interner } from '../../src/engine/intern.js';
import { fuzzParams } from '../security/support.js';

/** JSON as written, key order included (toEqual ignores key order). */
const text = (v: unknown) => JSON.stringify(v);

describe('Interner', () => {
  it.each([32, 3])('returns a value equal to its input, key order and all (property; hash keys of %i bits)', (hashBits) => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const before = text(v);
        const pool = new Interner({ hashBits });
        expect(text(pool.intern(structuredClone(v)))).toBe(before);
        // A second, separately parsed copy comes back equal too (now from the pool).
        expect(text(pool.intern(JSON.parse(before) as unknown))).toBe(before);
      }),
      fuzzParams(300),
    );
  });

  it('holds equal subtrees once: the replicas of a template share labels, containers and strings', () => {
    const pool = new Interner();
    const pod = (i: number) => ({
      metadata: { name: `ep-5d8f-${i}`, labels: { app: 'ep', endpoint_id: 'end_1' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'ep-5d8f' }] },
      spec: { containers: [{ name: 'main', image: 'vllm:0.6.3', resources: { limits: { 'nvidia.com/gpu': '1' } } }], nodeName: `node-${i % 2}` },
    });
    const [a, b, c] = [0, 1, 2].map((i) => pool.intern(JSON.parse(JSON.stringify(pod(i))) as ReturnType<typeof pod>)) as [ReturnType<typeof pod>, ReturnType<typeof pod>, ReturnType<typeof pod>];
    expect(a.metadata.labels).toBe(b.metadata.labels);
    expect(a.metadata.ownerReferences).toBe(c.metadata.ownerReferences);
    expect(a.spec.containers).toBe(b.spec.containers);
    // Same node: the whole spec is shared; the pods themselves (other names) are not.
    expect(a.spec).toBe(c.spec);
    expect(a.spec).not.toBe(b.spec);
    expect(a).not.toBe(c);
    expect(a.metadata).not.toBe(b.metadata);
    expect(text(a)).toBe(text(pod(0)));
  });

  it.each([32, 2, 0])('keeps apart what only looks alike (hash keys of %i bits: with fewer, every lookup collides)', (hashBits) => {
    const pool = new Interner({ hashBits });
    const pairs: [unknown, unknown][] = [
      [{ a: 1, b: 2 }, { b: 2, a: 1 }],
      [{ a: 1 }, { a: '1' }],
      [{ a: null }, { a: false }],
      [{ a: 0 }, { a: -0 }],
      [[0], [-0]],
      [[1, 2], [1, 2, 3]],
      [{ a: [] }, { a: {} }],
      [[], {}],
      [{ '1': 'x' }, ['x']],
      [{ a: 1 }, { a: 1, b: undefined }],
    ];
    for (const [x, y] of pairs) {
      const ix = pool.intern(x);
      const iy = pool.intern(y);
      expect(ix).not.toBe(iy);
      expect(text(ix)).toBe(text(x));
      expect(Object.keys(iy as object)).toEqual(Object.keys(y as object));
    }
    // -0 survives as -0.
    expect(Object.is((pool.intern({ z: -0 }) as { z: number }).z, -0)).toBe(true);
  });

  it('tells values apart under hash collisions: 200,000 distinct objects stay 200,000', () => {
    const pool = new Interner();
    const n = 200_000;
    const seen = new Set<object>();
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      const v = pool.intern({ i, s: `x${i % 1000}` });
      if (v.i !== i) wrong++;
      seen.add(v);
    }
    expect(wrong).toBe(0);
    expect(seen.size).toBe(n);
    // 200,000 values in a 32-bit hash space collide (about 5 expected): the buckets were exercised, not assumed.
    expect(pool.size.buckets).toBeGreaterThan(0);
    // And each of them is found again when met a second time.
    for (let i = 0; i < n; i += 997) expect(seen.has(pool.intern({ i, s: `x${i % 1000}` }))).toBe(true);
  });

  it('does not change a frozen value: it comes back as a copy holding the pooled parts', () => {
    const pool = new Interner();
    const first = pool.intern({ labels: { app: 'x' } });
    const frozen = deepFreeze({ labels: { app: 'x' }, name: 'n' });
    const out = pool.intern(frozen);
    expect(out).not.toBe(frozen);
    expect(out.labels).toBe(first.labels);
    expect(frozen.labels).not.toBe(first.labels);
    expect(text(out)).toBe(text(frozen));
  });

  it('pools short strings and leaves long ones as they are', () => {
    const pool = new Interner();
    const a = pool.intern({ image: `registry.example.com/${'r'.repeat(20)}:1` });
    const b = pool.intern({ image: `registry.example.com/${'r'.repeat(20)}:1`, other: 1 });
    expect(a.image).toBe(b.image);
    const long = 'm'.repeat(5000);
    expect(pool.intern({ message: long }).message).toBe(long);
    expect(pool.size.strings).toBe(1);
  });

  it('keeps values deeper than it walks whole and equal', () => {
    let deep: unknown = { leaf: 'x' };
    for (let i = 0; i < 500; i++) deep = { d: deep, i };
    const pool = new Interner();
    const before = text(deep);
    expect(text(pool.intern(deep))).toBe(before);
    expect(text(pool.intern(JSON.parse(before) as unknown))).toBe(before);
  });
});
