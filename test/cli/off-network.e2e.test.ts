/**
 * Off the cluster's network (issue 15: "unreachable registries collapse to one line per host"): the built CLI over the
 * demo snapshot with --probes, in a process behind a stand-in firewall (test/support/firewall.mjs: the tests'
 * loopback-only guard preloaded, the doctor's policy `all`), so every registry probe is refused as a laptop's would be.
 * Simulated part: the firewall. The text and Markdown reports give one line per registry host; JSON keeps every image.
 */
import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import type { Report } from '../../src/engine/types.js';
import { builtSkipReason, DEMO, ROOT, runBuilt } from './built-cli.js';

const d = builtSkipReason ? describe.skip : describe;
const FIREWALL = { NODE_OPTIONS: `--import tsx --import ${join(ROOT, 'test/support/firewall.mjs')}` };
const HOSTS = ['111122223333.dkr.ecr.us-east-1.amazonaws.com', 'gcr.io', 'public.ecr.aws', 'docker.io'];

d(builtSkipReason ? `skipped: ${builtSkipReason}` : 'a laptop off the network (simulated firewall): one line per unreachable registry host', () => {
  it('text: one incident line per host, counting its images, then one hint; JSON keeps every image as its own result', async () => {
    const [text, json] = await Promise.all([
      runBuilt(['triage', '--snapshot', DEMO, '--probes', '-o', 'text'], { env: FIREWALL }),
      runBuilt(['triage', '--snapshot', DEMO, '--probes', '-o', 'json'], { env: FIREWALL }),
    ]);
    expect(text.code).toBe(3);
    expect(json.code).toBe(3);
    const report = JSON.parse(json.stdout) as Report;
    // What the machine format says: each image a result of its own, `unreachable` (a warning, not a verdict on it).
    const unreachable = report.results.filter((r) => r.id.startsWith('images/') && r.messageId === 'unreachable');
    expect(unreachable.every((r) => r.status === 'warn')).toBe(true);
    const hostOf = (image: string) => (/^[^/]+[.:][^/]*\//.test(image) ? image.slice(0, image.indexOf('/')) : 'docker.io');
    const perHost = new Map<string, number>();
    for (const r of unreachable) perHost.set(hostOf(r.object!.name), (perHost.get(hostOf(r.object!.name)) ?? 0) + 1);
    expect([...perHost.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))).toEqual([
      [HOSTS[0], 13],
      ['gcr.io', 2],
      ['public.ecr.aws', 2],
      ['docker.io', 1],
    ]);

    const rows = text.stdout.split('\n').filter((l) => /^#\d+ +▲ WARN {2}\d+ images? not checked: /.test(l));
    expect(rows.map((l) => /not checked: (\S+)/.exec(l)![1])).toEqual(HOSTS);
    expect(rows.map((l) => Number(/WARN {2}(\d+) image/.exec(l)![1]))).toEqual([13, 2, 2, 1]);
    for (const host of HOSTS) expect(text.stdout.split('\n').filter((l) => l.includes(`not checked: ${host} `)).length).toBe(1);
    expect(text.stdout.split('\n').filter((l) => l.includes('the nodes may reach what this machine cannot')).length).toBe(1);
    // The images themselves are not listed one per line (they are in -o wide, the TUI and JSON).
    expect(text.stdout).not.toMatch(/images\/[\w-]+-pullable · Image /);
    for (const r of unreachable.filter((x) => !x.object!.name.endsWith('/vllm:0.6.3'))) expect(text.stdout).not.toContain(r.object!.name);
  });

  it('markdown: one incident bullet per host, its images folded under <details>', async () => {
    const md = await runBuilt(['triage', '--snapshot', DEMO, '--probes', '-o', 'markdown'], { env: FIREWALL });
    expect(md.code).toBe(3);
    const bullets = md.stdout.split('\n').filter((l) => /^- \*\*#\d+\*\* ▲ WARN \d+ images? not checked: /.test(l));
    expect(bullets.map((l) => /not checked: (\S+)/.exec(l)![1])).toEqual(HOSTS);
    for (const [host, n] of [[HOSTS[0], 13], ['gcr.io', 2], ['public.ecr.aws', 2], ['docker.io', 1]] as const) {
      expect(md.stdout).toContain(`<summary>Images not checked on ${host} (${n})</summary>`);
    }
  });

  it('the firewall is real: without --probes nothing is probed and no registry is reported unreachable', async () => {
    const text = await runBuilt(['triage', '--snapshot', DEMO, '-o', 'text'], { env: FIREWALL });
    expect(text.code).toBe(3);
    expect(text.stdout).not.toContain('not checked:');
  });
});
