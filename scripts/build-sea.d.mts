// Types of what the tests import from scripts/build-sea.mjs.
export const SEA_NODE_VERSION: string;
export const PLATFORMS: Record<'linux-x64' | 'linux-arm64' | 'darwin-x64' | 'darwin-arm64', { npm: string; os: 'linux' | 'darwin'; arch: 'amd64' | 'arm64' }>;
export function defaultCache(): string;
export function cachedNodeBinary(name: keyof typeof PLATFORMS, cache?: string): string;
export function krewManifest(args: {
  version: string;
  baseUrl: string;
  archives: { name: keyof typeof PLATFORMS; file: string; sha: string }[];
  source: string;
  unsigned?: (keyof typeof PLATFORMS)[];
}): string;
export function smokeTest(exe: string): string;
export function main(argv?: string[]): Promise<void>;
