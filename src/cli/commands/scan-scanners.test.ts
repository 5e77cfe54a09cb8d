/**
 * `bulwark scan --scanners vuln,secret,config` and `bulwark lint <image>` end to end through the CLI,
 * in process, on the real `secrets-in-history` image (AWS key pair and RSA key written in layer 2 and
 * deleted in layer 3, a GitHub token in Env, no User) and on a folder the test writes. The database is
 * one OSV record written and imported here, so the vuln scanner runs for real without the shared corpus.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importInputs } from '../../db/import.js';
import type { ScanReport } from '../../report/types.js';
import { SCAN_FORMATS } from '../../report/scan/index.js';
import { githubTokenBody, seededRandom } from '../../secrets/test-support/fake.js';
import { IMAGES_DIR, imagePath } from '../../test-support/images.js';
import { runCli } from '../test-support/capture.js';
import { prerequisite } from '../../test-support/require.js';

const IMAGE_OCI = imagePath('secrets-in-history', 'oci');
const IMAGE_TAR = imagePath('secrets-in-history', 'docker.tar');
const EXPECTED = join(IMAGES_DIR, 'secrets-in-history.expected');
const haveImage = prerequisite(
  existsSync(IMAGE_OCI) && existsSync(IMAGE_TAR) && existsSync(EXPECTED),
  `scan --scanners / lint <image> tests on secrets-in-history: ${IMAGE_OCI}, ${IMAGE_TAR} or ${EXPECTED} is missing. ` +
    'Build the images with ../shared/images/build-images.sh (see src/test-support/images.ts).',
);

/** What the build script planted, read from its `.expected` file. */
interface Planted {
  akid: string;
  secretKey: string;
  token: string;
  /** 1-based layer numbers, as the script writes them. */
  writtenIn: number;
  deletedIn: number;
}

function readExpected(): Planted {
  const text = readFileSync(EXPECTED, 'utf8');
  const akid = /AWS_ACCESS_KEY_ID=(\S+)/.exec(text)![1]!;
  const secretKey = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(text)![1]!;
  const token = /GITHUB_TOKEN=(\S+)/.exec(text)![1]!;
  const writtenIn = Number(/^layer(\d+):\/app\/id_rsa /m.exec(text)![1]);
  const deletedIn = Number(/^layer(\d+):\/app\/\.wh\./m.exec(text)![1]);
  return { akid, secretKey, token, writtenIn, deletedIn };
}

/** One advisory for gzip in Debian 12 (fixed in a version above the image's), so `vuln` has a finding. */
const OSV_RECORD = {
  schema_version: '1.6.0',
  id: 'DEBIAN-CVE-2099-0001',
  modified: '2099-01-01T00:00:00Z',
  published: '2099-01-01T00:00:00Z',
  details: 'A record written by the test.',
  affected: [
    {
      package: { ecosystem: 'Debian:12', name: 'gzip', purl: 'pkg:deb/debian/gzip?arch=source' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.12-1+deb12u99' }] }],
    },
  ],
};

let work: string;
let dbPath: string;
const env = (): NodeJS.ProcessEnv => ({
  BULWARK_CACHE_DIR: join(work, 'cache'),
  NO_COLOR: '1',
  PATH: process.env.PATH,
});
const cli = (args: string[], cwd = work) => runCli(args, { cwd, env: env() });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'bulwark-scanners-'));
  const osv = join(work, 'osv');
  mkdirSync(osv);
  writeFileSync(join(osv, `${OSV_RECORD.id}.json`), JSON.stringify(OSV_RECORD));
  dbPath = join(work, 'db', 'bulwark.sqlite');
  await importInputs([osv], { dbPath });
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const load = (name: string): object =>
  JSON.parse(readFileSync(new URL(`../../../schemas/${name}`, import.meta.url), 'utf8')) as object;

describe.skipIf(!haveImage)('bulwark scan --scanners vuln,secret,config on secrets-in-history', () => {
  const scanArgs = (...extra: string[]) => [
    'scan',
    `oci-dir://${IMAGE_OCI}`,
    '--scanners',
    'vuln,secret,config',
    '--offline',
    '--db',
    dbPath,
    '-q',
    ...extra,
  ];

  it('reports the deleted keys (layer and deleting layer), the Env token redacted, and the root user', async () => {
    const planted = readExpected();
    const r = await cli(scanArgs('-f', 'json'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ScanReport;

    // The vuln scanner ran in the same command.
    expect(report.findings.map((f) => f.vulnerabilityId)).toContain('DEBIAN-CVE-2099-0001');

    const secrets = report.secrets!;
    const at = (path: string) => secrets.filter((f) => f.path === path);
    const env = at('/app/.env');
    expect(env.map((f) => f.ruleId).sort()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws-access-key-id/),
        expect.stringMatching(/^aws-secret/),
      ]),
    );
    const key = at('/app/id_rsa');
    expect(key.length).toBeGreaterThan(0);
    for (const f of [...env, ...key]) {
      expect(f.status).toBe('deleted');
      expect(f.layer!.index + 1).toBe(planted.writtenIn);
      expect(f.removedIn!.index + 1).toBe(planted.deletedIn);
    }
    // The AWS key id is previewed by its first characters only, with the right length.
    const akid = env.find((f) => f.secret.length === planted.akid.length)!;
    expect(akid.secret.preview).toBe(`${planted.akid.slice(0, 4)}…`);

    const token = at('config:Env/GITHUB_TOKEN');
    expect(token).toHaveLength(1);
    expect(token[0]!.secret.length).toBe(planted.token.length);

    const config = report.misconfigurations!;
    expect(config.every((m) => m.kind === 'image')).toBe(true);
    expect(config.map((m) => m.ruleId)).toEqual(
      expect.arrayContaining(['image-root-user', 'image-secret-env']),
    );
    // The keys are gone from the final filesystem: the config scanner says nothing about them.
    expect(JSON.stringify(config)).not.toMatch(/\/app\/(\.env|id_rsa)/);

    // The document stays valid v1.
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    ajv.addSchema(load('bulwark-sbom-v1.schema.json'));
    const validate = ajv.compile(load('bulwark-scan-v1.schema.json'));
    expect(validate(report)).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
  });

  it.each(SCAN_FORMATS.map((f) => [f]))('never prints a planted secret in full (%s)', async (format) => {
    const planted = readExpected();
    const r = await cli(scanArgs('-f', format));
    expect(r.code).toBe(0);
    for (const value of [planted.token, planted.secretKey, planted.akid]) {
      expect(r.stdout).not.toContain(value);
      expect(r.stderr).not.toContain(value);
    }
  });

  it('table, markdown, SARIF and HTML carry the secret and config findings', async () => {
    const table = await cli(scanArgs());
    expect(table.stdout).toMatch(/Secrets \(\d+\)/);
    expect(table.stdout).toContain('/app/id_rsa:1:1 [layer 2, deleted in layer 3]');
    expect(table.stdout).toContain('config:Env/GITHUB_TOKEN');
    expect(table.stdout).toMatch(/Misconfigurations \(\d+\)/);
    expect(table.stdout).toMatch(/high\s+image-root-user\s+config User/);

    const md = await cli(scanArgs('-f', 'markdown'));
    expect(md.stdout).toMatch(/### Secrets: \d+ \(/);
    expect(md.stdout).toMatch(/### Misconfigurations: \d+ \(/);

    const sarif = JSON.parse((await cli(scanArgs('-f', 'sarif'))).stdout) as {
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: {
          ruleId: string;
          locations: { physicalLocation: { artifactLocation: { uri: string }; region?: object } }[];
        }[];
      }[];
    };
    const run = sarif.runs[0]!;
    const ruleIds = run.tool.driver.rules.map((r) => r.id);
    expect(ruleIds).toContain('config/image-root-user');
    expect(ruleIds.some((id) => id.startsWith('secret/'))).toBe(true);
    const keyResult = run.results.find(
      (x) =>
        x.ruleId.startsWith('secret/') &&
        x.locations[0]!.physicalLocation.artifactLocation.uri === 'app/id_rsa',
    );
    expect(keyResult?.locations[0]!.physicalLocation.region).toMatchObject({ startLine: 1 });

    const html = (await cli(scanArgs('-f', 'html'))).stdout;
    expect(html).toContain('id="secrets-h"');
    expect(html).toContain('id="misconfigurations-h"');
    expect(html).toContain('deleted in layer 3');
  });

  it('--fail-on high fails because of a secret, and not with the vuln scanner alone', async () => {
    const all = await cli(scanArgs('--fail-on', 'high'));
    expect(all.code).toBe(1);
    expect(all.stderr).toMatch(/at or above high \(.*\d+ secrets?/);

    const secretsOnly = await cli([
      'scan',
      `oci-dir://${IMAGE_OCI}`,
      '--scanners',
      'vuln,secret',
      '--offline',
      '--db',
      dbPath,
      '-q',
      '--fail-on',
      'high',
    ]);
    expect(secretsOnly.code).toBe(1);
    expect(secretsOnly.stderr).toMatch(/secret/);
    expect(secretsOnly.stderr).not.toMatch(/misconfiguration|vulnerabilit/);

    const vulnOnly = await cli([
      'scan',
      `oci-dir://${IMAGE_OCI}`,
      '--offline',
      '--db',
      dbPath,
      '-q',
      '--fail-on',
      'high',
    ]);
    expect(vulnOnly.stderr).toBe('');
    expect(vulnOnly.code).toBe(0);
  });

  it('quickview shows the counts of the extra scanners', async () => {
    const r = await cli([
      'quickview',
      `oci-dir://${IMAGE_OCI}`,
      '--scanners',
      'vuln,secret,config',
      '--offline',
      '--db',
      dbPath,
      '-q',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Secrets\s+\d+$/m);
    expect(r.stdout).toMatch(/^Misconfigurations\s+\d+$/m);
    expect(r.stdout).not.toContain(readExpected().token);
  });

  it('an SBOM target with the secret scanner is a usage error', async () => {
    writeFileSync(
      join(work, 'bom.json'),
      JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1 }),
    );
    const r = await cli(['scan', 'sbom://bom.json', '--scanners', 'secret', '-q']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/need an image or a folder/);
  });
});

describe.skipIf(!haveImage)('bulwark lint <image>', () => {
  it.each([
    ['a docker archive path (sniffed)', IMAGE_TAR],
    ['an OCI layout folder (sniffed)', IMAGE_OCI],
    ['oci-dir://', `oci-dir://${IMAGE_OCI}`],
    ['archive://', `archive://${IMAGE_TAR}`],
  ])('%s: Env token redacted and the root user, nothing for the deleted keys', async (_name, target) => {
    const planted = readExpected();
    const r = await cli(['lint', target]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('image-secret-env');
    expect(r.stdout).toContain(
      `GITHUB_TOKEN=${planted.token.slice(0, 4)}…(${planted.token.length} chars, fp `,
    );
    expect(r.stdout).toContain('image-root-user');
    expect(r.stdout).not.toMatch(/\/app\/(\.env|id_rsa)/);
    // The Env token is a generic token for the secret rules (its checksum is not GitHub's): medium, as in `secrets`.
    expect(r.stdout).toMatch(/^\d+ findings \(high: 1, medium: 1, .*\) in 1 image\.$/m);
    for (const value of [planted.token, planted.secretKey, planted.akid])
      expect(r.stdout).not.toContain(value);
  });

  it('JSON and SARIF output, and --fail-on', async () => {
    const planted = readExpected();
    const json = await cli(['lint', IMAGE_TAR, '-f', 'json']);
    const doc = JSON.parse(json.stdout) as {
      images: {
        target: string;
        findings: { ruleId: string; location: { kind: string; field?: string } }[];
      }[];
      summary: { total: number; critical: number };
    };
    expect(doc.images[0]!.target).toBe(IMAGE_TAR);
    expect(doc.images[0]!.findings).toContainEqual(
      expect.objectContaining({ ruleId: 'image-root-user', location: { kind: 'config', field: 'User' } }),
    );
    // The Env token's severity is the one `bulwark secrets` gives it (a generic token: its checksum is not GitHub's).
    expect(doc.summary.total).toBeGreaterThan(0);

    const sarif = await cli(['lint', IMAGE_TAR, '-f', 'sarif']);
    const log = JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string }[] }[] };
    expect(log.runs[0]!.results.map((x) => x.ruleId)).toEqual(
      expect.arrayContaining(['image-secret-env', 'image-root-user']),
    );
    for (const out of [json.stdout, sarif.stdout]) expect(out).not.toContain(planted.token);

    expect((await cli(['lint', IMAGE_TAR, '--fail-on', 'high'])).code).toBe(1);
    expect((await cli(['lint', IMAGE_TAR, '--fail-on', 'medium'])).code).toBe(1);
    expect((await cli(['lint', IMAGE_TAR, '--fail-on', 'critical'])).code).toBe(0);
  });

  it('a text file is still a Dockerfile, and a truncated archive is one clear error', async () => {
    writeFileSync(join(work, 'image.tar'), 'FROM debian:12\nUSER 1000\n');
    const text = await cli(['lint', 'image.tar']);
    expect(text.stdout).toContain('image.tar:1:1');
    const bytes = readFileSync(IMAGE_TAR).subarray(0, 4096);
    writeFileSync(join(work, 'broken.tar'), bytes);
    const broken = await cli(['lint', 'broken.tar']);
    expect(broken.code).toBe(3);
    expect(broken.stderr.trim().split('\n')).toHaveLength(1);
    expect(broken.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('bulwark scan --scanners secret,config on a folder', () => {
  it('reports a planted token (not a .gitignored one) and Dockerfile findings', async () => {
    const dir = join(work, 'app');
    mkdirSync(dir, { recursive: true });
    const token = `ghp_${githubTokenBody(seededRandom('scan-scanners-folder'))}`;
    const ignored = `ghp_${githubTokenBody(seededRandom('scan-scanners-ignored'))}`;
    writeFileSync(join(dir, 'config.js'), `// deploy\nconst token = "${token}";\n`);
    writeFileSync(join(dir, '.gitignore'), 'local/\n');
    mkdirSync(join(dir, 'local'), { recursive: true });
    writeFileSync(join(dir, 'local', 'notes.txt'), `token ${ignored}\n`);
    mkdirSync(join(dir, 'vendor'), { recursive: true });
    writeFileSync(join(dir, 'vendor', 'fixture.js'), `module.exports = "${ignored}";\n`);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM node:latest\nCOPY . /app\nCMD ["node", "/app/config.js"]\n');

    const r = await cli([
      'scan',
      `fs://${dir}`,
      '--scanners',
      'secret,config',
      '--exclude',
      'vendor',
      '-f',
      'json',
      '-q',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ScanReport;
    expect(report.findings).toEqual([]);
    expect(report.database).toBeUndefined();
    expect(report.secrets!.map((f) => [f.path, f.line])).toEqual([['config.js', 2]]);
    const config = report.misconfigurations!;
    expect(config.every((m) => m.kind === 'dockerfile' && m.path === 'Dockerfile')).toBe(true);
    expect(config.map((m) => m.ruleId)).toEqual(expect.arrayContaining(['final-user-root']));
    for (const out of [r.stdout, r.stderr]) {
      expect(out).not.toContain(token);
      expect(out).not.toContain(ignored);
    }

    const sarif = JSON.parse(
      (await cli(['scan', `fs://${dir}`, '--scanners', 'secret,config', '-f', 'sarif', '-q'])).stdout,
    ) as {
      runs: {
        results: {
          ruleId: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } };
          }[];
        }[];
      }[];
    };
    const results = sarif.runs[0]!.results;
    const secret = results.find((x) => x.ruleId.startsWith('secret/'))!;
    expect(secret.locations[0]!.physicalLocation).toMatchObject({
      artifactLocation: { uri: 'config.js' },
      region: { startLine: 2 },
    });
    expect(results.some((x) => x.ruleId === 'config/final-user-root')).toBe(true);
    expect(
      results.find((x) => x.ruleId.startsWith('config/'))!.locations[0]!.physicalLocation.artifactLocation
        .uri,
    ).toBe('Dockerfile');

    // Without --exclude the vendored copy is found too (the .gitignored one never is).
    const all = JSON.parse(
      (await cli(['scan', `fs://${dir}`, '--scanners', 'secret', '-f', 'json', '-q'])).stdout,
    ) as ScanReport;
    expect(all.secrets!.map((f) => f.path)).toEqual(['config.js', 'vendor/fixture.js']);

    const failing = await cli(['scan', `fs://${dir}`, '--scanners', 'secret', '--fail-on', 'high', '-q']);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('config.js:2:');
  });
});
