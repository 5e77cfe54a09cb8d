/**
 * "No vulnerabilities found" only when Bulwark looked: through the real binary (bin/bulwark.js, after
 * `npm run build`), an Amazon Linux root filesystem with a real rpm database (built with rpmbuild)
 * gives every OS package as not evaluated — counted and explained in every format, exit 0 by default
 * and the --exit-code with --fail-on-not-evaluated — and a Go toolchain unpacked like the official
 * `golang` image is matched against the real Go `stdlib` advisories of the shared corpus.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildRpmFixtures, missingRpmTools } from '../../catalog/rpm/test-support/rpm-fixtures.js';
import { importInputs } from '../../db/import.js';
import { osvDir } from '../../match/test-support/vulndata.js';
import { getScheme } from '../../version/index.js';
import { runCli } from '../test-support/capture.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(ROOT, 'bin', 'bulwark.js');
const built = existsSync(join(ROOT, 'dist', 'cli', 'main.js'));
const missingRpm = missingRpmTools();
const haveGo = existsSync(osvDir('Go'));

// CI installs rpm and builds dist/ before the tests: there, a missing prerequisite is a failure.
if (process.env.CI && (!built || missingRpm || !haveGo))
  throw new Error(
    `scan-not-evaluated tests need ${[!built ? 'dist/ (npm run build)' : '', missingRpm ?? '', !haveGo ? 'the shared Go advisories' : ''].filter(Boolean).join(', ')}`,
  );
if (!built || missingRpm)
  console.warn(`\n*** SKIPPING not-evaluated CLI tests: ${!built ? 'run npm run build' : missingRpm} ***\n`);

let work: string;
let dbPath: string;
let amzn: string;

function bulwark(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: work,
    env: { ...process.env, BULWARK_CACHE_DIR: join(work, 'cache'), NO_COLOR: '1' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const scan = (target: string, ...args: string[]) =>
  bulwark(['scan', target, '--offline', '--db', dbPath, '-q', ...args]);

describe.skipIf(!built || missingRpm !== undefined)('not evaluated, through bin/bulwark.js', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'bulwark-not-evaluated-cli-'));
    // An Amazon Linux 2023 root filesystem: its os-release and a real rpm database of three packages.
    amzn = join(work, 'amzn');
    mkdirSync(join(amzn, 'etc'), { recursive: true });
    mkdirSync(join(amzn, 'var', 'lib', 'rpm'), { recursive: true });
    writeFileSync(
      join(amzn, 'etc', 'os-release'),
      'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nID_LIKE="fedora"\nVERSION_ID="2023"\nPRETTY_NAME="Amazon Linux 2023.5.20240805"\n',
    );
    const rpm = buildRpmFixtures();
    try {
      writeFileSync(join(amzn, 'var', 'lib', 'rpm', 'rpmdb.sqlite'), rpm.sqliteAll);
    } finally {
      rpm.cleanup();
    }
    // The database: the Go standard-library advisories of the shared corpus (real records).
    const osv = join(work, 'osv');
    mkdirSync(osv);
    if (haveGo) {
      const go = osvDir('Go');
      for (const f of readdirSync(go).filter((n) => n.endsWith('.json')))
        if (/"name":\s*"stdlib"/.test(readFileSync(join(go, f), 'utf8')))
          copyFileSync(join(go, f), join(osv, f));
    } else {
      writeFileSync(
        join(osv, 'GO-0000-0001.json'),
        JSON.stringify({ id: 'GO-0000-0001', modified: '2024-01-01T00:00:00Z', affected: [] }),
      );
    }
    dbPath = join(work, 'db.sqlite');
    await importInputs([osv], { dbPath });
    // A root filesystem like the official golang image: the toolchain unpacked under /usr/local/go.
    mkdirSync(join(work, 'golang', 'usr', 'local', 'go'), { recursive: true });
    writeFileSync(
      join(work, 'golang', 'usr', 'local', 'go', 'VERSION'),
      'go1.22.3\ntime 2024-05-01T19:56:16Z\n',
    );
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('table: never a bare "No vulnerabilities found"; exit 0 without the option', () => {
    const r = scan(`fs://${amzn}`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'No vulnerabilities found in 0 evaluated packages; 3 packages not evaluated (no advisory ecosystem for amzn 2023 (Amazon Linux)).',
    );
    expect(r.stdout).not.toMatch(/No vulnerabilities found\.\n/);
    expect(r.stdout).toContain('Not evaluated: 3 packages');
    expect(r.stdout).toMatch(/hello-tiny 1\.2-3\s+rpm\s+no advisory ecosystem for amzn 2023/);
    expect(r.stdout).toMatch(/Summary: .*3 packages not evaluated/);
  });

  it('--fail-on-not-evaluated exits with the --exit-code and says why', () => {
    const r = scan(`fs://${amzn}`, '--fail-on-not-evaluated');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'bulwark: 3 packages were not evaluated (--fail-on-not-evaluated): no advisory ecosystem for amzn 2023 (Amazon Linux)\n',
    );
    expect(scan(`fs://${amzn}`, '--fail-on-not-evaluated', '--exit-code', '9').code).toBe(9);
    // The package filters apply: with only npm packages selected there is nothing unevaluated.
    expect(scan(`fs://${amzn}`, '--fail-on-not-evaluated', '--only-package-type', 'npm').code).toBe(0);
  });

  it('json: coverage and every not-evaluated package, valid against the schema', () => {
    const r = scan(`fs://${amzn}`, '-f', 'json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      coverage: { packages: number; evaluated: number; notEvaluated: number; groups: unknown[] };
      notEvaluated: { package: { name: string; type: string }; reason: string; detail: string }[];
    };
    expect(doc.coverage).toEqual({
      packages: 3,
      evaluated: 0,
      notEvaluated: 3,
      groups: [
        {
          reason: 'no-advisory-ecosystem',
          group: 'no advisory ecosystem for amzn 2023 (Amazon Linux)',
          packages: 3,
        },
      ],
    });
    expect(doc.notEvaluated.map((n) => [n.package.name, n.package.type, n.reason])).toEqual([
      ['hello-tiny', 'rpm', 'no-advisory-ecosystem'],
      ['libwidget', 'rpm', 'no-advisory-ecosystem'],
      ['widget', 'rpm', 'no-advisory-ecosystem'],
    ]);
    const load = (name: string): object =>
      JSON.parse(readFileSync(join(ROOT, 'schemas', name), 'utf8')) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    ajv.addSchema(load('bulwark-sbom-v1.schema.json'));
    const validate = ajv.compile(load('bulwark-scan-v1.schema.json'));
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  });

  it('sarif, cyclonedx, markdown, html and quickview count and explain them too', () => {
    const sarif = JSON.parse(scan(`fs://${amzn}`, '-f', 'sarif').stdout) as {
      runs: {
        invocations: { toolExecutionNotifications: { level: string; message: { text: string } }[] }[];
        properties: { coverage: { notEvaluated: number } };
        results: { ruleId: string; level: string; message: { text: string } }[];
      }[];
    };
    const run = sarif.runs[0]!;
    expect(run.properties.coverage.notEvaluated).toBe(3);
    expect(run.invocations[0]!.toolExecutionNotifications).toEqual([
      {
        level: 'warning',
        descriptor: { id: 'not-evaluated/no-advisory-ecosystem' },
        message: { text: '3 packages not evaluated: no advisory ecosystem for amzn 2023 (Amazon Linux)' },
      },
    ]);
    expect(run.results.filter((x) => x.ruleId === 'not-evaluated/no-advisory-ecosystem')).toHaveLength(3);

    const cdx = JSON.parse(scan(`fs://${amzn}`, '-f', 'cyclonedx-json').stdout) as {
      metadata: { properties: { name: string; value: string }[] };
      components: { name: string; properties?: { name: string; value: string }[] }[];
    };
    expect(cdx.metadata.properties).toEqual(
      expect.arrayContaining([
        { name: 'bulwark:coverage:notEvaluated', value: '3' },
        {
          name: 'bulwark:notEvaluated:no-advisory-ecosystem',
          value: '3: no advisory ecosystem for amzn 2023 (Amazon Linux)',
        },
      ]),
    );
    const hello = cdx.components.find((c) => c.name === 'hello-tiny')!;
    expect(hello.properties).toEqual(
      expect.arrayContaining([{ name: 'bulwark:notEvaluated:reason', value: 'no-advisory-ecosystem' }]),
    );

    const md = scan(`fs://${amzn}`, '-f', 'markdown').stdout;
    expect(md).toContain('**Not evaluated:** 3');
    expect(md).toContain('3 packages not evaluated (no vulnerability result for them):');
    expect(md).toContain('No vulnerabilities found in 0 evaluated packages; 3 packages not evaluated');

    const html = scan(`fs://${amzn}`, '-f', 'html').stdout;
    expect(html).toContain('<h3>3 packages not evaluated</h3>');
    expect(html).toContain('<h2 id="not-evaluated-h">Not evaluated (3)</h2>');

    const qv = bulwark(['quickview', `fs://${amzn}`, '--offline', '--db', dbPath, '-q']);
    expect(qv.code).toBe(0);
    expect(qv.stdout).toContain('Not evaluated    3 packages (no vulnerability result)');
    expect(qv.stdout).toContain('3  no advisory ecosystem for amzn 2023 (Amazon Linux)');
  });

  it.skipIf(!haveGo)('a Go toolchain from the official tarball is matched as Go stdlib', () => {
    const rootfs = join(work, 'golang');
    const r = scan(`fs://${rootfs}`, '-f', 'json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      coverage: { evaluated: number; notEvaluated: number };
      findings: { vulnerabilityId: string; fixedVersion?: string; package: { name: string } }[];
    };
    expect(doc.coverage).toMatchObject({ evaluated: 1, notEvaluated: 0 });
    const netip = doc.findings.find((f) => f.vulnerabilityId === 'CVE-2024-24790')!;
    expect(netip.package.name).toBe('go');
    expect(netip.fixedVersion).toBe('1.22.4');
  });

  it('release names from the image are untrusted: control characters never reach the terminal', async () => {
    const rootfs = join(work, 'hostile');
    mkdirSync(join(rootfs, 'etc'), { recursive: true });
    mkdirSync(join(rootfs, 'var', 'lib', 'dpkg'), { recursive: true });
    writeFileSync(join(rootfs, 'etc', 'os-release'), 'ID=evil\nVERSION_ID="1\u001b[2J\u0007"\n');
    writeFileSync(
      join(rootfs, 'var', 'lib', 'dpkg', 'status'),
      'Package: bash\nStatus: install ok installed\nVersion: 5.2-1\nArchitecture: amd64\n\n',
    );
    const env = { BULWARK_CACHE_DIR: join(work, 'cache'), NO_COLOR: '1' };
    for (const cmd of ['scan', 'quickview']) {
      const args = [cmd, `fs://${rootfs}`, '--offline', '--db', dbPath, '-q'];
      const r = await runCli(cmd === 'scan' ? [...args, '--fail-on-not-evaluated'] : args, {
        cwd: work,
        env,
      });
      expect(r.stdout + r.stderr).toContain('no advisory ecosystem for evil 1\\x1b[2J\\x07');
      expect(r.stdout + r.stderr).not.toMatch(/[\u0007\u001b]/);
    }
  });

  it.skipIf(!haveGo)(
    'a bug inside version comparison is an internal error (exit 70), not "not affected"',
    async () => {
      // Fault injection in process: the scheme of Go's SEMVER ranges fails like a programming error.
      const spy = vi.spyOn(getScheme('semver-loose'), 'compare').mockImplementation(() => {
        throw new TypeError('undefined is not a function');
      });
      try {
        const r = await runCli(['scan', `fs://${join(work, 'golang')}`, '--offline', '--db', dbPath, '-q'], {
          cwd: work,
          env: { BULWARK_CACHE_DIR: join(work, 'cache'), NO_COLOR: '1' },
        });
        expect(r.code).toBe(70);
        expect(r.stderr).toMatch(/^bulwark: internal error: .*undefined is not a function/);
      } finally {
        spy.mockRestore();
      }
    },
  );
});
