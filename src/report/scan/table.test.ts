import { describe, expect, it } from 'vitest';
import { renderTable } from './table.js';
import {
  SECRET_VALUES,
  emptyReport,
  sampleFolderReport,
  sampleReport,
} from './test-support/sample-report.js';

const ANSI = /\u001b\[[0-9;]*m/g;

/** The lines of the block for one package, from its header to the next blank line. */
function block(text: string, header: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf('', start);
  return lines.slice(start, end);
}

describe('renderTable', () => {
  it('groups findings by package with id, severity, fix, EPSS and KEV', () => {
    const text = renderTable(sampleReport());
    expect(text.split('\n')[0]).toBe(
      `Target: registry.example.org/shop/web:1.4.2 (sha256:${'e'.repeat(64)})   OS: Debian GNU/Linux 12 (bookworm)   Packages: 9`,
    );
    const lodash = block(text, 'lodash 4.17.15 (npm)');
    expect(lodash).toHaveLength(4);
    expect(lodash[1]!.split(/\s+/).filter(Boolean)).toEqual(['ID', 'SEVERITY', 'FIXED', 'IN', 'EPSS', 'KEV']);
    expect(lodash[2]!.split(/\s+/).filter(Boolean)).toEqual([
      'CVE-2021-23337',
      'high',
      '4.17.21',
      '91.23%',
      'KEV',
    ]);
    expect(lodash[3]!.split(/\s+/).filter(Boolean)).toEqual(['CVE-2020-8203', 'high', '4.17.19', '2.31%']);
    expect(block(text, 'zlib1g')[2]).toContain("won't fix");
    expect(block(text, 'util-linux')[2]).toContain('not fixed');
    // Blocks follow their riskiest finding: lodash (KEV) first.
    expect(text.split('\n')[2]).toBe('lodash 4.17.15 (npm)');
  });

  it('hides suppressed findings unless asked, then marks them with the reason', () => {
    const hidden = renderTable(sampleReport());
    expect(hidden).not.toContain('CVE-2021-44906');
    expect(hidden).not.toContain('minimist');
    expect(hidden).toContain('2 suppressed (--show-suppressed to list)');
    const shown = renderTable(sampleReport(), { showSuppressed: true });
    const minimist = block(shown, 'minimist 1.2.0 (npm)');
    expect(minimist[2]).toContain('CVE-2021-44906');
    expect(minimist[3]).toBe(
      '      suppressed — VEX not_affected: minimist is only used by the build scripts, never at runtime (vex/app.openvex.json#0)',
    );
    expect(block(shown, 'tar ')[3]).toContain(
      'ignored: tar is never run on untrusted archives in this image (.bulwark.yaml#ignore[0])',
    );
  });

  it('shows paths and layers with --locations', () => {
    expect(renderTable(sampleReport())).not.toContain('path:');
    const lodash = block(renderTable(sampleReport(), { locations: true }), 'lodash 4.17.15 (npm)');
    expect(lodash[1]).toBe('  path:  /app/node_modules/lodash/package.json');
    expect(lodash[2]).toBe('  layer: #2 RUN npm ci --omit=dev');
    const libssl = block(renderTable(sampleReport(), { locations: true }), 'libssl3');
    expect(libssl[2]).toBe(
      '  layer: #1 RUN apt-get update && apt-get install -y --no-install-recommends node…',
    );
  });

  it('ends with a summary by severity with fixable counts, and expired suppressions as warnings', () => {
    const lines = renderTable(sampleReport()).trimEnd().split('\n');
    expect(lines.at(-2)).toBe(
      'Summary: 7 vulnerabilities: 2 critical (1 fixable), 3 high (3 fixable), 1 medium (1 fixable), 1 negligible; 5 fixable; 1 known exploited; 2 suppressed (--show-suppressed to list)',
    );
    expect(lines.at(-1)).toBe(
      'Warning: suppression of CVE-2019-1010022 in .bulwark.yaml#ignore[1] expired on 2024-01-01 and no longer applies (reason: disputed by the glibc maintainers)',
    );
  });

  it('colours only when asked, and the coloured text is the plain text plus escape codes', () => {
    const plain = renderTable(sampleReport(), { showSuppressed: true, locations: true });
    expect(plain).not.toMatch(ANSI);
    const colour = renderTable(sampleReport(), { color: true, showSuppressed: true, locations: true });
    expect(colour).toContain('\u001b[1;91mcritical');
    expect(colour.replace(ANSI, '')).toBe(plain);
  });

  it('neutralises control characters in package data', () => {
    const r = sampleReport();
    const evil = { ...r.findings[0]!, package: { ...r.findings[0]!.package, name: 'x\u001b[2Jy\nz' } };
    const text = renderTable({ ...r, findings: [evil] });
    expect(text).toContain('x\\x1b[2Jy\\x0az');
    expect(text).not.toContain('\u001b');
  });

  it('says so when nothing was found, and handles folders', () => {
    expect(renderTable(emptyReport())).toContain('\nNo vulnerabilities found.\n');
    expect(renderTable(emptyReport())).toContain('Summary: 0 vulnerabilities; 0 fixable');
    const folder = renderTable(sampleFolderReport(), { locations: true });
    expect(folder.split('\n')[0]).toBe('Target: ./my-app   OS: unknown   Packages: 1');
    expect(folder).toContain('  path:  /services/api/package-lock.json');
    expect(folder).not.toContain('layer:');
  });

  it('is deterministic and never prints env values', () => {
    const r = sampleReport();
    const a = renderTable(r, { showSuppressed: true, locations: true });
    expect(
      renderTable({ ...r, findings: [...r.findings].reverse() }, { showSuppressed: true, locations: true }),
    ).toBe(a);
    for (const secret of SECRET_VALUES) expect(a).not.toContain(secret);
  });
});

describe('renderTable: packages that were not evaluated', () => {
  it('counts them by cause, lists at most 20, and never says a bare "No vulnerabilities found"', () => {
    const base = emptyReport();
    const pkgs = Array.from({ length: 25 }, (_, i) => ({
      ...base.sbom.packages[0]!,
      id: `p${String(i).padStart(2, '0')}`,
      name: `pkg${String(i).padStart(2, '0')}`,
      version: '1.0',
      type: 'rpm' as const,
    }));
    const notEvaluated = pkgs.map((p, i) =>
      i < 24
        ? {
            package: p,
            reason: 'no-advisory-ecosystem' as const,
            detail: 'no advisory ecosystem for amzn 2023 (Amazon Linux)',
            group: 'no advisory ecosystem for amzn 2023 (Amazon Linux)',
          }
        : {
            package: p,
            reason: 'unparseable-version' as const,
            detail: 'installed version "x" is not a valid rpm version',
            group: 'unparseable installed version',
          },
    );
    const report = {
      ...base,
      notEvaluated,
      coverage: {
        packages: 30,
        evaluated: 5,
        notEvaluated: 25,
        groups: [
          { reason: 'no-advisory-ecosystem' as const, group: notEvaluated[0]!.group, packages: 24 },
          { reason: 'unparseable-version' as const, group: 'unparseable installed version', packages: 1 },
        ],
      },
    };
    const text = renderTable(report);
    expect(text).not.toContain('No vulnerabilities found.');
    expect(text).toContain(
      'No vulnerabilities found in 5 evaluated packages; 25 packages not evaluated (24: no advisory ecosystem for amzn 2023 (Amazon Linux); 1: unparseable installed version).',
    );
    expect(text).toContain('Not evaluated: 25 packages (no vulnerability result for them)');
    expect(text).toMatch(/^\s+24 {2}no advisory ecosystem for amzn 2023 \(Amazon Linux\)$/m);
    expect(text).toContain('pkg19 1.0');
    expect(text).not.toContain('pkg20 1.0');
    expect(text).toContain('… and 5 more (-f json lists every one)');
    // Every package evaluated: the plain sentence, with the count.
    const all = {
      ...base,
      notEvaluated: [],
      coverage: { packages: 9, evaluated: 9, notEvaluated: 0, groups: [] },
    };
    expect(renderTable(all)).toContain('No vulnerabilities found in 9 evaluated packages.');
    expect(renderTable(all)).not.toContain('Not evaluated');
  });
});
