import { describe, expect, it } from '@jest/globals';
import { fitLine, fitWithTail, hardWrap, plainText, seg, truncate, windowAround, wrap } from '../../src/tui/layout.js';

describe('layout helpers', () => {
  it.each([
    ['fits', 'redis/auth', 20, 'redis/auth'],
    ['exactly fits', 'redis/auth', 10, 'redis/auth'],
    ['one over', 'redis/auths', 10, 'redis/aut…'],
    ['glyphs count one column each', '✖ FAIL ▲ WARN ✔ PASS', 9, '✖ FAIL ▲…'],
  ])('truncate: %s', (_name, text, width, expected) => {
    expect(truncate(text, width)).toBe(expected);
  });

  it('fitLine cuts across segments and keeps the styles of what is left', () => {
    const line = fitLine([seg('✖ FAIL ', { color: 'red', bold: true }), seg('images/mirrored', { bold: true }), seg('  Image cannot be pulled')], 20);
    expect(plainText(line)).toBe('✖ FAIL images/mirro…');
    expect(line).toHaveLength(2);
    expect(line[0]).toEqual({ text: '✖ FAIL ', color: 'red', bold: true });
  });

  it('fitWithTail keeps the tail (a duration) whole', () => {
    expect(plainText(fitWithTail([seg('redis/auth  waiting for redis 10.0.0.4:6380…')], [seg('  1.2s')], 30))).toBe('redis/auth  waiting for…  1.2s');
  });

  it.each([
    ['words', 'Mirror the image into ECR and point image.gatewayRepository at it', 20, 20, ['Mirror the image', 'into ECR and point', 'image.gatewayReposit', 'ory at it']],
    ['a narrower first line', 'fix: set nodeSelector to null', 8, 30, ['fix: set', 'nodeSelector to null']],
    ['a long word is broken, never cut', 'public.ecr.aws/b2z8n5q1/model-engine', 10, 10, ['public.ecr', '.aws/b2z8n', '5q1/model-', 'engine']],
    ['empty', '', 10, 10, ['']],
  ])('wrap: %s', (_name, text, first, rest, expected) => {
    expect(wrap(text, first, rest)).toEqual(expected);
    expect(wrap(text, first, rest).join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
  });

  it('hardWrap keeps every character, spaces included', () => {
    expect(hardWrap("kubectl -n llm-engine  get pods", 10)).toEqual(['kubectl -n', ' llm-engin', 'e  get pod', 's']);
  });

  it.each([
    // total, height, focus → start
    [10, 20, 9, 0],
    [40, 10, 0, 0],
    [40, 10, 5, 2],
    [40, 10, 39, 30],
    [40, 10, 20, 17],
  ])('windowAround(total %i, height %i, focus %i) starts at %i', (total, height, focus, start) => {
    const w = windowAround(total, height, focus);
    expect(w.start).toBe(start);
    expect(focus).toBeGreaterThanOrEqual(w.start);
    expect(focus).toBeLessThan(w.end);
  });
});
