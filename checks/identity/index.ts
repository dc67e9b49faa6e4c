import type { Check } from '../../src/engine/index.js';
import serviceAccountAnnotations from './service-account-annotations.js';
import podsFederated from './pods-federated.js';
import webhook from './webhook.js';
import kedaTriggerAuth from './keda-trigger-auth.js';
import credentialSecrets from './credential-secrets.js';
import cloudTrust from './cloud-trust.js';

/** Checks of the `identity` area, in the order they are listed. */
export const checks: readonly Check[] = [serviceAccountAnnotations, podsFederated, webhook, kedaTriggerAuth, credentialSecrets, cloudTrust];
