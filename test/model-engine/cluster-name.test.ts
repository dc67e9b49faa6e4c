import { describe, expect, it } from '@jest/globals';
import { clusterNameFromContext, withClusterName } from '../../src/model-engine/cluster-name.js';

describe('clusterNameFromContext', () => {
  it.each([
    ['arn:aws:eks:us-east-1:111122223333:cluster/ml-prod', 'ml-prod'],
    ['arn:aws-cn:eks:cn-north-1:111122223333:cluster/ml.cn', 'ml.cn'],
    ['admin@ml-prod.us-east-1.eksctl.io', 'ml-prod'],
    ['gke_my-project_us-central1_llm-cluster', 'llm-cluster'],
    ['gke_my-project_us-central1-a_llm_cluster', 'llm_cluster'],
    ['kind-kind', undefined],
    ['snapshot', undefined],
    [undefined, undefined],
  ])('%s → %s', (ctx, name) => expect(clusterNameFromContext(ctx)).toBe(name));
  it('fills the placeholder only when known', () => {
    expect(withClusterName('aws eks describe-cluster --name <cluster>', 'ml-prod')).toBe('aws eks describe-cluster --name ml-prod');
    expect(withClusterName('aws eks describe-cluster --name <cluster>', undefined)).toBe('aws eks describe-cluster --name <cluster>');
  });
});
