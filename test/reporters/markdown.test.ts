import { describe, expect, it } from '@jest/globals';
import { code, escapeCell, escapeMarkdown, renderMarkdown } from '../../src/reporters/markdown.js';
import { cloneReport, fixtureReport } from './fixture-report.js';

/** Cells of a GFM table row: split on pipes that are not backslash-escaped. */
const cells = (row: string) => row.replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/);

describe('renderMarkdown', () => {
  it('matches the snapshot', () => {
    expect(renderMarkdown(fixtureReport)).toMatchSnapshot();
  });

  it('has a header table, a summary row per result and a section per fail/warn/error', () => {
    const out = renderMarkdown(fixtureReport);
    expect(out.startsWith('# model-engine-doctor: triage\n')).toBe(true);
    expect(out).toContain('| Cloud | aws (from config.values.infra.cloud_provider) |');
    const summary = out.slice(out.indexOf('## Summary'), out.indexOf('## Findings'));
    const rows = summary.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Status'));
    expect(rows).toHaveLength(fixtureReport.results.length);
    const sections = out.split('\n').filter((l) => l.startsWith('### '));
    const { fail, warn, error } = fixtureReport.counts;
    expect(sections).toHaveLength(fail + warn + error);
    expect(sections[0]).toBe('### ✖ FAIL `nodes/lifecycle-label`');
    expect(sections).toContain('### ▲ WARN `endpoints/keda-trigger-auth` on `ScaledObject llm-engine/launch-endpoint-id-end-cq3kd0s2rxy5g2r0lsh0`');
    expect(out).not.toContain('### ✔ PASS');
    expect(out).not.toContain('### ○ SKIP');
  });

  it('escapes pipes so every table row keeps its five cells', () => {
    const out = renderMarkdown(fixtureReport);
    const row = out.split('\n').find((l) => l.includes('`broker/type`'))!;
    expect(row).toContain('(sqs\\|servicebus\\|redis)');
    for (const line of out.split('\n').filter((l) => l.startsWith('| ') && l.includes('`'))) {
      if (line.startsWith('| Command')) continue;
      expect(cells(line)).toHaveLength(5);
    }
  });

  it('escapes a pipe inside a code span in a table cell too', () => {
    const report = cloneReport();
    report.results[0]!.object = { kind: 'ConfigMap', namespace: 'model-engine', name: 'a|b' };
    const row = renderMarkdown(report).split('\n').find((l) => l.includes('`nodes/lifecycle-label`'))!;
    expect(row).toContain('`ConfigMap model-engine/a\\|b`');
    expect(cells(row)).toHaveLength(5);
  });

  it('puts commands in sh blocks and values in yaml blocks', () => {
    const out = renderMarkdown(fixtureReport);
    const findings = fixtureReport.results.filter((r) => r.status !== 'pass' && r.status !== 'skip');
    const withCommands = findings.filter((r) => r.remediation?.commands?.length).length;
    const withValues = findings.filter((r) => r.remediation?.values).length;
    expect(out.match(/^```sh$/gm)).toHaveLength(withCommands);
    expect(out.match(/^```yaml$/gm)).toHaveLength(withValues);
    expect(out).toContain('```sh\nkubectl label nodes -l eks.amazonaws.com/nodegroup=general node-lifecycle=normal\n```');
    expect(out).toContain('```yaml\nceleryBrokerType: sqs\n```');
  });

  it('renders every evidence type as a bullet', () => {
    const out = renderMarkdown(fixtureReport);
    expect(out).toContain('- **values** `config.values.launch.cache_redis_aws_url` = `"rediss://:REDACTED@');
    expect(out).toContain('- **values** `serviceTemplate.serviceAccountAnnotations` is missing');
    expect(out).toContain('- **field** `metadata.annotations["eks.amazonaws.com/role-arn"]` of `ServiceAccount llm-engine/model-engine` is not set');
    expect(out).toContain('- **event** `FailedScheduling` on `Pod model-engine/model-engine-6d5f8c7b9d-x2x7q`: 0/6 nodes');
    expect(out).toContain('- **log** `model-engine/model-engine-6d5f8c7b9d-q8w4m/model-engine` line 211: `ERROR:    Exception in ASGI application`');
    expect(out).toContain('- **probe** `https://public.ecr.aws/v2/`: no response');
    expect(out).toContain('- **object** `TriggerAuthentication llm-engine/keda-trigger-auth-redis`: not found');
    expect(out).toContain("- **note** values_sample.yaml's comment");
    expect(out).not.toContain('\u001b');
  });

  it.each([
    ['a|b', 'a\\|b'],
    ['*bold* and <b>', '\\*bold\\* and \\<b\\>'],
    ['cloud_provider _emph_', 'cloud_provider \\_emph\\_'],
    ['# not a heading', '\\# not a heading'],
    ['line\nbreak', 'line break'],
  ])('escapeMarkdown(%j) = %j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it('makes code spans that survive backticks and table cells that survive pipes and newlines', () => {
    expect(code('a`b')).toBe('``a`b``');
    expect(code('`x`')).toBe('`` `x` ``');
    expect(escapeCell('`a|b`\nc')).toBe('`a\\|b` c');
    expect(escapeCell('already \\| escaped')).toBe('already \\| escaped');
  });
});
