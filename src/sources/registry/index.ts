export { createRegistryPort, missingPlatforms, OciRegistryPort, MANIFEST_ACCEPT, type RegistryPortOptions } from './probe.js';
export { parseChallenge, ecrTokenExpiry, credentialFromAuthEntry, credentialsForHost, normalizeRegistryHost, dockerConfigPath } from './credentials.js';
export { parseEcrHost, parseGarRepository, isAcrHost, isGoogleHost, defaultCloudApis, defaultCloudLogins, type CloudApis, type CloudLogins } from './cloud.js';
