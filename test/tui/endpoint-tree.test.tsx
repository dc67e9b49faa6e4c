import { afterEach, describe, expect, it } from '@jest/globals';
import { cleanup, render } from 'ink-testing-library';
import { chainLines, diagnosisLines, DiagnosisView, isDiagnosis } from '../../src/tui/EndpointTree.js';
import { plainText } from '../../src/tui/layout.js';
import { DEPLOY, healthy, IMAGE, imagePull, NS, POD } from './fixture-diagnosis.js';
import { ANSI, frame, settle } from './helpers.js';

afterEach(() => cleanup());

describe('the causal chain', () => {
  it('draws a tree with ├─/└─ connectors and a glyph + word per node', () => {
    const text = chainLines(imagePull.chain, 160).map(plainText);
    expect(text).toEqual([
      `✖ FAIL Deployment ${NS}/${DEPLOY}  0/1 available`,
      `└─ ▲ WARN ReplicaSet ${NS}/${DEPLOY}-7d9f8b6c5  0/1 ready`,
      `   └─ ✖ FAIL Pod ${NS}/${POD}  Pending for 14m`,
      `      ├─ ✖ FAIL Container main  waiting: ImagePullBackOff`,
      `      │  └─ ✖ FAIL Event Failed  Failed ×14: Failed to pull image "${IMAGE}": not found`,
      `      ├─ ✔ OK Container http-forwarder  running`,
      `      └─ ○ INFO Node ip-10-0-12-34.us-west-2.compute.internal  g5.2xlarge, 1 nvidia.com/gpu allocatable`,
    ]);
  });

  it('continues a long summary inside its branch at 80 columns', () => {
    const text = chainLines(imagePull.chain, 80).map(plainText);
    expect(Math.max(...text.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    // A pod name too long for the line wraps inside its branch; its state stays on the first line.
    const pod = text.findIndex((l) => l.startsWith('   └─ ✖ FAIL Pod llm-engine/'));
    expect(text[pod + 1]).toMatch(/^ {6}│ {2}\S/);
    const event = text.findIndex((l) => l.includes('└─ ✖ FAIL Event Failed'));
    // The event's summary wraps under the event, still inside the Container's branch ("│").
    expect(text[event + 1]).toMatch(/^ {6}│ {8}\S/); // hanging indent under the event
    expect(text.slice(event, event + 4).join(' ')).toContain('not found');
  });

  it('puts the cause (first, so nothing cuts it), summary and fix above the chain, then evidence and next commands', () => {
    const text = diagnosisLines(imagePull, 100).map(plainText);
    expect(text[0]).toBe('✖ IMAGE_PULL  endpoint llm-engine/llama-3-8b-instruct (end_cq3kd0s2rxy5g2r0lsh0)');
    expect(text[1]).toContain("The endpoint's pods cannot pull");
    expect(text).toContain('fix: Push the image tag, or update the endpoint to a tag that exists');
    expect(text.some((l) => l.startsWith('     $ aws ecr describe-images --repository-name llm-engine/vllm'))).toBe(true);
    const order = ['fix: ', 'Causal chain', 'Evidence', 'Look further'].map((h) => text.findIndex((l) => l.startsWith(h)));
    expect(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!))).toBe(true);
    expect(text).toContain(`  $ kubectl -n ${NS} describe pod ${POD}`);
  });

  it('marks a healthy endpoint with a pass glyph and no fix line', () => {
    const text = diagnosisLines(healthy, 100).map(plainText);
    expect(text[0]).toMatch(/^✔ HEALTHY {2}endpoint /);
    expect(text.some((l) => l.startsWith('fix:'))).toBe(false);
  });

  it('recognises a diagnosis among report extensions', () => {
    expect(isDiagnosis(imagePull)).toBe(true);
    expect(isDiagnosis({ cause: 'IMAGE_PULL' })).toBe(false);
    expect(isDiagnosis(undefined)).toBe(false);
  });
});

describe('DiagnosisView', () => {
  it('re-renders a new diagnosis in place from props (endpoint --watch)', async () => {
    const r = render(<DiagnosisView diagnosis={imagePull} color={false} width={100} note="checked 10:04:12 · every 5s" />);
    await settle(r);
    expect(frame(r)).toContain('✖ IMAGE_PULL  endpoint');
    expect(frame(r)).toContain('checked 10:04:12');
    r.rerender(<DiagnosisView diagnosis={healthy} color={false} width={100} note="checked 10:04:17 · every 5s" />);
    await settle(r);
    expect(frame(r)).toContain('✔ HEALTHY  endpoint');
    expect(frame(r)).not.toContain('IMAGE_PULL');
    expect(frame(r)).toContain('checked 10:04:17');
    expect(r.frames.join('')).not.toMatch(ANSI);
  });

  it('cuts itself to maxLines and says how much is hidden', async () => {
    const r = render(<DiagnosisView diagnosis={imagePull} color={false} width={100} maxLines={6} />);
    await settle(r);
    const ls = frame(r).split('\n');
    expect(ls).toHaveLength(6);
    expect(ls[5]).toMatch(/… \d+ more lines/);
  });
});

describe('commands in the diagnosis', () => {
  it('break only between shell words, never inside one (endpoint --watch shows them so)', () => {
    const text = diagnosisLines(imagePull, 60).map(plainText);
    const start = text.findIndex((l) => l.startsWith('     $ aws ecr describe-images'));
    expect(text[start]).toMatch(/ \\$/);
    const parts: string[] = [];
    for (let i = start; ; i++) {
      parts.push(text[i]!.replace(/^ +(\$ )?/, '').replace(/ \\$/, ''));
      if (!text[i]!.endsWith(' \\')) break;
    }
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.join(' ')).toBe(imagePull.remediation.commands![0]);
    expect(Math.max(...text.map((l) => [...l].length))).toBeLessThanOrEqual(60);
  });
});
