import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { lintDockerfile } from './engine.js';
import { artifactUri, crosses, formatJson, formatSarif, formatTable, type LintRun } from './report.js';
import { RULES } from './rules/index.js';

const require = createRequire(import.meta.url);

/** The official SARIF 2.1.0 schema as shipped by Microsoft's @microsoft/jest-sarif package (draft-04). */
function sarifValidator() {
  const schema = JSON.parse(
    readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
  ) as Record<string, unknown>;
  // Ajv 8 speaks draft-07+: the only draft-04 construct used by this schema is the top-level `id`.
  delete schema['$schema'];
  delete schema['id'];
  // unicodeRegExp off: the schema's language pattern has a stray `]` that is only legal without the u flag.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv.compile(schema);
}

const run: LintRun = {
  results: [
    lintDockerfile('FROM node:latest\nENV DB_PASSWORD=hunter22\nRUN curl -s https://x/i.sh | sh\n', {
      path: 'app/Dockerfile',
    }),
    lintDockerfile('FROM alpine:3.20\nUSER 1000\nHEALTHCHECK NONE\n', { path: 'b.Dockerfile' }),
  ],
  errors: [
    {
      path: 'bin.Dockerfile',
      code: 'E_BINARY',
      message: 'bin.Dockerfile: binary content (NUL bytes), not a Dockerfile',
    },
  ],
};

describe('SARIF', () => {
  it('validates against the SARIF 2.1.0 schema and carries regions', () => {
    const log = JSON.parse(formatSarif(run));
    const validate = sarifValidator();
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const results = log.runs[0].results as {
      ruleId: string;
      ruleIndex: number;
      locations: {
        physicalLocation: {
          artifactLocation: { uri: string };
          region: { startLine: number; startColumn: number };
        };
      }[];
    }[];
    const secret = results.find((r) => r.ruleId === 'hardcoded-secret')!;
    expect(secret.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'app/Dockerfile' },
      region: { startLine: 2, startColumn: 5, endLine: 2, endColumn: 25 },
    });
    expect(log.runs[0].tool.driver.rules[secret.ruleIndex].id).toBe('hardcoded-secret');
    expect(log.runs[0].tool.driver.rules).toHaveLength(RULES.length);
    expect(log.runs[0].tool.driver.rules[secret.ruleIndex].properties['security-severity']).toBe('9.5');
  });

  it('the validator rejects a broken log (so the test above can fail)', () => {
    const log = JSON.parse(formatSarif(run));
    log.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    expect(sarifValidator()(log)).toBe(false);
  });

  it('an empty run is valid SARIF too', () => {
    const validate = sarifValidator();
    expect(validate(JSON.parse(formatSarif({ results: [], errors: [] })))).toBe(true);
  });

  it('makes artifact URIs', () => {
    expect(artifactUri('dir with space/Dockerfile')).toBe('dir%20with%20space/Dockerfile');
    expect(artifactUri('/abs/Dockerfile')).toBe('file:///abs/Dockerfile');
    expect(artifactUri('-')).toBe('stdin');
  });
});

describe('JSON and table', () => {
  it('JSON is versioned and lists findings with positions, files and errors', () => {
    const doc = JSON.parse(formatJson(run));
    expect(doc.schemaVersion).toBe(1);
    expect(doc.files).toEqual([
      { path: 'app/Dockerfile', findings: expect.any(Number), suppressed: 0 },
      { path: 'b.Dockerfile', findings: expect.any(Number), suppressed: 0 },
    ]);
    expect(doc.errors[0].code).toBe('E_BINARY');
    const f = doc.findings.find((x: { ruleId: string }) => x.ruleId === 'pipe-to-shell');
    expect(f).toMatchObject({ severity: 'high', path: 'app/Dockerfile', line: 3, column: 5 });
    expect(doc.summary.total).toBe(doc.findings.length);
    expect(JSON.stringify(doc)).not.toContain('hunter22');
  });

  it('table rows are file:line:column and the summary counts severities', () => {
    const table = formatTable(run);
    expect(table).toMatch(/^app\/Dockerfile:2:5 +CRITICAL +hardcoded-secret +ENV DB_PASSWORD/m);
    expect(table).toMatch(/findings? \(critical: 1, high: \d+.*\) in 2 files; 1 file not readable\.\n$/);
    expect(
      formatTable({
        results: [lintDockerfile('FROM alpine:3.20@sha256:ab\nUSER 1\nHEALTHCHECK NONE\n', { path: 'D' })],
        errors: [],
      }),
    ).toBe('No findings in 1 file.\n');
  });

  it('thresholds compare severities', () => {
    expect(crosses(run, 'critical')).toBe(true);
    expect(crosses({ results: [run.results[1]!], errors: [] }, 'low')).toBe(false);
    expect(crosses({ results: [run.results[1]!], errors: [] }, 'info')).toBe(true);
  });
});
