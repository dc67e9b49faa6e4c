/**
 * The values loader against the real helm: a tiny chart whose only template prints `.Values` as JSON is rendered
 * by `helm template` with the same files and flags, and the doctor's merged values must be the same, nulls included
 * (with the pinned helm v4.3.2; an older helm keeps a chart's null defaults, and then nulls are left out).
 * Bad input helm refuses must be refused by the doctor too, with a one-line error naming the place.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FatalError } from '../../src/engine/errors.js';
import { renderChart } from '../../src/sources/helm/render.js';
import { CHART_DEFAULTS_YAML } from '../../src/sources/values/chart-defaults.js';
import { loadValues, type ValuesInput } from '../../src/sources/values/load.js';
import { describeWithHelm, helmDropsDefaultNulls, withoutNulls } from '../support/helm.js';

const DUMP_TEMPLATE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: values
data:
  values.json: {{ toJson .Values | quote }}
`;


interface Case {
  name: string;
  files?: string[];
  flags?: Omit<ValuesInput, 'files' | 'defaults'>;
  /** Text for `-f -`. */
  stdin?: string;
}

describeWithHelm(
  'values are read as helm v4 reads them (helm template of a chart that prints .Values)',
  ({ helm }) => {
    let dir: string;
    let chart: string;
    let n = 0;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'med-conformance-'));
      chart = join(dir, 'dump');
      await mkdir(join(chart, 'templates'), { recursive: true });
      await writeFile(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: dump\nversion: 0.1.0\n');
      await writeFile(join(chart, 'values.yaml'), CHART_DEFAULTS_YAML);
      await writeFile(join(chart, 'templates/values.yaml'), DUMP_TEMPLATE);
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    const file = async (text: string) => {
      const p = join(dir, `v${n++}.yaml`);
      await writeFile(p, text);
      return p;
    };
    const setFile = async (text: string) => {
      const p = join(dir, `f${n++}.txt`);
      await writeFile(p, text);
      return p;
    };

    async function both(c: Case): Promise<{ helm: unknown; ours: unknown }> {
      const files = await Promise.all((c.files ?? []).map((t) => (t === '-' ? '-' : file(t))));
      const flags = { ...c.flags, files };
      const rendered = await renderChart({ chartPath: chart, release: 'r', namespace: 'ns', flags, helm, ...(c.stdin !== undefined ? { stdinText: c.stdin } : {}) }, new AbortController().signal);
      if (!rendered.ok) throw new Error(`helm failed: ${rendered.error}`);
      const cm = rendered.objects.find((o) => o.object.kind === 'ConfigMap')!.object as unknown as { data: { 'values.json': string } };
      const ours = await loadValues({ ...flags, defaults: { chart }, ...(c.stdin !== undefined ? { stdin: async () => c.stdin! } : {}) });
      const exact = helmDropsDefaultNulls(helm);
      const h = JSON.parse(cm.data['values.json']) as unknown;
      return exact ? { helm: h, ours: ours.merged } : { helm: withoutNulls(h), ours: withoutNulls(ours.merged) };
    }

    const cases: Case[] = [
      { name: 'duplicate keys: the last one wins, a duplicated map is replaced, not merged', files: ['tag: a\nx: {p: 1}\ntag: b\nx: {q: 2}\n'] },
      { name: 'YAML 1.1 scalars: yes/on/y booleans, octal, hex, underscores, floats; dates and 1:20 stay strings', files: ['a: yes\nb: on\nc: 0777\nd: 1:20\ne: 2001-12-14\nf: 1e3\ng: 0x1F\nj: y\nk: 1_000\np: 3.0\nq: "yes"\nr: !!str 5\n'] },
      { name: 'YAML 1.1 boolean keys become "true"/"false"', files: ['size:\n  x: 1\n  y: 2\n  n: 3\n  on: 4\n'] },
      { name: 'a merge key overrides explicit keys written before it, not after', files: ['base: &b {p: 1, q: 1}\nm:\n  q: 5\n  <<: *b\n  r: 3\n  p: 9\n'] },
      { name: 'in a merge list, earlier maps win', files: ['a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n'] },
      { name: 'an inline merge map', files: ['m:\n  <<: {p: 1}\n  q: 2\n'] },
      { name: 'a quoted "<<" is an ordinary key', files: ['m:\n  "<<": 1\n'] },
      { name: 'aliases of maps, lists and scalars', files: ['a: &x {p: [1, 2]}\nb: *x\nc: &s hello\nd: [*s, *s]\n'] },
      { name: 'every document of a file is merged, maps deep, in order', files: ['a: {p: 1}\nz: 1\n---\na: {q: 2}\nz: 2\n---\n'] },
      { name: 'later files deep-merge earlier ones; lists replace', files: ['a: {p: 1}\nl: [1, 2]\n', 'a: {q: 2}\nl: [3]\n'] },
      { name: 'null deletes a chart default', files: ['nodeSelector: null\nballoonNodeSelector:\n'] },
      { name: 'nulls: kept without a chart default, kept over a nested null default, dropped over a top-level one', files: ['k: null\nm2: {q: null}\nredis: {auth: null}\ndebug_mode: null\nmodelCache: {storageClassName: null, storage: null}\n'] },
      { name: 'an empty map keeps a chart default', files: ['nodeSelector: {}\n'] },
      { name: 'a UTF-8 byte-order mark is ignored', files: ['\uFEFFtag: bom\n'] },
      { name: '--set typing, lists, escapes and indices', flags: { set: ['a.b=1,c=true,d=007,e=1.5,f={x,2},g\\.h=i,j[1]=k,l=a\\,b,m='] } },
      { name: '--set-string keeps every value a string', flags: { setString: ['a=1,b=true,c=null,d={1,2}'] } },
      { name: '--set-json values and whole objects', flags: { setJson: ['a={"p":[1,{"q":null}]},b=2,c="s"', '{"d":{"e":true},"a":{"x":1}}'] } },
      { name: '--set-literal takes the rest verbatim', flags: { setLiteral: ['a.b=x,y={z}\\n'] } },
      { name: '--set-file sets the content as a string', flags: { setFile: [] } },
      {
        name: 'flags apply in helm\'s order: -f, --set-json, --set, --set-string, --set-file, --set-literal',
        files: ['a: file\nb: file\nc: file\nd: file\ne: file\n'],
        flags: { setLiteral: ['e=literal'], setFile: [], setString: ['c=string,d=string,e=string'], set: ['b=set,c=set,d=set,e=set'], setJson: ['a="json",b="json",c="json",d="json",e="json"'] },
      },
      { name: '-f - reads standard input', files: ['-', 'b: 2\n'], stdin: 'a: 1\nb: 1\n' },
    ];

    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const cc = { ...c, flags: { ...c.flags } };
      if (c.name.startsWith('--set-file')) cc.flags.setFile = [`cfg.text=${await setFile('line 1\nline 2, with comma\n')}`];
      if (c.name.startsWith('flags apply')) cc.flags.setFile = [`d=${await setFile('file-content')}`, `e=${await setFile('file-content')}`];
      const { helm: h, ours } = await both(cc);
      expect(ours).toEqual(h);
    });

    it.each<[string, string, RegExp]>([
      ['<<: 5', 'm:\n  <<: 5\n', /:2:3: invalid YAML: map merge requires map or sequence of maps as the value$/],
      ['a recursive alias', 'a: &a [*a]\n', /:1:8: invalid YAML: anchor 'a' value contains itself$/],
      ['a list document', '- 1\n', /:1:1: values must be a YAML map of keys, found a list$/],
      ['.inf', 'a: .inf\n', /:1:4: invalid value Infinity/],
      ['a map as a key', '? {a: 1}\n: x\n', /invalid map key/],
    ])('both refuse %s', async (_name, text, ours) => {
      const p = await file(text);
      const rendered = await renderChart({ chartPath: chart, release: 'r', namespace: 'ns', flags: { files: [p] }, helm }, new AbortController().signal);
      expect(rendered.ok).toBe(false);
      const err = await loadValues({ files: [p] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FatalError);
      expect((err as FatalError).message).not.toContain('\n');
      expect((err as FatalError).message).toMatch(ours);
    });
  },
  false,
);
