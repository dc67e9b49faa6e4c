import { num, rec, str } from '../src/engine/index.js';
import { defineEndpointCause, eventCount, stuckContainer } from '../src/model-engine/endpoint-view.js';
import { formatAge, oneLine } from '../src/model-engine/format.js';
import { isStarting, runningForMs } from './lib/grace.js';
import { readinessContext } from './lib/readiness.js';
import { forFirstPod, verdict } from './lib/verdict.js';

export default defineEndpointCause({
  meta: {
    code: 'READINESS_FAILING',
    title: 'The containers run but one never becomes ready',
    rank: 120,
    docs: 'docs/endpoint.md#readiness-failing',
    reads: ['pods', 'logs', 'events'],
  },
  match(v) {
    return forFirstPod(
      v,
      (p) => p.state.kind === 'not-ready' && !isStarting(v, p),
      (p) => {
        const cs = stuckContainer(p)!;
        const { unhealthy, log, evidence, next } = readinessContext(v, p, cs);
        const runningFor = runningForMs(v, p);
        const httpGet = rec(p.pod.spec.containers.find((c) => c.name === cs.name)?.readinessProbe, 'httpGet');
        const port = str(httpGet, 'port') ?? num(httpGet, 'port');
        const probeText = httpGet ? `GET :${port ?? ''}${str(httpGet, 'path') ?? '/'}` : 'its readiness probe';
        const forwarder = cs.name !== 'main';
        // A server that says where it listens, on another port than the probe checks, is the whole story.
        const probePort = Number(port);
        const listening = log ? [...log.text.matchAll(/(?:running on|listening on|Listening at:?) https?:\/\/[^\s:]+:(\d+)/gi)].map((m) => Number(m[1])).at(-1) : undefined;
        const portMismatch = listening !== undefined && Number.isFinite(probePort) && listening !== probePort ? listening : undefined;
        const lastProbe = unhealthy[0] ? oneLine(unhealthy[0].message).replace(/^Readiness probe failed:\s*/, '') : undefined;
        return verdict(
          'READINESS_FAILING',
          'pod',
          `Container ${cs.name} of pod ${p.name} has been running ${Number.isFinite(runningFor) ? formatAge(runningFor) : 'a while'} but ${probeText} fails${lastProbe ? `: ${lastProbe}` : ''}${unhealthy[0] ? ` (×${eventCount(unhealthy[0])})` : ''}.${
            portMismatch ? ` Its log says the server listens on port ${portMismatch}, not ${probePort}.` : ''
          }`,
          evidence,
          {
            summary: portMismatch
              ? `Start the model server on port ${probePort} (model-engine routes to and probes :${probePort}): add --port ${probePort} to the endpoint's command and update the endpoint.`
              : forwarder
                ? `The ${cs.name} forwarder is not ready: read its log (it cannot reach the main container on :5005, or its config is wrong).`
                : `The model server in main does not answer its health route: read its log (still loading, listening on another port, or wedged), and fix the server or the endpoint's healthcheck route.`,
            commands: next,
          },
          next,
        );
      },
    );
  },
});
