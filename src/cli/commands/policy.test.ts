/**
 * `bulwark policy` end to end, every policy passing and failing, with exit codes: the real test images
 * (debian12-minbase, debian12-node, secrets-in-history), small images built here for one property each
 * (a non-root user, an old glibc in the KEV catalog, an AGPL package), the shared advisory data (Debian,
 * npm, KEV) and an EPSS file written here; base images and attestations in a real registry on 127.0.0.1.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importInputs } from '../../db/import.js';
import type { PolicyEvaluation, PolicyId, PolicyStatus } from '../../report/policy-types.js';
import {
  haveRegistryTools,
  startRegistry,
  type RunningRegistry,
} from '../../source/registry/test-support/registry.js';
import { tempDir } from '../../source/test-support/build.js';
import { SHARED_DIR, haveImages, imagePath } from '../../test-support/images.js';
import { prerequisite } from '../../test-support/require.js';
import {
  OS_RELEASE,
  Pusher,
  attach,
  distroless,
  dpkgStatus,
  image,
  layout,
  npmPackage,
  type Built,
} from '../../policy/test-support/images.js';
import { expectPolicyDocument } from '../../policy/test-support/schema.js';
import { runCli } from '../test-support/capture.js';

const OSV = join(SHARED_DIR, 'vulndata', 'osv');
const KEV = join(SHARED_DIR, 'vulndata', 'kev');
const ready =
  haveImages() &&
  haveRegistryTools() &&
  prerequisite(
    existsSync(join(OSV, 'npm')) && existsSync(join(OSV, 'Debian:12')) && existsSync(KEV),
    `policy tests: ${OSV} (npm, Debian:12) and ${KEV} (shared advisory data) are missing`,
  );

let work: string;
let dbPath: string;
let registry: RunningRegistry;
let host: string;
const dirs: Record<string, string> = {};

const env = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: work,
  BULWARK_CACHE_DIR: join(work, 'cache'),
  NO_COLOR: '1',
});

/** Run `bulwark policy` in `cwd` (default: the work folder, whose .bulwark.yaml `config()` writes). */
async function policy(args: string[], cwd = work) {
  const r = await runCli(['policy', ...args, '--db', dbPath, '--offline', '-q'], { cwd, env: env() });
  return r;
}

async function evaluate(target: string, ...extra: string[]) {
  const r = await policy([target, '-f', 'json', ...extra]);
  const ev = JSON.parse(r.stdout) as PolicyEvaluation;
  expectPolicyDocument(ev);
  const status = Object.fromEntries(ev.results.map((x) => [x.id, x.status])) as Record<
    PolicyId,
    PolicyStatus
  >;
  const result = (id: PolicyId) => ev.results.find((x) => x.id === id)!;
  return { ...r, ev, status, result };
}

function config(text: string, dir = work): string {
  writeFileSync(join(dir, '.bulwark.yaml'), text);
  return dir;
}

const MINBASE = () => `archive://${imagePath('debian12-minbase', 'docker.tar')}`;
const NODE = () => `archive://${imagePath('debian12-node', 'docker.tar')}`;
const SECRETS = () => `archive://${imagePath('secrets-in-history', 'docker.tar')}`;
const APP = { user: '1000:1000' };

let clean: Built;

beforeAll(async () => {
  if (!ready) return;
  work = tempDir('bulwark-policy-cli-');
  dbPath = join(work, 'db', 'bulwark.sqlite');
  // EPSS as FIRST publishes it; the scores are this test's (the shared data holds no EPSS feed).
  const epss = join(work, 'epss.csv');
  writeFileSync(
    epss,
    '#model_version:v2025.03.14,score_date:2025-08-25T00:00:00Z\ncve,epss,percentile\nCVE-2023-4911,0.91000,0.99600\nCVE-2020-8203,0.02000,0.50000\n',
  );
  await importInputs([join(OSV, 'Debian:12'), join(OSV, 'npm'), KEV, epss], { dbPath });
  clean = image(distroless(), APP);
  dirs.clean = layout(clean);
  // glibc 2.36-9+deb12u1: before the fix of CVE-2023-4911 (Looney Tunables, in CISA KEV).
  dirs.glibc = layout(
    image([OS_RELEASE, dpkgStatus([{ name: 'libc6', version: '2.36-9+deb12u1', source: 'glibc' }])], APP),
  );
  dirs.agpl = layout(
    image(
      distroless([
        npmPackage('left-pad-agpl', '1.0.0', 'AGPL-3.0-only'),
        npmPackage('dual', '2.0.0', '(MIT OR AGPL-3.0-only)'),
      ]),
      APP,
    ),
  );
  registry = await startRegistry({ dir: join(work, 'registry') });
  host = registry.host;
  config('');
}, 240_000);

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!ready)('bulwark policy: each policy passes and fails', () => {
  it('a clean non-root image passes every policy it can evaluate (exit 0)', async () => {
    const r = await evaluate(`oci-dir://${dirs.clean}`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.status).toEqual({
      'fixable-critical-high': 'pass',
      kev: 'pass',
      epss: 'pass',
      'non-root-user': 'pass',
      'approved-base-image': 'unknown',
      'up-to-date-base-image': 'unknown',
      'copyleft-licenses': 'pass',
      'no-secrets': 'pass',
      'supply-chain-attestations': 'unknown',
      'dockerfile-lint': 'pass',
    });
    expect(r.ev.passed).toBe(true);
    // Three unknown policies cost 2 points each; no failure.
    expect(r.ev.health).toEqual({ grade: 'A', score: 94 });
    // --min-grade: an A meets A.
    expect((await policy([`oci-dir://${dirs.clean}`, '--min-grade', 'a'])).code).toBe(0);
    const bad = await policy([`oci-dir://${dirs.clean}`, '--min-grade', 'G']);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'bulwark: --min-grade: "G" is not a grade (A, B, C, D, E or F)\n',
    ]);
    // --strict: an unknown policy fails too.
    const strict = await policy([`oci-dir://${dirs.clean}`, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe(
      'bulwark: 3 policies failed or unknown: approved-base-image, up-to-date-base-image, supply-chain-attestations (health A)\n',
    );
  });

  it('fixable-critical-high: fails on debian12-node (npm packages with fixed high/critical advisories)', async () => {
    const r = await evaluate(NODE());
    expect(r.code).toBe(1);
    expect(r.status['fixable-critical-high']).toBe('fail');
    const ids = r.result('fixable-critical-high').violations.map((v) => `${v.id} ${v.package}`);
    expect(ids).toEqual([
      'CVE-2020-8203 lodash@4.17.15',
      'CVE-2021-23337 lodash@4.17.15',
      'CVE-2021-44906 minimist@1.2.0',
      'CVE-2022-23539 jsonwebtoken@8.5.1',
      'CVE-2022-24999 qs@6.7.0',
      'CVE-2024-45296 path-to-regexp@0.1.7',
      'CVE-2024-45590 body-parser@1.19.0',
    ]);
    // …and passes on debian12-minbase (Debian's current packages: every advisory is fixed in them).
    expect((await evaluate(MINBASE())).status['fixable-critical-high']).toBe('pass');
  });

  it('fixable-critical-high: severity, age and ignore exceptions are configurable', async () => {
    const dir = tempDir('bulwark-policy-cfg-');
    config('policies:\n  fixable-critical-high: {severity: critical}\n', dir);
    let r = await runCli(['policy', NODE(), '-f', 'json', '--db', dbPath, '--offline', '-q'], {
      cwd: dir,
      env: env(),
    });
    let ev = JSON.parse(r.stdout) as PolicyEvaluation;
    expect(ev.results[0]!.violations.map((v) => v.id)).toEqual(['CVE-2021-44906']);
    // Published long enough ago? With an age of 100,000 days none is.
    config('policies:\n  fixable-critical-high: {age: 100000d}\n', dir);
    r = await runCli(['policy', NODE(), '-f', 'json', '--db', dbPath, '--offline', '-q'], {
      cwd: dir,
      env: env(),
    });
    ev = JSON.parse(r.stdout) as PolicyEvaluation;
    expect(ev.results[0]).toMatchObject({
      status: 'pass',
      summary: 'no vulnerabilities fixable at high or above published 100000+ days ago',
    });
    // An ignore entry with a reason excuses the finding; the exception is listed.
    config(
      'policies:\n  fixable-critical-high: {severity: critical}\nignore:\n  - id: CVE-2021-44906\n    package: pkg:npm/minimist*\n    reason: build-time only\n',
      dir,
    );
    r = await runCli(['policy', NODE(), '-f', 'json', '--db', dbPath, '--offline', '-q'], {
      cwd: dir,
      env: env(),
    });
    ev = JSON.parse(r.stdout) as PolicyEvaluation;
    expect(ev.results[0]).toMatchObject({ status: 'pass', violations: [] });
    expect(ev.results[0]!.exceptions).toEqual([
      {
        id: 'CVE-2021-44906',
        package: 'minimist@1.2.0',
        source: `${join(dir, '.bulwark.yaml')}#ignore[0]`,
        reason: 'build-time only',
      },
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('kev and epss: fail on an old glibc (CVE-2023-4911 is in KEV, EPSS 91%), pass on minbase', async () => {
    const r = await evaluate(`oci-dir://${dirs.glibc}`);
    expect(r.code).toBe(1);
    expect(r.status.kev).toBe('fail');
    expect(r.result('kev').violations).toEqual([
      {
        kind: 'vulnerability',
        id: 'CVE-2023-4911',
        message: 'in CISA KEV since 2023-11-21',
        severity: 'unknown',
        package: 'libc6@2.36-9+deb12u1',
        layer: 0,
      },
    ]);
    expect(r.status.epss).toBe('fail');
    expect(r.result('epss').violations.map((v) => [v.id, v.message])).toEqual([
      ['CVE-2023-4911', 'EPSS 91.0% (2025-08-25)'],
    ]);
    // Nothing else about the image is wrong.
    expect(r.ev.results.filter((x) => x.status === 'fail').map((x) => x.id)).toEqual(['kev', 'epss']);
    const m = await evaluate(MINBASE());
    expect([m.status.kev, m.status.epss]).toEqual(['pass', 'pass']);
  });

  it('epss: the threshold is configurable; a disabled policy is reported and never fails', async () => {
    const dir = tempDir('bulwark-policy-epss-');
    config('policies:\n  epss: {threshold: 95%}\n  kev: off\n', dir);
    const r = await runCli(
      ['policy', `oci-dir://${dirs.glibc}`, '-f', 'json', '--db', dbPath, '--offline', '-q'],
      {
        cwd: dir,
        env: env(),
      },
    );
    expect(r.code).toBe(0);
    const ev = JSON.parse(r.stdout) as PolicyEvaluation;
    expect(ev.results.find((x) => x.id === 'epss')).toMatchObject({
      status: 'pass',
      summary: 'no vulnerabilities with EPSS at or above 95%',
    });
    expect(ev.results.find((x) => x.id === 'kev')).toMatchObject({ status: 'disabled' });
    expect(ev.counts.disabled).toBe(1);
    rmSync(dir, { recursive: true, force: true });
  });

  it('non-root-user and dockerfile-lint: fail on debian12-minbase (no USER), pass on the built non-root image', async () => {
    const r = await evaluate(MINBASE());
    expect(r.code).toBe(1);
    expect(r.result('non-root-user')).toMatchObject({
      status: 'fail',
      summary: 'default user is unset (root)',
    });
    expect(r.result('dockerfile-lint').violations.map((v) => [v.id, v.path])).toEqual([
      ['image-root-user', 'config:User'],
    ]);
    expect(r.ev.results.filter((x) => x.status === 'fail').map((x) => x.id)).toEqual([
      'non-root-user',
      'dockerfile-lint',
    ]);
    // 100 − 15 − 5 − 3×2
    expect(r.ev.health).toEqual({ grade: 'C', score: 74 });
    const c = await evaluate(`oci-dir://${dirs.clean}`);
    expect(c.result('non-root-user')).toMatchObject({ status: 'pass', summary: 'default user "1000:1000"' });
    expect(c.status['dockerfile-lint']).toBe('pass');
  });

  it('copyleft-licenses: an AGPL package fails (an OR choice does not); an ignore entry by licence excuses it', async () => {
    const r = await evaluate(`oci-dir://${dirs.agpl}`);
    expect(r.code).toBe(1);
    expect(r.result('copyleft-licenses').violations).toEqual([
      {
        kind: 'package',
        id: 'AGPL-3.0-only',
        message: 'npm package licensed AGPL-3.0-only',
        package: 'left-pad-agpl@1.0.0',
        path: '/app/node_modules/left-pad-agpl/package.json',
        layer: 0,
      },
    ]);
    const dir = tempDir('bulwark-policy-lic-');
    config(
      'ignore:\n  - id: AGPL-3.0-only\n    package: pkg:npm/left-pad-agpl\n    reason: network use only, source published\n',
      dir,
    );
    const ok = await runCli(
      ['policy', `oci-dir://${dirs.agpl}`, '-f', 'json', '--db', dbPath, '--offline', '-q'],
      {
        cwd: dir,
        env: env(),
      },
    );
    expect(ok.code).toBe(0);
    const ev = JSON.parse(ok.stdout) as PolicyEvaluation;
    expect(ev.results.find((x) => x.id === 'copyleft-licenses')).toMatchObject({
      status: 'pass',
      exceptions: [{ id: 'AGPL-3.0-only', reason: 'network use only, source published' }],
    });
    // A configured list: with MIT banned too, the dual-licensed package has no allowed choice left.
    config('policies:\n  copyleft-licenses: {licenses: [AGPL-3.0-only, MIT]}\n', dir);
    const mit = await runCli(
      ['policy', `oci-dir://${dirs.agpl}`, '-f', 'json', '--db', dbPath, '--offline', '-q'],
      {
        cwd: dir,
        env: env(),
      },
    );
    const mev = JSON.parse(mit.stdout) as PolicyEvaluation;
    expect(
      mev.results.find((x) => x.id === 'copyleft-licenses')!.violations.map((v) => `${v.package} ${v.id}`),
    ).toEqual(['dual@2.0.0 AGPL-3.0-only', 'left-pad-agpl@1.0.0 AGPL-3.0-only', 'dual@2.0.0 MIT']);
    rmSync(dir, { recursive: true, force: true });
    expect((await evaluate(MINBASE())).status['copyleft-licenses']).toBe('pass');
  });

  it('no-secrets: fails on secrets-in-history (deleted files included), passes on the built image', async () => {
    const r = await evaluate(SECRETS());
    expect(r.code).toBe(1);
    const v = r.result('no-secrets').violations;
    expect(v.length).toBeGreaterThan(0);
    expect(v.some((x) => x.message.includes('deleted in a later layer'))).toBe(true);
    // Values are never printed.
    const expected = readFileSync(
      imagePath('secrets-in-history', 'docker.tar').replace(/\.docker\.tar$/, '.expected'),
      'utf8',
    );
    const values = expected
      .split(/\s+/)
      .map((t) => t.split('=').at(-1)!)
      .filter((v) => v.length > 12 && /\d/.test(v));
    expect(values).toContain('AKIA34942C50959A7AD1');
    for (const value of values) expect(r.stdout).not.toContain(value);
    expect((await evaluate(`oci-dir://${dirs.clean}`)).status['no-secrets']).toBe('pass');
  });
});

describe.skipIf(!ready)('bulwark policy: the detected base image', () => {
  it('approved-base-image judges the base found by layer prefix (debian12-node on debian12-minbase)', async () => {
    const dir = tempDir('bulwark-policy-detected-');
    const run = (target: string) =>
      runCli(['policy', target, '-f', 'json', '--db', dbPath, '--offline', '-q'], {
        cwd: dir,
        env: { ...env(), BULWARK_CACHE_DIR: join(dir, 'cache') },
      });
    config('approved:\n  - repository: debian12-minbase\n    tags: [latest]\n    owner: platform\n', dir);
    // Not known yet: nothing detected, nothing to judge.
    let ev = JSON.parse((await run(NODE())).stdout) as PolicyEvaluation;
    expect(ev.results.find((x) => x.id === 'approved-base-image')).toMatchObject({
      status: 'unknown',
      summary: 'no base image detected',
    });
    // Once debian12-minbase was scanned, its layer is recognised as debian12-node's base.
    await run(MINBASE());
    ev = JSON.parse((await run(NODE())).stdout) as PolicyEvaluation;
    expect(ev.results.find((x) => x.id === 'approved-base-image')).toMatchObject({
      status: 'pass',
      summary: `docker.io/library/debian12-minbase:latest: approved by ${join(dir, '.bulwark.yaml')}#approved[0] (debian12-minbase, owner platform)`,
    });
    // The base's digest is unknown (a docker-archive records none): whether it is up to date cannot be said.
    expect(ev.results.find((x) => x.id === 'up-to-date-base-image')!.status).toBe('unknown');
    config('approved:\n  - repository: debian12-minbase\n    tags: [stable]\n', dir);
    ev = JSON.parse((await run(NODE())).stdout) as PolicyEvaluation;
    expect(ev.results.find((x) => x.id === 'approved-base-image')).toMatchObject({
      status: 'fail',
      violations: [{ kind: 'base-image', id: 'docker.io/library/debian12-minbase:latest', layer: 0 }],
    });
    rmSync(dir, { recursive: true, force: true });
  });
});

describe.skipIf(!ready)('bulwark policy --dockerfile', () => {
  it('lints the Dockerfile for dockerfile-lint and takes the base from its final FROM', async () => {
    const dir = tempDir('bulwark-policy-dockerfile-');
    writeFileSync(
      join(dir, 'Dockerfile'),
      'FROM debian:12-slim AS build\nRUN echo build\n\nFROM debian:12\nRUN curl -fsSL https://example.org/install.sh | sh\nUSER root\n',
    );
    config('approved:\n  - repository: debian\n    tags: ["12"]\n', dir);
    const r = await runCli(
      [
        'policy',
        `oci-dir://${dirs.clean}`,
        '--dockerfile',
        'Dockerfile',
        '-f',
        'json',
        '--db',
        dbPath,
        '--offline',
        '-q',
      ],
      { cwd: dir, env: { ...env(), BULWARK_CACHE_DIR: join(dir, 'cache') } },
    );
    expect(r.code).toBe(1);
    const ev = JSON.parse(r.stdout) as PolicyEvaluation;
    const lint = ev.results.find((x) => x.id === 'dockerfile-lint')!;
    expect(lint.status).toBe('fail');
    expect(lint.violations.map((v) => [v.id, v.path])).toEqual([
      ['final-user-root', 'Dockerfile'],
      ['pipe-to-shell', 'Dockerfile'],
    ]);
    expect(ev.results.find((x) => x.id === 'approved-base-image')).toMatchObject({
      status: 'pass',
      summary: `debian:12: approved by ${join(dir, '.bulwark.yaml')}#approved[0] (debian)`,
    });
    // Only the Dockerfile is at fault.
    expect(ev.results.filter((x) => x.status === 'fail').map((x) => x.id)).toEqual(['dockerfile-lint']);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe.skipIf(!ready)('bulwark policy: base image and attestations (registry on 127.0.0.1)', () => {
  let reportFile: string;
  let baseV1: string;
  const pusher = () => new Pusher(host);

  beforeAll(async () => {
    if (!ready) return;
    const baseImg = image([OS_RELEASE, { name: 'etc/base', content: 'v1' }]);
    baseV1 = await pusher().image('base', '12', baseImg);
    // A stored report of the clean image, built on that base (the base-image detection records it).
    const scan = await runCli(
      [
        'scan',
        `oci-dir://${dirs.clean}`,
        '-f',
        'json',
        '--db',
        dbPath,
        '--offline',
        '-q',
        '--scanners',
        'vuln,secret,config',
      ],
      { cwd: work, env: env() },
    );
    expect(scan.code).toBe(0);
    const doc = JSON.parse(scan.stdout) as Record<string, unknown>;
    doc.baseImage = {
      name: `${host}/base:12`,
      digest: baseV1,
      layers: 1,
      detectedBy: 'annotation',
      confidence: 'high',
    };
    reportFile = join(work, 'report.json');
    writeFileSync(reportFile, JSON.stringify(doc));
  }, 120_000);

  const judge = async (cwd: string, ...extra: string[]) => {
    const r = await runCli(['policy', '--report', reportFile, '-f', 'json', ...extra], { cwd, env: env() });
    const ev = JSON.parse(r.stdout) as PolicyEvaluation;
    expectPolicyDocument(ev);
    return { ...r, ev };
  };
  const of = (ev: PolicyEvaluation, id: PolicyId) => ev.results.find((x) => x.id === id)!;

  it('approved-base-image: passes when the catalogue allows the tag, fails with why when not', async () => {
    const dir = tempDir('bulwark-policy-approved-');
    config(`approved:\n  - repository: ${host}/base\n    tags: ['12', '12.*']\n    owner: platform\n`, dir);
    let r = await judge(dir);
    expect(of(r.ev, 'approved-base-image')).toMatchObject({
      status: 'pass',
      summary: `${host}/base:12: approved by ${join(dir, '.bulwark.yaml')}#approved[0] (${host}/base, owner platform)`,
    });
    config(`approved:\n  - repository: ${host}/base\n    versions: '>=13'\n`, dir);
    r = await judge(dir);
    expect(r.code).toBe(1);
    expect(of(r.ev, 'approved-base-image').violations).toEqual([
      {
        kind: 'base-image',
        id: `${host}/base:12`,
        message: `${host}/base: tag 12 is not in the version range >=13 (${join(dir, '.bulwark.yaml')}#approved[0])`,
        layer: 0,
      },
    ]);
    config('approved:\n  - repository: ghcr.io/acme/*\n', dir);
    r = await judge(dir);
    expect(of(r.ev, 'approved-base-image').violations[0]!.message).toBe(
      `${host}/base is not in the approved catalogue`,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('up-to-date-base-image: passes while the tag points to the base digest, fails once it moved', async () => {
    let r = await judge(work);
    expect(of(r.ev, 'up-to-date-base-image')).toMatchObject({
      status: 'pass',
      summary: `${host}/base:12 still points to ${baseV1}`,
    });
    // Without look-ups it cannot say.
    r = await judge(work, '--no-lookups');
    expect(of(r.ev, 'up-to-date-base-image')).toMatchObject({
      status: 'unknown',
      summary: `${host}/base:12: its registry was not asked`,
    });
    // A rebuilt base under the same tag.
    const v2 = await pusher().image('base', '12', image([OS_RELEASE, { name: 'etc/base', content: 'v2' }]));
    r = await judge(work);
    expect(r.code).toBe(1);
    expect(of(r.ev, 'up-to-date-base-image').violations).toEqual([
      {
        kind: 'base-image',
        id: `${host}/base:12`,
        message: `built on ${baseV1}; the tag now points to ${v2}: rebuild on the refreshed base`,
      },
    ]);
    // A tag that is gone: unknown, with why.
    const doc = JSON.parse(readFileSync(reportFile, 'utf8')) as { baseImage: { name: string } };
    doc.baseImage.name = `${host}/base:gone`;
    const gone = join(work, 'gone.json');
    writeFileSync(gone, JSON.stringify(doc));
    const g = await runCli(['policy', '--report', gone, '-f', 'json'], { cwd: work, env: env() });
    expect(of(JSON.parse(g.stdout) as PolicyEvaluation, 'up-to-date-base-image')).toMatchObject({
      status: 'unknown',
      summary: `${host}/base:gone: the tag no longer exists`,
    });
  });

  it('supply-chain-attestations: passes with an SBOM and provenance attached, fails naming what is missing', async () => {
    const attested = image(distroless([{ name: 'app/id', content: 'attested' }]), APP);
    await pusher().image('app', 'attested', attested);
    await attach(pusher(), 'app', attested, { sbom: true, provenance: true });
    const partial = image(distroless([{ name: 'app/id', content: 'partial' }]), APP);
    await pusher().image('app', 'partial', partial);
    await attach(pusher(), 'app', partial, { sbom: true });
    const ok = await evaluate(`registry://${host}/app:attested`);
    expect(ok.code).toBe(0);
    expect(ok.result('supply-chain-attestations')).toMatchObject({
      status: 'pass',
      summary: 'sbom and provenance attached',
    });
    const bad = await evaluate(`registry://${host}/app:partial`);
    expect(bad.code).toBe(1);
    expect(bad.result('supply-chain-attestations')).toMatchObject({
      status: 'fail',
      summary: 'missing: provenance',
      violations: [{ kind: 'image', id: 'provenance-attestation' }],
    });
  });

  it('a stored report: the policies needing scanners it did not run are unknown', async () => {
    const scan = await runCli(
      ['scan', `oci-dir://${dirs.glibc}`, '-f', 'json', '--db', dbPath, '--offline', '-q'],
      { cwd: work, env: env() },
    );
    const file = join(work, 'vuln-only.json');
    writeFileSync(file, scan.stdout);
    const r = await runCli(['policy', '--report', file, '-f', 'json'], { cwd: work, env: env() });
    const ev = JSON.parse(r.stdout) as PolicyEvaluation;
    expect(r.code).toBe(1);
    expect(of(ev, 'kev').status).toBe('fail');
    expect(of(ev, 'no-secrets')).toMatchObject({
      status: 'unknown',
      summary: 'secrets were not scanned (secret scanner)',
    });
    expect(of(ev, 'dockerfile-lint').status).toBe('unknown');
  });
});

describe.skipIf(!ready)('bulwark policy: outputs and errors', () => {
  it('SARIF: one rule per failed policy, one result per violation', async () => {
    const r = await policy([MINBASE(), '-f', 'sarif']);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: { ruleId: string; level: string; message: { text: string } }[];
      }[];
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.tool.driver.rules.map((x) => x.id)).toEqual([
      'bulwark-policy/dockerfile-lint',
      'bulwark-policy/non-root-user',
    ]);
    expect(sarif.runs[0]!.results.map((x) => [x.ruleId, x.level])).toEqual([
      ['bulwark-policy/dockerfile-lint', 'error'],
      ['bulwark-policy/non-root-user', 'error'],
    ]);
  });

  it('HTML: the scan report with a Policies section and the grade', async () => {
    const out = join(work, 'policy.html');
    const r = await policy([MINBASE(), '-f', 'html', '-o', out]);
    expect(r.code).toBe(1);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<h2 id="policies-h">Policies</h2>');
    expect(html).toContain('Health grade <strong id="health-grade">C</strong> (score 74/100)');
    expect(html).toMatch(/<tr data-policy="non-root-user" data-status="fail">/);
    expect(html).toContain('<h2 id="findings-h">Findings</h2>');
  });

  it('table: each policy with its status and violations', async () => {
    const r = await policy([MINBASE()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Health: C (score 74/100) — 2 failed, 5 passed, 3 unknown, 0 disabled');
    expect(r.stdout).toMatch(/^FAIL +non-root-user +Default user is not root$/m);
    expect(r.stdout).toMatch(/^PASS +kev +No known exploited vulnerabilities \(CISA KEV\)$/m);
    expect(r.stderr).toBe('bulwark: 2 policies failed: non-root-user, dockerfile-lint (health C)\n');
    expect((await policy([MINBASE(), '--exit-code', '9'])).code).toBe(9);
    // --min-grade gates on the grade alone: debian12-minbase is a C.
    expect((await policy([MINBASE(), '--min-grade', 'C'])).code).toBe(0);
    const worse = await policy([MINBASE(), '--min-grade', 'b']);
    expect(worse.code).toBe(1);
    expect(worse.stderr).toBe('bulwark: health grade C (score 74) is worse than --min-grade B\n');
  });

  it('errors: no target (2), a bad policies section (3), a file that is not a scan report (3)', async () => {
    const none = await policy([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('bulwark: give a target, or --report FILE with a stored scan report\n');
    const dir = tempDir('bulwark-policy-err-');
    config('policies:\n  kev: {threshold: 3}\n', dir);
    const bad = await policy([MINBASE()], dir);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toBe(
      `bulwark: ${join(dir, '.bulwark.yaml')}: policies.kev.threshold: unknown setting\n`,
    );
    config('policies:\n  epss: {threshold: 2}\n', dir);
    expect((await policy([MINBASE()], dir)).stderr).toBe(
      `bulwark: ${join(dir, '.bulwark.yaml')}: policies.epss.threshold: expected a probability from 0 to 1 (or 0%–100%)\n`,
    );
    writeFileSync(join(dir, 'x.json'), '{"schema":"bulwark-sbom/v1"}');
    const notReport = await runCli(['policy', '--report', 'x.json'], { cwd: dir, env: env() });
    expect(notReport.code).toBe(3);
    expect(notReport.stderr).toMatch(
      /^bulwark: x\.json: not a Bulwark scan report \(bulwark scan -f json\): schema: /,
    );
    rmSync(dir, { recursive: true, force: true });
  });
});
