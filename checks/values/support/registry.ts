/**
 * model-engine's registry logic, reproduced so preflight reaches the same conclusions the service will
 * (facts §2.2 `infer_registry_type`, §3 registry selection and `get_image_url`), plus what counts as one of
 * Scale's own registries (facts §1.1, §5, §9 #20).
 */
import { effectiveRegistryType, type RegistryType } from '../../../src/model-engine/images.js';
export { effectiveRegistryType };

// Shared with the `images` checks and `mirror-plan`: the pure registry logic lives in src/model-engine/images.ts.
export {
  inferRegistryType,
  isRepoName,
  mirrorCommands,
  registryHost,
  repositoryPath,
  resolveRepository,
  scaleRegistryOf,
  type RegistryType,
} from '../../../src/model-engine/images.js';


/**
 * Split `host/path:tag` or `…@sha256:…` into repository and tag/digest. An `@` followed by a path is no digest but a
 * credential (`user:password@registry/path`, `https://user:password@…`): its password is not a tag.
 */
export function splitImage(ref: string): { repository: string; tag?: string } {
  const at = ref.lastIndexOf('@');
  if (at >= 0 && !ref.includes('/', at)) return { repository: ref.slice(0, at), tag: ref.slice(at + 1) };
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repository: ref };
}

/** A placeholder for "your registry" of a type, for commands and snippets (never a value a check would flag). */
export function registryPlaceholder(type: RegistryType | undefined): string {
  switch (type) {
    case 'ecr':
      return '<account-id>.dkr.ecr.<region>.amazonaws.com';
    case 'acr':
      return '<name>.azurecr.io';
    case 'gar':
      return '<location>-docker.pkg.dev/<project>/<repository>';
    case 'onprem':
    case 'generic':
    case undefined:
      return '<registry-host>/<path>';
  }
}
