/** The outputs of `bulwark ci` from a hand-made report: escaping of annotations and Markdown, SARIF validity. */
import { describe, expect, it } from 'vitest';
import { fingerprintOf, normaliseInstruction, numberRepeats } from './fingerprint.js';
import { escapeData, escapeProperty, githubAnnotations, renderCiMarkdown, renderCiSarif } from './render.js';
import { sarifValidator } from './test-support/sarif-schema.js';
import type { CiFinding, CiReport } from './types.js';

const finding = (over: Partial<CiFinding>): CiFinding => ({
  check: 'lint',
  kind: 'misconfiguration',
  ruleId: 'final-user-root',
  title: 'Container runs as root',
  severity: 'high',
  message: 'm',
  path: 'Dockerfile',
  line: 1,
  fingerprint: fingerprintOf('lint', 'x'),
  status: 'new',
  ...over,
});

const report = (findings: CiFinding[]): CiReport => ({
  schema: 'bulwark-ci/v1',
  tool: { name: 'bulwark', version: '0.1.0' },
  ci: { provider: 'github' },
  baseline: { source: 'main.json', findings: 1 },
  failOn: 'high',
  checks: [
    {
      name: 'lint',
      tool: 'bulwark-lint',
      status: 'failed',
      scope: '1 Dockerfile',
      findings: findings.length,
      newFindings: 1,
      ms: 1,
    },
    {
      name: 'image',
      tool: 'bulwark-image',
      status: 'skipped',
      scope: 'no image',
      detail: 'no image given',
      findings: 0,
      newFindings: 0,
      ms: 0,
    },
  ],
  findings,
  result: 'failed',
});

/** The runner's side: parse `::cmd k=v,k=v::data` and undo the escapes. */
function parseCommand(line: string): { command: string; props: Record<string, string>; data: string } {
  const m = /^::([a-z]+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const unescape = (s: string) =>
    s
      .replace(/%0D/g, '\r')
      .replace(/%0A/g, '\n')
      .replace(/%3A/g, ':')
      .replace(/%2C/g, ',')
      .replace(/%25/g, '%');
  const props: Record<string, string> = {};
  for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
    const i = kv.indexOf('=');
    props[kv.slice(0, i)] = unescape(kv.slice(i + 1));
  }
  return { command: m[1]!, props, data: unescape(m[3]!) };
}

describe('GitHub annotations', () => {
  it('escape data and properties so the runner reads back exactly the text', () => {
    expect(escapeData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
    const f = finding({
      path: 'odd,dir/a:b/Dockerfile',
      message: 'line one\nline two: 100%, done',
      line: 3,
      endLine: 4,
    });
    const lines = githubAnnotations(report([f, finding({ status: 'existing' })]))
      .trimEnd()
      .split('\n');
    expect(lines).toHaveLength(1);
    expect(parseCommand(lines[0]!)).toEqual({
      command: 'error',
      props: {
        file: 'odd,dir/a:b/Dockerfile',
        line: '3',
        endLine: '4',
        title: 'lint: final-user-root (high)',
      },
      data: 'line one\nline two: 100%, done',
    });
  });

  it('below the threshold is a warning; image findings carry no file', () => {
    const lines = githubAnnotations(
      report([
        finding({ severity: 'low' }),
        finding({ check: 'image', image: 'archive://a.tar', path: 'etc/shadow', line: undefined }),
      ]),
    )
      .trimEnd()
      .split('\n')
      .map(parseCommand);
    expect(lines.map((l) => l.command)).toEqual(['warning', 'error']);
    expect(lines[1]!.props.file).toBeUndefined();
    expect(lines[1]!.data).toBe('m [archive://a.tar etc/shadow]');
  });
});

describe('Markdown', () => {
  it('escapes table cells (pipes, line breaks, HTML) and lists pre-existing findings apart', () => {
    const md = renderCiMarkdown(
      report([
        finding({ message: 'a | b\n<script>x</script>' }),
        finding({ status: 'existing', ruleId: 'old-rule' }),
      ]),
    );
    expect(md).toContain(
      '| high | lint | `final-user-root` | Dockerfile:1 | a \\| b &lt;script&gt;x&lt;/script&gt; |',
    );
    expect(md).not.toContain('<script>');
    expect(md).toMatch(/<details>\n<summary>Pre-existing findings \(1,/);
    expect(md.startsWith('<!-- bulwark-ci -->\n')).toBe(true);
  });
});

describe('size limits', () => {
  it('Markdown stays under the 65,536-character comment limit; annotations stop at 50 with a notice', () => {
    const many = Array.from({ length: 5000 }, (_, i) =>
      finding({
        message: `finding ${i} ${'x'.repeat(300)}`,
        fingerprint: fingerprintOf('lint', String(i)),
        line: i + 1,
      }),
    );
    const md = renderCiMarkdown(
      report([...many, ...many.map((f) => ({ ...f, status: 'existing' as const }))]),
    );
    expect(md.length).toBeLessThan(65536);
    expect(md).toContain('… and 4900 more (see the SARIF or JSON report).');
    const lines = githubAnnotations(report(many)).trimEnd().split('\n');
    expect(lines).toHaveLength(51);
    expect(lines[50]).toBe('::notice::4950 more new findings: see the job summary');
  });
});

describe('SARIF', () => {
  it('is valid 2.1.0 with one run per check that ran and baseline states', () => {
    const log = JSON.parse(
      renderCiSarif(
        report([
          finding({ column: 1, endLine: 1, endColumn: 1 }),
          finding({ status: 'existing', ruleId: 'other', fingerprint: fingerprintOf('lint', 'y') }),
        ]),
      ),
    ) as {
      runs: {
        tool: { driver: { name: string } };
        results: { baselineState: string; partialFingerprints: object }[];
      }[];
    };
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.runs.map((r) => r.tool.driver.name)).toEqual(['bulwark-lint']);
    expect(log.runs[0]!.results.map((r) => r.baselineState).sort()).toEqual(['new', 'unchanged']);
  });
});

describe('fingerprints', () => {
  it('normalise instruction whitespace and continuations; number repeats', () => {
    expect(normaliseInstruction('RUN  apt-get \\\n    install   x')).toBe('RUN apt-get install x');
    expect(
      numberRepeats([{ fingerprint: 'a' }, { fingerprint: 'b' }, { fingerprint: 'a' }]).map(
        (x) => x.fingerprint,
      ),
    ).toEqual(['a', 'b', 'a:2']);
    expect(fingerprintOf('secret', 'r', 'p', 'f')).toMatch(/^[0-9a-f]{32}$/);
    expect(fingerprintOf('secret', 'r', 'p', 'f')).not.toBe(fingerprintOf('secret', 'r', 'p2', 'f'));
  });
});
