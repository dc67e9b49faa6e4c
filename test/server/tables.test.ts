import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { buildKubeconfig, defaultPod, forbiddenMessage, mergePatch } from '../../src/sources/server/api-server.js';
import { humanDuration, jsonPathValues, podStatus, toTable } from '../../src/sources/server/tables.js';
import { makeSelfSignedTls } from '../../src/sources/server/tls.js';
import { X509Certificate } from 'node:crypto';
import { lookupResource } from '../../src/sources/kube/resources.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanDuration (kubectl AGE)', () => {
  it.each([
    [-5 * S, '<invalid>'],
    [-1 * S, '0s'],
    [59 * S, '59s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [3 * M + 19 * S, '3m19s'],
    [24 * M + 58 * S, '24m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [7 * H + 59 * M, '7h59m'],
    [26 * H + 29 * M, '26h'],
    [2 * D, '2d'],
    [2 * D + 5 * H, '2d5h'],
    [13 * D + 1 * H, '13d'],
    [800 * D, '2y70d'],
    [9 * 365 * D, '9y'],
  ])('%d ms → %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('podStatus (kubectl STATUS/READY/RESTARTS)', () => {
  const now = new Date('2024-05-14T10:30:00Z');
  it.each([
    [
      'init container waiting',
      { spec: { containers: [{}], initContainers: [{}, {}] }, status: { phase: 'Pending', initContainerStatuses: [{ state: { terminated: { exitCode: 0 } } }, { state: { waiting: { reason: 'ImagePullBackOff' } } }] } },
      { ready: '0/1', status: 'Init:ImagePullBackOff', restarts: '0' },
    ],
    [
      'init container running',
      { spec: { containers: [{}], initContainers: [{}, {}] }, status: { phase: 'Pending', initContainerStatuses: [{ state: { terminated: { exitCode: 0 } } }, { state: { running: {} } }] } },
      { ready: '0/1', status: 'Init:1/2', restarts: '0' },
    ],
    [
      'OOMKilled with restarts',
      {
        spec: { containers: [{}] },
        status: { phase: 'Running', containerStatuses: [{ restartCount: 3, state: { terminated: { reason: 'OOMKilled', exitCode: 137 } }, lastState: { terminated: { finishedAt: '2024-05-14T10:00:00Z' } } }] },
      },
      { ready: '0/1', status: 'OOMKilled', restarts: '3 (30m ago)' },
    ],
    ['evicted', { spec: { containers: [{}] }, status: { phase: 'Failed', reason: 'Evicted' } }, { ready: '0/1', status: 'Evicted', restarts: '0' }],
    [
      'terminating',
      { metadata: { deletionTimestamp: '2024-05-14T10:29:00Z' }, spec: { containers: [{}] }, status: { phase: 'Running', containerStatuses: [{ ready: true, state: { running: {} } }] } },
      { ready: '1/1', status: 'Terminating', restarts: '0' },
    ],
  ])('%s', (_name, pod, expected) => {
    expect(podStatus(pod, now)).toEqual(expected);
  });
});

describe('jsonPathValues (CRD printer columns)', () => {
  const so = {
    spec: { triggers: [{ type: 'redis' }, { type: 'prometheus', authenticationRef: { name: 'a' } }] },
    status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Active', status: 'False' }] },
  };
  it.each([
    ['.spec.triggers[*].type', ['redis', 'prometheus']],
    ['.spec.triggers[1].authenticationRef.name', ['a']],
    ['.status.conditions[?(@.type=="Active")].status', ['False']],
    ["{.spec['triggers'][0].type}", ['redis']],
    ['.spec.missing', []],
  ])('%s', (path, values) => {
    expect(jsonPathValues(so, path)).toEqual(values);
  });

  it('builds a Name/Age table for kinds without a printer', () => {
    const t = toTable('example.com', 'Widget', [{ metadata: { name: 'w', creationTimestamp: '2024-05-14T10:00:00Z' } }], { now: new Date('2024-05-14T10:30:00Z'), includeObject: 'None' });
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Age']);
    expect(t.rows).toEqual([{ cells: ['w', '30m'] }]);
  });
});

describe('write helpers', () => {
  it('merge-patches like RFC 7386', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1] }, { b: { c: null, x: 1 }, e: [2], f: 'new' })).toEqual({ a: 1, b: { d: 3, x: 1 }, e: [2], f: 'new' });
  });

  it('defaults a new pod like the API server and its admission plugins', () => {
    const pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'r/x:1.2', resources: { limits: { cpu: '1', memory: '1Gi' } } }] } };
    defaultPod(pod);
    expect(pod).toMatchObject({
      spec: {
        restartPolicy: 'Always',
        dnsPolicy: 'ClusterFirst',
        schedulerName: 'default-scheduler',
        serviceAccountName: 'default',
        terminationGracePeriodSeconds: 30,
        containers: [{ imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log' }, { imagePullPolicy: 'IfNotPresent' }],
        tolerations: [{ key: 'node.kubernetes.io/not-ready', tolerationSeconds: 300 }, { key: 'node.kubernetes.io/unreachable' }],
      },
      status: { phase: 'Pending', qosClass: 'Burstable' },
    });
  });

  it('words Forbidden as the real server does', () => {
    expect(forbiddenMessage('u', 'list', lookupResource('scaledobjects.keda.sh')!, 'llm-engine')).toBe(
      'scaledobjects.keda.sh is forbidden: User "u" cannot list resource "scaledobjects" in API group "keda.sh" in the namespace "llm-engine"',
    );
    expect(forbiddenMessage('u', 'get', lookupResource('nodes')!, undefined, 'n1')).toBe(
      'nodes "n1" is forbidden: User "u" cannot get resource "nodes" in API group "" at the cluster scope',
    );
  });
});

describe('buildKubeconfig and TLS material', () => {
  it('writes one cluster/user/context, skipping TLS verification only for plain HTTP', () => {
    const http = parse(buildKubeconfig({ server: 'http://127.0.0.1:8001' }));
    expect(http).toMatchObject({
      kind: 'Config',
      'current-context': 'snapshot',
      clusters: [{ name: 'snapshot', cluster: { server: 'http://127.0.0.1:8001', 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'snapshot', user: {} }],
      contexts: [{ name: 'snapshot', context: { cluster: 'snapshot', user: 'snapshot' } }],
    });
    const tls = makeSelfSignedTls(['127.0.0.1', '::1', 'localhost', 'snapshot.local']);
    const https = parse(buildKubeconfig({ server: 'https://[::1]:6443', caPem: tls.caPem, token: 't', context: 'lab' }));
    expect(https.clusters[0].cluster['insecure-skip-tls-verify']).toBeUndefined();
    expect(https.users[0]).toEqual({ name: 'lab', user: { token: 't' } });
    const ca = new X509Certificate(tls.caPem);
    const cert = new X509Certificate(tls.certPem);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.subjectAltName).toBe('IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost, DNS:snapshot.local');
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 29 * D);
  });
});
