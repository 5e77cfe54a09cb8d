/**
 * Every scan renderer with the `secret` and `config` scanners' findings: present, escaped, redacted,
 * valid against the report and SARIF schemas, and absent when those scanners did not run.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { ScanReport } from '../types.js';
import type { Misconfiguration } from '../../extra-scanners/types.js';
import type { RedactedFinding } from '../../secrets/types.js';
import { renderScanReport, SCAN_FORMATS } from './index.js';
import { HOSTILE_NAME, sampleFolderReport, sampleReport } from './test-support/sample-report.js';

const FP = 'a1b2c3d4e5f60718';

function secrets(): RedactedFinding[] {
  const layer = (index: number) => ({
    index,
    diffId: `sha256:${String(index).repeat(64)}`,
    createdBy: 'COPY . /app',
  });
  return [
    {
      ruleId: 'aws-access-key-id',
      title: 'AWS access key ID',
      severity: 'high',
      secret: { preview: 'AKIA…', length: 20, fingerprint: FP },
      path: '/app/.env',
      line: 1,
      column: 19,
      endLine: 1,
      endColumn: 39,
      layer: layer(1),
      status: 'deleted',
      removedIn: layer(2),
    },
    {
      ruleId: 'generic-token',
      title: `Token ${HOSTILE_NAME}`,
      severity: 'medium',
      secret: { preview: 'ghp_…', length: 40, fingerprint: FP.split('').reverse().join('') },
      path: 'config:Env/GITHUB_TOKEN',
      line: 1,
      column: 14,
      endLine: 1,
      endColumn: 54,
    },
  ];
}

function misconfigurations(): Misconfiguration[] {
  return [
    {
      kind: 'image',
      ruleId: 'image-root-user',
      title: 'Image runs as root',
      severity: 'high',
      message: 'the image sets no User: containers run as root',
      location: { kind: 'config', field: 'User' },
    },
    {
      kind: 'image',
      ruleId: 'image-setuid-file',
      title: 'setuid/setgid binary',
      severity: 'info',
      message: `/usr/bin/${HOSTILE_NAME} is setuid (mode 4755, owner 0:0)`,
      location: { kind: 'file', path: `/usr/bin/${HOSTILE_NAME}` },
    },
    {
      kind: 'dockerfile',
      ruleId: 'final-user-root',
      title: 'Final stage runs as root',
      severity: 'high',
      message: 'the final stage has no USER',
      path: 'build/Dockerfile',
      range: { start: { line: 3, column: 1 }, end: { line: 3, column: 1 } },
      fingerprint: 'f00dfeedf00dfeed',
    },
  ];
}

const withExtras = (): ScanReport => ({
  ...sampleReport(),
  secrets: secrets(),
  misconfigurations: misconfigurations(),
});
const pinned = { timestamp: new Date('2024-07-01T00:00:00Z') };

const load = (name: string): object =>
  JSON.parse(readFileSync(new URL(`../../../schemas/${name}`, import.meta.url), 'utf8')) as object;

describe('scan reports with secrets and misconfigurations', () => {
  it('JSON: additive within v1, validated by the schema, which refuses a secret value', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    ajv.addSchema(load('bulwark-sbom-v1.schema.json'));
    const validate = ajv.compile(load('bulwark-scan-v1.schema.json'));
    const doc = JSON.parse(renderScanReport(withExtras(), 'json')) as {
      schema: string;
      secrets: { path: string; status?: string; removedIn?: { index: number } }[];
      misconfigurations: { kind: string; line?: number; location?: object }[];
    };
    expect(validate(doc)).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
    expect(doc.schema).toBe('bulwark-scan/v1');
    expect(doc.secrets.map((s) => s.path)).toEqual(['/app/.env', 'config:Env/GITHUB_TOKEN']);
    expect(doc.secrets[0]).toMatchObject({ status: 'deleted', removedIn: { index: 2 } });
    expect(doc.misconfigurations.map((m) => m.kind)).toEqual(['image', 'image', 'dockerfile']);
    expect(doc.misconfigurations[2]).toMatchObject({ line: 3, column: 1 });

    const leaky = structuredClone(doc) as { secrets: Record<string, unknown>[] };
    leaky.secrets[0]!['value'] = 'AKIA0000000000000000';
    expect(validate(leaky)).toBe(false);
    // Reports of the vuln scanner alone have neither key.
    const plain = JSON.parse(renderScanReport(sampleReport(), 'json')) as Record<string, unknown>;
    expect('secrets' in plain || 'misconfigurations' in plain).toBe(false);
  });

  it('table: sections after the vulnerabilities, counts in the summary', () => {
    const text = renderScanReport(withExtras(), 'table');
    const vulns = text.indexOf('FIXED IN');
    const secretsAt = text.indexOf('Secrets (2)');
    const configAt = text.indexOf('Misconfigurations (3)');
    expect(vulns).toBeGreaterThan(0);
    expect(secretsAt).toBeGreaterThan(vulns);
    expect(configAt).toBeGreaterThan(secretsAt);
    expect(text).toContain('/app/.env:1:19 [layer 2, deleted in layer 3]');
    expect(text).toContain('AKIA… (20 chars, fp a1b2c3d4e5f60718)');
    expect(text).toMatch(/info\s+image-setuid-file/);
    expect(text).toMatch(/build\/Dockerfile:3:1/);
    expect(text).toMatch(/2 secrets \(1 high, 1 medium\); 3 misconfigurations \(2 high, 1 info\)/);
    expect(renderScanReport(sampleReport(), 'table')).not.toMatch(/Secrets|Misconfigurations/);
  });

  it('SARIF: prefixed rules, regions where known, valid SARIF 2.1.0', () => {
    const require = createRequire(import.meta.url);
    const raw = JSON.parse(
      readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
    ) as Record<string, unknown>;
    const { $schema: _draft, id, ...rest } = raw;
    const ajv = new Ajv.default({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats.default(ajv);
    const validate = ajv.compile({ $id: String(id), ...rest });
    const log = JSON.parse(renderScanReport(withExtras(), 'sarif')) as {
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: {
          ruleId: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } };
          }[];
        }[];
      }[];
    };
    expect(validate(log)).toBe(true);
    const run = log.runs[0]!;
    const ids = run.tool.driver.rules.map((r) => r.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'secret/aws-access-key-id',
        'secret/generic-token',
        'config/image-root-user',
        'config/image-setuid-file',
        'config/final-user-root',
      ]),
    );
    const loc = (ruleId: string) =>
      run.results.find((r) => r.ruleId === ruleId)!.locations[0]!.physicalLocation;
    expect(loc('secret/aws-access-key-id')).toMatchObject({
      artifactLocation: { uri: 'app/.env' },
      region: { startLine: 1 },
    });
    expect(loc('secret/generic-token').region).toBeUndefined();
    expect(loc('config/final-user-root')).toMatchObject({
      artifactLocation: { uri: 'build/Dockerfile' },
      region: { startLine: 3 },
    });
    expect(loc('config/image-setuid-file').artifactLocation.uri).toBe(
      `usr/bin/${HOSTILE_NAME.split('/').map(encodeURIComponent).join('/')}`,
    );
  });

  it('markdown: counts and the top items', () => {
    const md = renderScanReport(withExtras(), 'markdown');
    expect(md).toContain('### Secrets: 2 (1 high, 1 medium)');
    expect(md).toContain('### Misconfigurations: 3 (2 high, 1 info)');
    expect(md).toContain('`aws-access-key-id`');
    // Code spans show their content literally; outside them no raw tag may remain.
    expect(md.replace(/`[^`]*`/g, '')).not.toMatch(/(?<!\\)<script\b/);
    expect(md).toContain('\\<script\\>'); // the setuid message, escaped as text
  });

  it('HTML: extra sections, everything escaped', () => {
    const html = renderScanReport(withExtras(), 'html', pinned);
    expect(html).toContain('<h2 id="secrets-h">Secrets (2)</h2>');
    expect(html).toContain('<h2 id="misconfigurations-h">Misconfigurations (3)</h2>');
    expect(html).toContain('deleted in layer 3');
    expect(html).not.toContain(HOSTILE_NAME);
    expect(renderScanReport(sampleReport(), 'html', pinned)).not.toContain('secrets-h');
  });

  it('CycloneDX leaves secrets and misconfigurations out', () => {
    const bom = renderScanReport(withExtras(), 'cyclonedx-json', pinned);
    expect(bom).not.toMatch(/aws-access-key-id|image-root-user|AKIA…|final-user-root/);
    expect(bom).toBe(renderScanReport(sampleReport(), 'cyclonedx-json', pinned));
  });

  it.each(SCAN_FORMATS.map((f) => [f]))('%s is deterministic', (format) => {
    expect(renderScanReport(withExtras(), format, pinned)).toBe(
      renderScanReport(withExtras(), format, pinned),
    );
  });

  it('a folder report with only the extra scanners says vulnerabilities were not scanned', () => {
    const { database: _db, ...folder } = sampleFolderReport();
    const report: ScanReport = { ...folder, findings: [], secrets: [], misconfigurations: [] };
    expect(renderScanReport(report, 'table')).toContain('Vulnerabilities: not scanned');
    expect(renderScanReport(report, 'table')).toContain('No secrets found.');
    expect(renderScanReport(report, 'markdown')).toContain('were not scanned');
  });
});
