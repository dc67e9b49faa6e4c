import { describe, expect, it } from '@jest/globals';
import { formatPath, getPath, parseImageRef, parsePath, redactText, redactValue, isSecretKey, renderMessage } from '../../src/engine/index.js';
import { matchLabels, parseFieldSelector, parseLabelSelector, matchFields } from '../../src/sources/kube/selectors.js';
import { cloudFromProviderId, MATRIX } from '../../src/matrix/index.js';
import { lookupResource, pluralize } from '../../src/sources/kube/resources.js';

describe('redaction', () => {
  it.each([
    ['redis://:hunter2@cache:6379/0', 'redis://:REDACTED@cache:6379/0'],
    ['rediss://oid-1234:eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2ln@h.redis.cache.windows.net:6380', 'rediss://oid-1234:REDACTED@h.redis.cache.windows.net:6380'],
    ['postgresql://llm:pa55word@db.internal:5432/llm', 'postgresql://llm:REDACTED@db.internal:5432/llm'],
    ['Authorization: Bearer abcdefghijklmnop', 'Authorization: Bearer REDACTED'],
    ['Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=abc123==', 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=REDACTED'],
    ['key AKIAIOSFODNN7EXAMPLE used', 'key REDACTED used'],
    ['redis.exceptions.AuthenticationError: invalid username-password pair', 'redis.exceptions.AuthenticationError: invalid username-password pair'],
    ['image 1111.dkr.ecr.us-east-1.amazonaws.com/vllm:0.6.3 not found', 'image 1111.dkr.ecr.us-east-1.amazonaws.com/vllm:0.6.3 not found'],
  ])('redactText(%j)', (input, out) => expect(redactText(input)).toBe(out));

  it.each([
    ['password', true],
    ['REDIS_AUTH_TOKEN', true],
    ['database_url', true],
    ['cache_redis_aws_secret_name', false],
    ['authSecretName', false],
    ['kubernetesDatabaseSecretName', false],
    ['AWS_WEB_IDENTITY_TOKEN_FILE', false],
    ['cloud_provider', false],
  ])('isSecretKey(%s) = %s', (k, v) => expect(isSecretKey(k)).toBe(v));

  it('redacts nested values by key and by shape', () => {
    expect(redactValue(undefined, { redis: { auth: 'x1', host: 'h' }, url: 'redis://:p@h:1/0', list: ['Bearer abcdefghijk'] })).toEqual({
      redis: { auth: 'REDACTED', host: 'h' },
      url: 'redis://:REDACTED@h:1/0',
      list: ['Bearer REDACTED'],
    });
  });
});

describe('values paths', () => {
  it.each([
    ['config.values.infra.cloud_provider', ['config', 'values', 'infra', 'cloud_provider']],
    ['serviceAccount.annotations["eks.amazonaws.com/role-arn"]', ['serviceAccount', 'annotations', 'eks.amazonaws.com/role-arn']],
    ['balloons[0].acceleratorName', ['balloons', '0', 'acceleratorName']],
  ])('parse/format %s', (s, parts) => {
    expect(parsePath(s)).toEqual(parts);
    expect(formatPath(parts)).toBe(s);
  });
  it('gets nested values', () => {
    expect(getPath({ a: { 'b.c': [1, { d: 2 }] } }, 'a["b.c"][1].d')).toBe(2);
    expect(getPath({ a: 1 }, 'a.b')).toBeUndefined();
  });
  it('renders message templates and keeps unknown placeholders visible', () => {
    expect(renderMessage('{{a}} and {{b}}', { a: ['x', 'y'] })).toBe('x, y and {{b}}');
  });
});

describe('image references', () => {
  it.each([
    ['111122223333.dkr.ecr.us-east-1.amazonaws.com/vllm:0.6.3', { registry: '111122223333.dkr.ecr.us-east-1.amazonaws.com', repository: 'vllm', tag: '0.6.3' }],
    ['public.ecr.aws/b2z8n5q1/model-engine:abc', { registry: 'public.ecr.aws', repository: 'b2z8n5q1/model-engine', tag: 'abc' }],
    ['busybox', { registry: 'docker.io', repository: 'library/busybox', tag: 'latest' }],
    ['docker.io/nginx:1.27', { registry: 'docker.io', repository: 'library/nginx', tag: '1.27' }],
    ['index.docker.io/nginx', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }],
    ['registry-1.docker.io/bitnami/redis:7.2', { registry: 'docker.io', repository: 'bitnami/redis', tag: '7.2' }],
    ['docker.io/library/busybox@sha256:ab', { registry: 'docker.io', repository: 'library/busybox', digest: 'sha256:ab' }],
    ['curlimages/curl:7.72.0', { registry: 'docker.io', repository: 'curlimages/curl', tag: '7.72.0' }],
    ['localhost:5000/a/b@sha256:abcd', { registry: 'localhost:5000', repository: 'a/b', digest: 'sha256:abcd' }],
    ['us-docker.pkg.dev/p/r/vllm:1', { registry: 'us-docker.pkg.dev', repository: 'p/r/vllm', tag: '1' }],
  ])('parseImageRef(%s)', (ref, out) => expect(parseImageRef(ref)).toEqual(out));
});

describe('selectors', () => {
  const labels = { app: 'model-engine', env: 'prod', team: 'infra' };
  it.each([
    ['app=model-engine', true],
    ['app==model-engine,env=prod', true],
    ['app!=model-engine', false],
    ['env in (prod, staging)', true],
    ['env notin (prod)', false],
    ['team', true],
    ['!team', false],
    ['missing!=x', true],
    ['app=model-engine,env in (dev)', false],
  ])('%s → %s', (sel, out) => expect(matchLabels(labels, parseLabelSelector(sel))).toBe(out));
  it('rejects unparseable label selectors', () => expect(() => parseLabelSelector('a b c')).toThrow(/unable to parse/));
  it('field selectors support the real server fields per kind and reject others', () => {
    const pod = { metadata: { name: 'p', namespace: 'n' }, spec: { nodeName: '' }, status: { phase: 'Pending' } };
    expect(matchFields(pod, parseFieldSelector('spec.nodeName=,status.phase=Pending', 'Pod'))).toBe(true);
    expect(matchFields(pod, parseFieldSelector('status.phase!=Pending', 'Pod'))).toBe(false);
    expect(() => parseFieldSelector('spec.containers=x', 'Pod')).toThrow(/field label not supported: spec.containers/);
    expect(() => parseFieldSelector('reason=x', 'Pod')).toThrow(/not supported/);
    expect(() => parseFieldSelector('reason=Failed', 'Event')).not.toThrow();
  });
});

describe('matrix and resources', () => {
  it.each([
    ['aws:///us-east-1a/i-0abc', 'aws'],
    ['azure:///subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/virtualMachineScaleSets/z/virtualMachines/0', 'azure'],
    ['gce://proj/us-central1-a/gke-node', 'gcp'],
    ['kind://docker/kind/kind-control-plane', undefined],
    [undefined, undefined],
  ])('cloudFromProviderId(%s) = %s', (id, cloud) => expect(cloudFromProviderId(id)).toBe(cloud));
  it('has one profile per cloud with matching keys', () => {
    for (const [k, p] of Object.entries(MATRIX)) expect(p.cloud).toBe(k);
    expect(MATRIX.aws.registryHostPattern.test('111122223333.dkr.ecr.us-east-1.amazonaws.com')).toBe(true);
    expect(MATRIX.azure.registryHostPattern.test('myregistry.azurecr.io')).toBe(true);
  });
  it.each([
    ['deployments.apps', 'Deployment'],
    ['deploy', 'Deployment'],
    ['pods', 'Pod'],
    ['scaledobjects.keda.sh', 'ScaledObject'],
    ['priorityclasses.scheduling.k8s.io', 'PriorityClass'],
  ])('lookupResource(%s) = %s', (n, kind) => expect(lookupResource(n)?.kind).toBe(kind));
  it.each([['Policy', 'policies'], ['Ingress', 'ingresses'], ['Gateway', 'gateways'], ['Mesh', 'meshes']])('pluralize %s', (k, p) => expect(pluralize(k)).toBe(p));
});

describe('env-style redaction', () => {
  it('redacts {name, value} entries whose name is a credential', () => {
    expect(redactValue(undefined, [{ name: 'REDIS_PASSWORD', value: 'plain' }, { name: 'REDIS_HOST', value: 'h' }])).toEqual([
      { name: 'REDIS_PASSWORD', value: 'REDACTED' },
      { name: 'REDIS_HOST', value: 'h' },
    ]);
  });
});
