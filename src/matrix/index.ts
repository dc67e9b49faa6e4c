import type { Cloud, CloudProfile } from '../engine/types.js';
import { aws } from './aws.js';
import { azure } from './azure.js';
import { gcp } from './gcp.js';
import { onprem } from './onprem.js';

/** The cloud support matrix as data; adding a cloud means adding a file and a line here. */
export const MATRIX: Readonly<Record<Cloud, CloudProfile>> = { aws, azure, gcp, onprem };

export function profileFor(cloud: Cloud | undefined): CloudProfile | undefined {
  return cloud ? MATRIX[cloud] : undefined;
}

/** The cloud a node's `spec.providerID` names (`aws://`, `azure://`, `gce://`), if any. */
export function cloudFromProviderId(providerId: string | undefined): Cloud | undefined {
  if (!providerId) return undefined;
  for (const p of Object.values(MATRIX)) if (p.providerIdPrefix && providerId.startsWith(p.providerIdPrefix)) return p.cloud;
  return undefined;
}
