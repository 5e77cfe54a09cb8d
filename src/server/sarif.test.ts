/**
 * SARIF uploads on both engines: a real SARIF producer (`bulwark lint -f sarif`, with
 * partialFingerprints) and a Semgrep-style log without fingerprints, both checked against the official
 * SARIF 2.1.0 schema first; their results become findings with the register's lifecycle.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/test-support/capture.js';
import { startHarness, testEngines, type Harness } from './test-support/harness.js';
import { startPostgres, type TestPostgres } from './test-support/postgres.js';

// The official SARIF 2.1.0 schema (draft-04, read by ajv 8 with `id` spelled `$id`), as in report/scan.
const require = createRequire(import.meta.url);
const raw = JSON.parse(
  readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
) as Record<string, unknown>;
const { $schema: _draft, id, ...rest } = raw;
const ajv = new Ajv.default({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats.default(ajv);
const validSarif = ajv.compile({ $id: String(id), ...rest });

const DOCKERFILE = [
  'FROM ubuntu:latest',
  'RUN apt-get update && apt-get install -y curl',
  'ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'ADD http://example.com/x.tgz /x',
  '',
].join('\n');

/** A Semgrep-like log: no fingerprints, snippets, levels, a category, one result suppressed in source. */
function semgrep(results: { rule: string; file: string; line: number; snippet: string }[]) {
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: {
          driver: {
            name: 'Semgrep OSS',
            semanticVersion: '1.50.0',
            rules: [
              {
                id: 'js.sqli',
                defaultConfiguration: { level: 'error' },
                shortDescription: { text: 'SQL injection' },
              },
              { id: 'js.weak-hash', defaultConfiguration: { level: 'note' } },
            ],
          },
        },
        automationDetails: { id: 'semgrep-ci/2026-06-01' },
        versionControlProvenance: [{ repositoryUri: 'https://github.com/acme/shop' }],
        results: [
          ...results.map((r) => ({
            ruleId: r.rule,
            message: { text: `${r.rule} in ${r.file}` },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: r.file },
                  region: { startLine: r.line, snippet: { text: r.snippet } },
                },
              },
            ],
          })),
          {
            ruleId: 'js.weak-hash',
            message: { text: 'md5 for a cache key' },
            suppressions: [{ kind: 'inSource' }],
            locations: [{ physicalLocation: { artifactLocation: { uri: 'src/cache.js' } } }],
          },
        ],
      },
    ],
  };
}

describe.each(testEngines())('SARIF uploads on %s', (engine) => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-sarif-'));
  let pg: TestPostgres | undefined;
  let h: Harness;
  let dev: string;

  beforeAll(async () => {
    if (engine === 'postgres') pg = await startPostgres();
    h = await startHarness({ engine, ...(pg ? { pg } : {}), env: { BULWARK_SERVER_MAX_BODY: '1MiB' } });
    await h.call('POST', '/projects', { token: h.adminToken, body: { name: 'shop' } });
    dev = await h.user('dana', 'developer');
    await h.call('PUT', '/projects/shop/members/dana', { token: h.adminToken, body: {} });
  });
  afterAll(async () => {
    await h?.stop();
    pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const upload = (doc: unknown, query: Record<string, string> = {}) =>
    h.call('POST', '/projects/shop/sarif', {
      token: dev,
      ...(typeof doc === 'string' ? { raw: doc } : { body: doc }),
      query,
    });
  const lint = async (dockerfile: string) => {
    writeFileSync(join(dir, 'Dockerfile'), dockerfile);
    const r = await runCli(['lint', 'Dockerfile', '-f', 'sarif'], {
      cwd: dir,
      env: { HOME: dir, NO_COLOR: '1' },
    });
    const doc = JSON.parse(r.stdout);
    expect(validSarif(doc), JSON.stringify(validSarif.errors)).toBe(true);
    return doc;
  };
  const findings = async (query: Record<string, string> = {}) =>
    (await h.call('GET', '/projects/shop/findings', { token: dev, query: { limit: '1000', ...query } })).body
      .items as {
      id: string;
      vulnerabilityId: string;
      severity: string;
      state: string;
      repository: string;
      package: { name: string; type: string; purl: string; location: string };
    }[];

  it('turns a real SARIF producer’s results into findings, keyed by rule and fingerprint', async () => {
    const doc = await lint(DOCKERFILE);
    const results = doc.runs[0].results.length as number;
    expect(results).toBeGreaterThan(3);
    const r = await upload(doc, { repository: 'github.com/acme/shop' });
    expect(r.status).toBe(201);
    expect(r.body.uploads).toEqual([
      expect.objectContaining({ tool: 'bulwark-lint', category: '', new: results, fixed: 0 }),
    ]);
    const list = await findings({ repository: 'github.com/acme/shop' });
    expect(list).toHaveLength(results);
    for (const f of list) {
      expect(f.package).toMatchObject({
        name: 'bulwark-lint',
        type: 'sarif',
        purl: 'pkg:sarif/bulwark-lint',
      });
      expect(f.package.location).toMatch(/^Dockerfile#fp:[0-9a-f]{24}$/);
    }
    // security-severity 9.0+ → critical; the ENV secret is the worst finding.
    const secret = list.filter((f) => /secret/.test(f.vulnerabilityId));
    expect(secret.length).toBeGreaterThan(0);
    expect(new Set(list.map((f) => f.severity)).size).toBeGreaterThan(1);
  });

  it('a newer upload keeps identities when lines move, fixes what is gone, reopens what comes back', async () => {
    const before = await findings({ repository: 'github.com/acme/shop' });
    // A comment on top moves every line; the secret ENV line is removed.
    const moved = [
      '# syntax=docker/dockerfile:1',
      ...DOCKERFILE.split('\n').filter((l) => !l.startsWith('ENV')),
    ];
    const doc = await lint(moved.join('\n'));
    const r = await upload(doc, { repository: 'github.com/acme/shop' });
    expect(r.body.uploads[0]).toMatchObject({ new: 0, reopened: 0 });
    expect(r.body.uploads[0].fixed).toBeGreaterThan(0);
    const after = await findings({ repository: 'github.com/acme/shop' });
    expect(after.map((f) => f.id).sort()).toEqual(before.map((f) => f.id).sort());
    const fixed = after.filter((f) => f.state === 'fixed');
    expect(fixed.length).toBe(r.body.uploads[0].fixed);
    expect(fixed.every((f) => /secret|credential/i.test(f.vulnerabilityId))).toBe(true);
    const back = await upload(await lint(DOCKERFILE), { repository: 'github.com/acme/shop' });
    expect(back.body.uploads[0]).toMatchObject({ new: 0, fixed: 0, reopened: fixed.length });
  });

  it('Semgrep-style logs without fingerprints: snippet hash, category scope, source suppressions left out', async () => {
    const doc = semgrep([
      { rule: 'js.sqli', file: 'src/db.js', line: 10, snippet: 'db.query("SELECT * FROM t WHERE id=" + id)' },
      { rule: 'js.sqli', file: 'src/api.js', line: 42, snippet: 'db.query(`DELETE FROM t WHERE id=${id}`)' },
    ]);
    expect(validSarif(doc), JSON.stringify(validSarif.errors)).toBe(true);
    const r = await upload(doc);
    expect(r.status).toBe(201);
    expect(r.body.uploads).toEqual([
      expect.objectContaining({
        tool: 'Semgrep OSS',
        category: 'semgrep-ci',
        repository: 'https://github.com/acme/shop',
        new: 2,
      }),
    ]);
    const list = await findings({ repository: 'https://github.com/acme/shop' });
    expect(list.map((f) => [f.vulnerabilityId, f.severity, f.package.purl])).toEqual([
      ['js.sqli', 'high', 'pkg:sarif/semgrep%20oss/semgrep-ci'],
      ['js.sqli', 'high', 'pkg:sarif/semgrep%20oss/semgrep-ci'],
    ]);
    // Moved lines and re-indented snippets keep the findings; the other category does not touch them.
    const again = semgrep([
      {
        rule: 'js.sqli',
        file: 'src/db.js',
        line: 12,
        snippet: '  db.query("SELECT * FROM t WHERE id="   + id)',
      },
      { rule: 'js.sqli', file: 'src/api.js', line: 40, snippet: 'db.query(`DELETE FROM t WHERE id=${id}`)' },
    ]);
    expect((await upload(again)).body.uploads[0]).toMatchObject({ new: 0, fixed: 0, unchanged: 2 });
    const other = await upload(semgrep([]), { category: 'nightly' });
    expect(other.body.uploads[0]).toMatchObject({ category: 'nightly', new: 0, fixed: 0 });
    expect((await findings({ repository: 'https://github.com/acme/shop', state: 'fixed' })).length).toBe(0);
    // An empty upload of the same category fixes both.
    expect((await upload(semgrep([]))).body.uploads[0]).toMatchObject({ fixed: 2 });
  });

  it('triage works on SARIF findings, and image scans of the same repository leave them alone', async () => {
    const [f] = (await findings({ repository: 'github.com/acme/shop' })).filter((x) => x.state !== 'fixed');
    const t = await h.call('POST', `/projects/shop/findings/${f!.id}/state`, {
      token: dev,
      body: { state: 'false-positive', reason: 'the test Dockerfile is never built' },
    });
    expect(t.status).toBe(200);
    const openBefore = (await findings({ repository: 'github.com/acme/shop' })).filter(
      (x) => x.state !== 'fixed',
    );
    // A scan report with no findings for the same repository name: image findings only.
    const push = await h.call('POST', '/projects/shop/scans', {
      token: dev,
      query: { repository: 'github.com/acme/shop' },
      body: {
        schema: 'bulwark-scan/v1',
        findings: [],
        sbom: {
          schema: 'bulwark-sbom/v1',
          tool: { name: 'bulwark', version: '0' },
          source: { kind: 'directory', target: 'fs://app', path: '/app' },
          packages: [],
          relationships: [],
          unknowns: [],
          catalogers: [],
        },
      },
    });
    expect(push.status).toBe(201);
    expect(push.body.fixed).toBe(0);
    const openAfter = (await findings({ repository: 'github.com/acme/shop' })).filter(
      (x) => x.state !== 'fixed',
    );
    expect(openAfter.map((x) => [x.id, x.state])).toEqual(openBefore.map((x) => [x.id, x.state]));
  });

  it('refuses what is not SARIF 2.1.0 with one clear 400, and bodies over max-body with 413', async () => {
    const cases: [unknown, RegExp][] = [
      [{ version: '2.0.0', runs: [] }, /^body\.version: expected SARIF version "2\.1\.0"$/],
      [{ version: '2.1.0' }, /^body\.runs: /],
      [{ version: '2.1.0', runs: [{ tool: {} }] }, /^body\.runs\.0\.tool\.driver: /],
      [
        {
          version: '2.1.0',
          runs: [{ tool: { driver: { name: 't' } }, results: [{ message: { text: 'x' } }] }],
        },
        /^body\.runs\[0\]\.results\[0\]: no ruleId/,
      ],
      ['[1,2', /./],
      ['"just a string"', /expected a JSON document/],
    ];
    for (const [doc, msg] of cases) {
      const r = await upload(doc, { repository: 'x' });
      expect(r.status, JSON.stringify(doc)).toBe(400);
      expect(r.body.error.message).toMatch(msg);
    }
    const noRepo = await upload({
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 't' } }, results: [] }],
    });
    expect(noRepo.status).toBe(400);
    expect(noRepo.body.error.message).toMatch(/^query\.repository: name the source repository/);
    const big = semgrep([{ rule: 'js.sqli', file: 'a.js', line: 1, snippet: 'x'.repeat(1_200_000) }]);
    const r = await upload(big);
    expect(r.status).toBe(413);
    expect(r.body.error.message).toMatch(/max-body/);
  });
});
