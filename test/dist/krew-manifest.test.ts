/**
 * The committed krew manifest, plugins/model-engine-doctor.yaml (written by scripts/build-sea.mjs from the archives'
 * checksums): krew's Plugin kind, one platform per os/arch pair the executables are built for, each pointing at
 * that platform's archive for this package version, installed as kubectl-model_engine_doctor. A version bump
 * without rebuilding the manifest fails here. (test/dist/sea.slow.test.ts checks a manifest against real archives.)
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { krewManifest, PLATFORMS } from '../../scripts/build-sea.mjs';
import { KUBECTL_PLUGIN_BIN } from '../../src/program-name.js';
import { ROOT } from './tools.js';

interface Platform {
  selector: { matchLabels: { os: string; arch: string } };
  uri: string;
  sha256: string;
  files: { from: string; to: string }[];
  bin: string;
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { version: string; homepage: string; shortDescription: string; description: string; platforms: Platform[] };
}

const TEXT = readFileSync(join(ROOT, 'plugins/model-engine-doctor.yaml'), 'utf8');
const MANIFEST = parse(TEXT) as Manifest;
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('plugins/model-engine-doctor.yaml', () => {
  it("is krew's Plugin, named so kubectl runs it as `kubectl model-engine-doctor`, for this package version", () => {
    expect(MANIFEST.apiVersion).toBe('krew.googlecontainertools.github.com/v1alpha2');
    expect(MANIFEST.kind).toBe('Plugin');
    expect(MANIFEST.metadata.name).toBe('model-engine-doctor');
    expect(MANIFEST.spec.version).toBe(`v${version}`);
    expect(MANIFEST.spec.shortDescription.length).toBeLessThanOrEqual(50);
    expect(MANIFEST.spec.homepage).toMatch(/^https:\/\//);
  });

  it('has one platform per built os/arch pair, each its archive with a SHA-256, installing kubectl-model_engine_doctor', () => {
    const expected = Object.entries(PLATFORMS).map(([name, p]) => ({ name, ...p }));
    expect(MANIFEST.spec.platforms.map((p) => p.selector.matchLabels)).toEqual(expected.map(({ os, arch }) => ({ os, arch })));
    for (const [i, p] of MANIFEST.spec.platforms.entries()) {
      expect(p.uri).toMatch(new RegExp(`^https://.+/model-engine-doctor-v${version.replaceAll('.', '\\.')}-${expected[i]!.name}\\.tar\\.gz$`));
      expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(p.files).toEqual([{ from: 'model-engine-doctor', to: KUBECTL_PLUGIN_BIN }]);
      expect(p.bin).toBe(KUBECTL_PLUGIN_BIN);
    }
    expect(new Set(MANIFEST.spec.platforms.map((p) => p.sha256)).size).toBe(4);
  });

  it('is exactly what the build script writes for those archives (so it was generated, not edited by hand)', () => {
    const source = /from the archives' SHA-256 checksums \(([^)]*)\)/.exec(TEXT)?.[1] ?? '';
    const unsigned = /^# NOT FOR A RELEASE: the (.*) archives are unsigned/m.exec(TEXT)?.[1]?.split(' and ') ?? [];
    const builtOn = /\(built on (\w+)\)/.exec(TEXT)?.[1];
    const names = Object.keys(PLATFORMS) as (keyof typeof PLATFORMS)[];
    const regenerated = krewManifest({
      version,
      baseUrl: MANIFEST.spec.platforms[0]!.uri.replace(/\/[^/]+$/, ''),
      archives: names.map((name, i) => ({ name, file: `model-engine-doctor-v${version}-${name}.tar.gz`, sha: MANIFEST.spec.platforms[i]!.sha256 })),
      source,
      unsigned: unsigned as (keyof typeof PLATFORMS)[],
    });
    expect(TEXT).toBe(builtOn ? regenerated.replace(/\(built on \w+\)/, `(built on ${builtOn})`) : regenerated);
  });
});
