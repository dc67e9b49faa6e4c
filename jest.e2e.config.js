/**
 * The e2e tier: the doctor against a real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler, kwok) started once for the whole run by test/e2e/global-setup.mjs, and real helm.
 * `npm run test:e2e` (built by scripts/build-control-plane.sh first; `npm run test:all` does both).
 */
import base from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  roots: ['<rootDir>/test/e2e'],
  testPathIgnorePatterns: [],
  globalSetup: '<rootDir>/test/e2e/global-setup.mjs',
  globalTeardown: '<rootDir>/test/e2e/global-teardown.mjs',
  // One control plane, one cluster: files run one after another (cluster-scoped objects such as PriorityClasses
  // and the chart's ClusterRoleBinding cannot be shared by two releases at once).
  maxWorkers: 1,
  testTimeout: 180000,
};
