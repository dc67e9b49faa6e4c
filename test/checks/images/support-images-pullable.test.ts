/** images/support-images-pullable over values fixtures and cluster snapshots, against a real loopback registry. */
import { describe, expect, it } from '@jest/globals';
import supportImagesPullable from '../../../checks/images/support-images-pullable.js';
import { ForbiddenError } from '../../../src/engine/errors.js';
import { runCheck } from '../../../src/engine/runner.js';
import { resolveContext } from '../../../src/run/context.js';
import { SnapshotKube } from '../../../src/sources/kube/snapshot-kube.js';
import { loadSnapshot } from '../../../src/sources/snapshot/load.js';
import type { RegistryPort } from '../../../src/engine/ports/registry.js';
import { fixture, runCase, testCheck, type InvalidCase } from '../../support/check-tester.js';
import { ARM_ONLY_CURL, ECR, VALUES, registryError, useImageRegistry } from './registry-fixture.js';

const JSON_TYPE = { 'content-type': 'application/json' };
const CURL = 'curlimages/curl:7.72.0';
const BUSYBOX = 'public.ecr.aws/docker/library/busybox:latest';
const KANIKO = 'gcr.io/kaniko-project/executor:v1.9.1';
const UBUNTU = 'public.ecr.aws/ubuntu/ubuntu:latest';
const { registry, unauthenticated, proxied, untrustedFor } = useImageRegistry({
  proxies: {
    // Docker Hub's pull limit spent: manifest GETs answer 429 with its ratelimit headers (HEADs are not limited).
    hubLimit: [
      {
        path: /^\/v2\/curlimages\/curl\/manifests\//,
        method: 'GET',
        reply: {
          status: 429,
          headers: { ...JSON_TYPE, 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600', 'docker-ratelimit-source': '203.0.113.7' },
          body: registryError('TOOMANYREQUESTS', 'You have reached your unauthenticated pull rate limit. https://www.docker.com/increase-rate-limit'),
        },
      },
    ],
    // Artifact Registry (gcr.io) answering a valid login that lacks artifactregistry.repositories.downloadArtifacts.
    gcrDenied: [{ path: /^\/v2\/kaniko-project\/executor\/manifests\//, withCredentials: true, reply: { status: 403, headers: JSON_TYPE, body: registryError('DENIED', 'Permission "artifactregistry.repositories.downloadArtifacts" denied on resource') } }],
    // public.ecr.aws having a bad moment.
    ecrPublic503: [{ path: /^\/v2\/docker\/library\/busybox\/manifests\//, reply: { status: 503, headers: JSON_TYPE, body: registryError('UNAVAILABLE', 'Service Unavailable') } }],
  },
});
/**
 * Utility images are optional to a release (only chart jobs use them): an answer about one is a warning, medium
 * but for a rate limit (high: the nodes pull every image from that registry through the same limit).
 */
const answered = (name: string, port: RegistryPort, messageId: string, images: string[], set: string[] = []): InvalidCase => ({
  name,
  values: VALUES,
  set,
  ports: { registry: port },
  // Support images are optional: every finding about them, a rate limit included, is a medium warning.
  errors: images.map((image) => ({ messageId, status: 'warn', severity: 'medium', object: { kind: 'Image', name: image } })),
});

testCheck(supportImagesPullable, {
  valid: [{ name: 'utility images and kaniko (ECR builds) present', values: VALUES, ports: { registry } }],
  invalid: [
    {
      name: 'a utility image tag that does not exist (a warning: only chart jobs use curl)',
      values: VALUES,
      set: ['utilityImages.curl.tag=7.99.0'],
      ports: { registry },
      errors: [{ messageId: 'missingTag', status: 'warn', object: { name: 'curlimages/curl:7.99.0' } }],
    },
    answered('busybox pointed at the ECR mirror, where no busybox repository was created', registry, 'missingRepository', [`${ECR}/busybox:latest`], [`utilityImages.busybox.repository=${ECR}/busybox`]),
    answered(`a curl tag mirrored from an arm64 laptop (linux/arm64 only) for amd64 nodes`, registry, 'platformMissing', [`curlimages/curl:${ARM_ONLY_CURL}`], [`utilityImages.curl.tag=${ARM_ONLY_CURL}`]),
    answered("no credential any of the registries accepts: each utility image (kaniko too: ECR builds)", unauthenticated, 'unauthorized', [BUSYBOX, CURL, UBUNTU, KANIKO]),
    answered('gcr.io denies a valid login the kaniko repository (403 DENIED)', proxied.gcrDenied!, 'denied', [KANIKO]),
    answered("Docker Hub's pull limit spent (manifest GET 429 toomanyrequests)", proxied.hubLimit!, 'rateLimited', [CURL]),
    answered('public.ecr.aws answering 503', proxied.ecrPublic503!, 'registryError', [BUSYBOX]),
    answered("registry-1.docker.io's certificate not trusted here (a TLS-intercepting proxy): curl only", untrustedFor('registry-1.docker.io'), 'tlsError', [CURL]),
  ],
});

describe('images/support-images-pullable: what each answer says', () => {
  const about = async (port: RegistryPort, image: string) => {
    const rs = await runCase(supportImagesPullable, { name: 'x', values: VALUES, ports: { registry: port } });
    const f = rs.find((r) => r.object?.name === image);
    if (f?.status !== 'warn') throw new Error(`expected a warning about ${image}`);
    return f;
  };
  it("Docker Hub's limit: the limit and its window in the message, mirroring or a paid account as the fix", async () => {
    const f = await about(proxied.hubLimit!, CURL);
    expect(f.message).toMatch(/^docker\.io is rate-limiting pulls of curlimages\/curl:7\.72\.0 \(utility jobs \(curl\)\): registry-1\.docker\.io is rate-limiting GET requests \(429\) .*\(limit 100 per 21600 s, 0 left, counted against 203\.0\.113\.7\); the nodes pull through the same limits$/);
    expect(f.remediation.summary).toMatch(/^Docker Hub limits pulls per IP \(anonymous\) and per account/);
    expect(f.remediation.commands?.some((c) => c.includes('mirror-plan'))).toBe(true);
  });
  it('values without docker_repo_prefix (framework images cannot be named) still name and probe the utility images', async () => {
    const rs = await runCase(supportImagesPullable, { name: 'x', values: VALUES, set: ['config.values.infra.docker_repo_prefix=null'], ports: { registry } });
    expect(rs.map((r) => [r.status, r.messageId, r.object?.name]).sort()).toEqual([BUSYBOX, CURL, UBUNTU].map((i) => ['pass', 'exists', i]).sort());
    expect(supportImagesPullable.meta.messages).not.toHaveProperty('valuesIncomplete');
  });

  it('gcr.io denied: the Artifact Registry reader role as the fix', async () => {
    const f = await about(proxied.gcrDenied!, KANIKO);
    expect(f.message).toContain(`gcr.io denied access to ${KANIKO}`);
    expect(f.remediation.commands?.[0]).toMatch(/^gcloud artifacts repositories add-iam-policy-binding .* --role=roles\/artifactregistry\.reader$/);
  });
});


describe('images/support-images-pullable without the values', () => {
  it('says the release could not be read (naming the read), not that the values name no image', async () => {
    const kube = new SnapshotKube(await loadSnapshot(fixture('fixtures/clusters/healthy-aws')));
    const { context } = await resolveContext({ kube, namespace: 'model-engine', valuesMissing: new ForbiddenError('list', 'secrets', 'model-engine'), ports: { registry } });
    const [r, ...rest] = await runCheck(supportImagesPullable, context, { timeoutMs: 20_000 });
    expect(rest).toEqual([]);
    expect(r).toMatchObject({ status: 'skip', messageId: 'noImages' });
    expect(r!.message).toMatch(/^No utility and add-on images to check: the helm values could not be read \(forbidden: cannot list secrets in namespace model-engine.*; pass -f values\.yaml\) and the cluster names none$/);
  });
});
