/**
 * The policy engine as a library: settings, the health formula, licence expressions, and exceptions from
 * the register, on a real scan (an image built here with a glibc in the KEV catalog, the shared Debian
 * and KEV data).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importInputs } from '../../db/import.js';
import { scanTarget } from '../../engine/scan.js';
import type { PolicyResult } from '../../report/policy-types.js';
import type { ScanReport } from '../../report/types.js';
import { tempDir } from '../../source/test-support/build.js';
import { SHARED_DIR } from '../../test-support/images.js';
import { prerequisite } from '../../test-support/require.js';
import { BulwarkError } from '../../util/errors.js';
import { OS_RELEASE, dpkgStatus, image, layout } from '../test-support/images.js';
import { DEFAULT_POLICY_SETTINGS, parsePolicySettings } from './config.js';
import { copyleftIn, evaluatePolicies, healthOf, isRootUser } from './evaluate.js';

const DEBIAN = join(SHARED_DIR, 'vulndata', 'osv', 'Debian:12');
const KEV = join(SHARED_DIR, 'vulndata', 'kev');
const ready = prerequisite(
  existsSync(DEBIAN) && existsSync(KEV),
  `policy engine tests: ${DEBIAN} and ${KEV} are missing`,
);

const result = (id: PolicyResult['id'], status: PolicyResult['status']): PolicyResult => ({
  id,
  title: id,
  status,
  summary: '',
  violations: [],
  exceptions: [],
});

describe('health grade', () => {
  it('subtracts the weight of each failed policy and 2 per unknown one', () => {
    expect(healthOf([result('kev', 'pass'), result('epss', 'disabled')])).toEqual({ grade: 'A', score: 100 });
    expect(healthOf([result('kev', 'unknown'), result('epss', 'unknown')])).toEqual({
      grade: 'A',
      score: 96,
    });
    // Any failure rules out A, however light.
    expect(healthOf([result('dockerfile-lint', 'fail')])).toEqual({ grade: 'B', score: 95 });
    expect(healthOf([result('kev', 'fail')])).toEqual({ grade: 'C', score: 75 });
    expect(healthOf([result('kev', 'fail'), result('non-root-user', 'fail')])).toEqual({
      grade: 'D',
      score: 60,
    });
    expect(healthOf([result('kev', 'fail'), result('no-secrets', 'fail')])).toEqual({
      grade: 'D',
      score: 50,
    });
    expect(healthOf([result('kev', 'fail'), result('no-secrets', 'fail'), result('epss', 'fail')])).toEqual({
      grade: 'E',
      score: 35,
    });
    expect(
      healthOf([
        result('kev', 'fail'),
        result('no-secrets', 'fail'),
        result('fixable-critical-high', 'fail'),
        result('epss', 'fail'),
        result('non-root-user', 'fail'),
      ]),
    ).toEqual({ grade: 'F', score: 0 });
  });
});

describe('helpers', () => {
  it('root users', () => {
    for (const u of [undefined, '', 'root', '0', '0:0', 'root:wheel', ' root '])
      expect(isRootUser(u)).toBe(true);
    for (const u of ['app', '1000', '1000:0', 'nobody']) expect(isRootUser(u)).toBe(false);
  });

  it('licence expressions: AND requires all, OR is a choice', () => {
    const banned = new Set(['AGPL-3.0-ONLY', 'AGPL-3.0-OR-LATER']);
    expect(copyleftIn('AGPL-3.0-only', banned)).toEqual(['AGPL-3.0-only']);
    expect(copyleftIn('MIT AND AGPL-3.0-or-later', banned)).toEqual(['AGPL-3.0-or-later']);
    expect(copyleftIn('MIT OR AGPL-3.0-only', banned)).toEqual([]);
    expect(copyleftIn('(AGPL-3.0-only OR AGPL-3.0-or-later)', banned)).toEqual([
      'AGPL-3.0-only',
      'AGPL-3.0-or-later',
    ]);
    expect(copyleftIn('GPL-2.0-only WITH Classpath-exception-2.0', banned)).toEqual([]);
  });

  it('settings: defaults, switches and one-line errors', () => {
    expect(parsePolicySettings({})).toBe(DEFAULT_POLICY_SETTINGS);
    const s = parsePolicySettings({
      policies: {
        kev: 'off',
        epss: { threshold: '10%' },
        'no-secrets': false,
        'dockerfile-lint': { enabled: true, severity: 'MEDIUM' },
      },
    });
    expect(s.enabled.kev).toBe(false);
    expect(s.enabled['no-secrets']).toBe(false);
    expect(s.epssThreshold).toBeCloseTo(0.1);
    expect(s.lintSeverity).toBe('medium');
    const err = (data: unknown): string => {
      try {
        parsePolicySettings({ policies: data }, 'p.yaml');
      } catch (e) {
        expect(e).toBeInstanceOf(BulwarkError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err({ keV: true })).toMatch(
      /^p\.yaml: policies\.keV: unknown policy \(use fixable-critical-high, kev/,
    );
    expect(err({ 'fixable-critical-high': { age: 'a week' } })).toBe(
      'p.yaml: policies.fixable-critical-high.age: expected a number of days (e.g. 30 or 30d)',
    );
    expect(err({ 'supply-chain-attestations': { require: ['signature'] } })).toBe(
      'p.yaml: policies.supply-chain-attestations.require: unknown attestation "signature" (use sbom, provenance)',
    );
    expect(err([])).toBe('p.yaml: policies: expected a mapping');
  });
});

describe.skipIf(!ready)('evaluatePolicies on a real scan', () => {
  let work: string;
  let report: ScanReport;

  beforeAll(async () => {
    work = tempDir('bulwark-policy-engine-');
    const dbPath = join(work, 'db.sqlite');
    await importInputs([DEBIAN, KEV], { dbPath });
    const dir = layout(
      image([OS_RELEASE, dpkgStatus([{ name: 'libc6', version: '2.36-9+deb12u1', source: 'glibc' }])], {
        user: 'app',
      }),
    );
    ({ report } = await scanTarget(`oci-dir://${dir}`, {
      db: dbPath,
      offline: true,
      cwd: work,
      cache: false,
    }));
  }, 120_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('a KEV finding fails kev; a register acceptance excuses it and says so', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const ev = evaluatePolicies(report, { now });
    expect(ev.schema).toBe('bulwark-policy/v1');
    expect(ev.evaluatedAt).toBe('2026-01-01T00:00:00.000Z');
    const kev = ev.results.find((r) => r.id === 'kev')!;
    expect(kev.status).toBe('fail');
    expect(kev.violations.map((v) => v.id)).toEqual(['CVE-2023-4911']);
    const excused = evaluatePolicies(report, {
      now,
      exceptions: [
        {
          vulnerabilityId: 'cve-2023-4911',
          package: 'libc6',
          reason: 'no setuid binaries',
          source: 'register: acceptance 7',
        },
      ],
    });
    expect(excused.results.find((r) => r.id === 'kev')).toMatchObject({
      status: 'pass',
      summary: 'no vulnerabilities in the CISA KEV catalog; 1 excused by an exception',
      exceptions: [
        {
          id: 'CVE-2023-4911',
          package: 'libc6@2.36-9+deb12u1',
          source: 'register: acceptance 7',
          reason: 'no setuid binaries',
        },
      ],
    });
    // An acceptance for another package excuses nothing.
    const other = evaluatePolicies(report, {
      now,
      exceptions: [
        {
          vulnerabilityId: 'CVE-2023-4911',
          package: 'openssl',
          reason: 'x',
          source: 'register: acceptance 8',
        },
      ],
    });
    expect(other.results.find((r) => r.id === 'kev')!.status).toBe('fail');
  });

  it('the report is not changed and the result is deterministic', () => {
    const before = JSON.stringify(report);
    const now = new Date('2026-01-01T00:00:00Z');
    expect(JSON.stringify(evaluatePolicies(report, { now }))).toBe(
      JSON.stringify(evaluatePolicies(report, { now })),
    );
    expect(JSON.stringify(report)).toBe(before);
  });
});
