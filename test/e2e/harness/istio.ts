/**
 * A simulated Istio sidecar injector: istiod's `/inject` mutating webhook, served over HTTPS on loopback with a
 * certificate of the cluster CA, and registered as istiod registers it (namespaces labelled `istio-injection=enabled`,
 * pods not annotated or labelled `sidecar.istio.io/inject: "false"`). The real API server calls it when the real
 * ReplicaSet controller creates a pod, and it adds what istiod adds: the `istio-proxy` container first (so that with
 * `holdApplicationUntilProxyStarts` it starts before the app), its readiness probe on :15021, the status annotation.
 * No istiod runs: a proxy injected here never gets configuration, as when istiod is unreachable. Tests that use it
 * say "simulated Istio injector" in their names.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { apply, cluster, kubectl } from './cluster.js';
import { servingCert } from './pki.js';

export const PROXY_IMAGE = 'docker.io/istio/proxyv2:1.24.2';
const WEBHOOK = 'e2e-istio-sidecar-injector';

interface AdmissionReview {
  request: { uid: string; object: { metadata: { annotations?: Record<string, string>; labels?: Record<string, string> } } };
}

/** The patch istiod returns, reduced to what a kubelet and the doctor read. */
function injection(review: AdmissionReview): object {
  const meta = review.request.object.metadata;
  if (meta.annotations?.['sidecar.istio.io/inject'] === 'false' || meta.labels?.['sidecar.istio.io/inject'] === 'false') return { uid: review.request.uid, allowed: true };
  const proxy = {
    name: 'istio-proxy',
    image: PROXY_IMAGE,
    args: ['proxy', 'sidecar', '--domain', '$(POD_NAMESPACE).svc.cluster.local', '--proxyLogLevel=warning', '--log_output_level=default:info'],
    ports: [{ name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' }],
    readinessProbe: { httpGet: { path: '/healthz/ready', port: 15021 }, periodSeconds: 15, timeoutSeconds: 3, failureThreshold: 4 },
    lifecycle: { postStart: { exec: { command: ['pilot-agent', 'wait'] } } },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2', memory: '1Gi' } },
  };
  const patch = [
    { op: 'add', path: '/spec/containers/0', value: proxy },
    ...(meta.annotations ? [] : [{ op: 'add', path: '/metadata/annotations', value: {} }]),
    { op: 'add', path: '/metadata/annotations/sidecar.istio.io~1status', value: JSON.stringify({ containers: ['istio-proxy'], revision: 'default' }) },
  ];
  return { uid: review.request.uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') };
}

export interface SidecarInjector {
  stop(): Promise<void>;
}

/** Serve the injector and register it for namespaces labelled `istio-injection=enabled`. */
export async function startSidecarInjector(): Promise<SidecarInjector> {
  const pki = cluster().pki;
  const tls = servingCert({ dir: pki }, 'istiod.istio-system.svc');
  const server: Server = createServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const review = JSON.parse(body) as AdmissionReview;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: injection(review) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await apply({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: WEBHOOK, labels: { app: 'sidecar-injector', 'istio.io/rev': 'default' } },
    webhooks: [
      {
        name: 'namespace.sidecar-injector.istio.io',
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        failurePolicy: 'Fail',
        reinvocationPolicy: 'Never',
        timeoutSeconds: 10,
        clientConfig: { url: `https://127.0.0.1:${port}/inject`, caBundle: readFileSync(cluster().caCert).toString('base64') },
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
        namespaceSelector: { matchLabels: { 'istio-injection': 'enabled' } },
        objectSelector: { matchExpressions: [{ key: 'sidecar.istio.io/inject', operator: 'NotIn', values: ['false'] }] },
      },
    ],
  });
  return {
    async stop() {
      await kubectl(['delete', 'mutatingwebhookconfiguration', WEBHOOK, '--ignore-not-found']);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
