import type { Check } from '../../src/engine/index.js';
import cloudProvider from './cloud-provider.js';
import imagesMirrored from './images-mirrored.js';
import imageTag from './image-tag.js';
import registryPrefix from './registry-prefix.js';
import redis from './redis.js';
import broker from './broker.js';
import serviceConfig from './service-config.js';
import azure from './azure.js';
import awsIdentity from './aws-identity.js';
import gcpOnprem from './gcp-onprem.js';
import scheduling from './scheduling.js';
import database from './database.js';
import servicebusFix from './servicebus-fix.js';
import duplicateKeys from './duplicate-keys.js';
import envPlaceholders from './env-placeholders.js';
import chartKeys from './chart-keys.js';
import requiredFields from './required-fields.js';
import hookJobs from './hook-jobs.js';
import duplicateObjects from './duplicate-objects.js';

/** Checks of the `values` area, in the order they are listed. */
export const checks: readonly Check[] = [duplicateKeys, envPlaceholders, chartKeys, requiredFields, hookJobs, duplicateObjects, cloudProvider, imagesMirrored, imageTag, registryPrefix, redis, broker, serviceConfig, azure, awsIdentity, gcpOnprem, scheduling, database, servicebusFix];
