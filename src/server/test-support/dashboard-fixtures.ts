/**
 * Real scans for the dashboard API tests: debian12-minbase, debian12-node and secrets-in-history scanned
 * by the built CLI (vulnerabilities and secrets) against a database imported from the shared advisory
 * corpus (Debian:12, npm) plus a small KEV catalogue written here that lists one CVE debian12-node
 * really has (the shared KEV catalogue lists none of them), so KEV exposure has something to show.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imagePath, REPO_ROOT } from '../../test-support/images.js';
import { osvDir } from '../../match/test-support/vulndata.js';

export const KEV_CVE = 'CVE-2020-8203';
export const KEV_DUE = '2026-07-15';

export interface DashboardFixtures {
  readonly vulnDb: string;
  readonly dir: string;
  /** `bulwark scan --scanners vuln,secret -f json` of each image. */
  readonly scans: Readonly<Record<'debian12-minbase' | 'debian12-node' | 'secrets-in-history', string>>;
}

let cached: DashboardFixtures | undefined;

export function dashboardFixtures(): DashboardFixtures {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-dashboard-fixtures-'));
  const vulnDb = join(dir, 'vuln.sqlite');
  const cli = join(REPO_ROOT, 'bin', 'bulwark.js');
  const env = { ...process.env, BULWARK_CACHE_DIR: join(dir, 'cache'), NO_COLOR: '1' };
  const kev = join(dir, 'kev.json');
  writeFileSync(
    kev,
    JSON.stringify({
      title: 'CISA Catalog of Known Exploited Vulnerabilities',
      catalogVersion: '2026.06.01',
      dateReleased: '2026-06-01T00:00:00Z',
      count: 1,
      vulnerabilities: [
        {
          cveID: KEV_CVE,
          vendorProject: 'lodash',
          product: 'lodash',
          vulnerabilityName: 'lodash prototype pollution (test catalogue entry)',
          dateAdded: '2026-06-01',
          shortDescription: 'Test entry for the dashboard API tests.',
          requiredAction: 'Upgrade lodash.',
          dueDate: KEV_DUE,
          knownRansomwareCampaignUse: 'Unknown',
          notes: '',
        },
      ],
    }),
  );
  execFileSync(
    process.execPath,
    [cli, 'db', 'import', '--db', vulnDb, osvDir('Debian:12'), osvDir('npm'), kev],
    { env, stdio: 'pipe' },
  );
  const scans = {} as Record<keyof DashboardFixtures['scans'], string>;
  for (const image of ['debian12-minbase', 'debian12-node', 'secrets-in-history'] as const) {
    const out = join(dir, `${image}.json`);
    execFileSync(
      process.execPath,
      [
        cli,
        'scan',
        '--db',
        vulnDb,
        `oci-dir://${imagePath(image, 'oci')}`,
        '--scanners',
        'vuln,secret',
        '-f',
        'json',
        '-o',
        out,
        '-q',
      ],
      { env, stdio: 'pipe' },
    );
    scans[image] = readFileSync(out, 'utf8');
  }
  cached = { vulnDb, dir, scans };
  return cached;
}
