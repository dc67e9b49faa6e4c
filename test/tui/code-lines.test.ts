import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { hslice, shellWords, wrapCommand } from '../../src/tui/code-lines.js';

describe('shellWords', () => {
  it.each([
    ['kubectl -n model-engine get pods', ['kubectl', '-n', 'model-engine', 'get', 'pods']],
    ["grep -E 'a|b c' file", ['grep', '-E', "'a|b c'", 'file']],
    [`curl -d '{"gpu_type": "x"}' -H "A: b"`, ['curl', '-d', `'{"gpu_type": "x"}'`, '-H', '"A: b"']],
    ['echo a\\ b "q\\"uote d"', ['echo', 'a\\ b', '"q\\"uote d"']],
    ['aws eks x   # for scale-from-zero also tag it', ['aws', 'eks', 'x', '# for scale-from-zero also tag it']],
    ['echo a#b', ['echo', 'a#b']],
  ])('%s', (line, words) => {
    expect(shellWords(line)).toEqual(words);
  });
});

describe('wrapCommand', () => {
  const commands = [
    "aws eks create-nodegroup --cluster-name ml-prod --nodegroup-name gpu-h100 --instance-types p5.48xlarge --labels 'addOrUpdateLabels={k8s.amazonaws.com/accelerator=nvidia-hopper-h100}'   # for scale-from-zero also tag the Auto Scaling group",
    `curl -sS -u "$MODEL_ENGINE_API_KEY:" -X PUT http://model-engine.model-engine.svc.cluster.local/v1/model-endpoints/end_ct4pe5pn2ojg00a4qkh0 -H 'Content-Type: application/json' -d '{"gpu_type":"nvidia-ampere-a10"}'`,
    "kubectl -n model-engine logs deploy/model-engine-cacher --tail=200 | grep -E 'AuthenticationError|WRONGPASS|NOAUTH|invalid username-password'",
  ];

  it.each(commands.flatMap((c) => [30, 50, 75].map((w) => [c, w] as const)))('breaks only between words at %#', (cmd, width) => {
    const lines = wrapCommand(cmd, width);
    // Every line but the last ends in a continuation; only a line holding one word may be wider than the width.
    lines.forEach((l, i) => {
      if (i < lines.length - 1) expect(l.endsWith(' \\')).toBe(true);
      if ([...l].length > width) expect(shellWords(l.replace(/ \\$/, ''))).toHaveLength(1);
    });
    // The words, joined back, are the command's words.
    expect(lines.flatMap((l) => shellWords(l.replace(/ \\$/, '')))).toEqual(shellWords(cmd));
  });

  it('keeps a command that fits, and a multi-line command, as they are', () => {
    expect(wrapCommand('kubectl get pods', 40)).toEqual(['kubectl get pods']);
    expect(wrapCommand("cat <<'EOF'\nline one\nEOF", 5)).toEqual(["cat <<'EOF'", 'line one', 'EOF']);
  });

  it('gives lines a shell runs as the one command (bash -n parses them and echo prints the same words)', () => {
    const cmd = `echo --cluster-name ml-prod --labels 'a=b,c=d' -d '{"gpu_type": "nvidia-ampere-a10"}' --taints key=nvidia.com/gpu,value=true`;
    const wrapped = wrapCommand(cmd, 30).join('\n');
    expect(wrapped.split('\n').length).toBeGreaterThan(2);
    expect(execFileSync('bash', ['-c', wrapped], { encoding: 'utf8' })).toBe(execFileSync('bash', ['-c', cmd], { encoding: 'utf8' }));
  });
});

describe('hslice', () => {
  it.each([
    ['short', 0, 10, 'short'],
    ['short', 5, 10, 'short'],
    ['0123456789abcdef', 0, 10, '012345678…'],
    ['0123456789abcdef', 3, 10, '…456789ab…'],
    ['0123456789abcdef', 6, 10, '…789abcdef'],
    ['0123456789abcdef', 99, 10, '…789abcdef'],
  ])('hslice(%j, %i, %i) = %j', (text, offset, width, expected) => {
    expect(hslice(text, offset, width)).toBe(expected);
    expect([...hslice(text, offset, width)].length).toBeLessThanOrEqual(width);
  });
});
