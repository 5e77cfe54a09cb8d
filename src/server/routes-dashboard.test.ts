/**
 * The dashboard's read API on both engines (real SQLite, a real PostgreSQL started for the test), seeded
 * by pushing real scans of the test images (debian12-minbase, debian12-node, secrets-in-history) made
 * by the built CLI. Expectations are derived from those scan documents, not written down.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { IMAGES_DIR } from '../test-support/images.js';
import { ingest } from './register.js';
import { dashboardFixtures, KEV_CVE, KEV_DUE } from './test-support/dashboard-fixtures.js';
import { haveScanFixtures, startHarness, testEngines, type Harness } from './test-support/harness.js';
import { startPostgres, type TestPostgres } from './test-support/postgres.js';

const DAY = 86_400_000;
const WEB = 'registry.example.com/shop/web';
const LEAKY = 'registry.example.com/shop/leaky';
const API = 'registry.example.com/other/api';
const ok = haveScanFixtures();

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The secret values the secrets-in-history image really holds (from the image builder's notes). */
function realSecrets(): string[] {
  const text = readFileSync(join(IMAGES_DIR, 'secrets-in-history.expected'), 'utf8');
  return [...text.matchAll(/=(\S{16,})/g)].map((m) => m[1]!);
}

const rank: Record<string, number> = { critical: 5, high: 4, medium: 3, low: 2, negligible: 1, unknown: 0 };

/** Numeric dotted-version order (enough for the npm versions of these images). */
const semverCmp = (a: string, b: string): number => {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
};

describe.skipIf(!ok).each(testEngines())('dashboard API on %s', (engine) => {
  let pg: TestPostgres | undefined;
  let h: Harness;
  let scans: Record<'minbase' | 'node' | 'leaky', Json>;
  const tok = {} as Record<'admin' | 'dev' | 'viewer' | 'outsider', string>;
  const img = {} as Record<'webBase' | 'web' | 'leaky' | 'api', string>;
  const scanIds = {} as Record<'webBase' | 'web' | 'leaky' | 'apiNode' | 'apiMin', string>;
  let texts: Record<'minbase' | 'node' | 'leaky', string>;

  const get = async (token: string, path: string, query: Record<string, string> = {}) => {
    const r = await h.call('GET', path, { token, query });
    return r;
  };

  beforeAll(async () => {
    const fx = dashboardFixtures();
    texts = {
      minbase: fx.scans['debian12-minbase'],
      node: fx.scans['debian12-node'],
      leaky: fx.scans['secrets-in-history'],
    };
    scans = {
      minbase: JSON.parse(texts.minbase),
      node: JSON.parse(texts.node),
      leaky: JSON.parse(texts.leaky),
    };
    if (engine === 'postgres') pg = await startPostgres();
    h = await startHarness({ engine, ...(pg ? { pg } : {}), listen: true, vulnDb: fx.vulnDb });
    tok.admin = h.adminToken;
    for (const p of ['shop', 'other'])
      expect((await h.call('POST', '/projects', { token: tok.admin, body: { name: p } })).status).toBe(201);
    tok.dev = await h.user('dana', 'developer');
    tok.viewer = await h.user('vic', 'viewer', 'read');
    tok.outsider = await h.user('otto', 'developer');
    for (const [u, p] of [
      ['dana', 'shop'],
      ['vic', 'shop'],
      ['otto', 'other'],
    ])
      expect(
        (await h.call('PUT', `/projects/${p}/members/${u}`, { token: tok.admin, body: {} })).status,
      ).toBe(200);
    const push = async (project: string, text: string, query: Record<string, string>) => {
      const r = await h.call('POST', `/projects/${project}/scans`, { token: tok.admin, raw: text, query });
      expect(r.status, r.text).toBe(201);
      return r.body as { scanId: string; imageId: string };
    };
    // Day 0: the base image of web, and the api of the other project (node).
    let r = await push('shop', texts.minbase, { repository: WEB, tag: 'base', environment: 'production' });
    img.webBase = r.imageId;
    scanIds.webBase = r.scanId;
    r = await push('other', texts.node, { repository: API, tag: '1.0', environment: 'production' });
    img.api = r.imageId;
    scanIds.apiNode = r.scanId;
    h.advance(DAY);
    // Day 1: web 1.0 (node) in production, the leaky image in staging.
    r = await push('shop', texts.node, { repository: WEB, tag: '1.0', environment: 'production' });
    img.web = r.imageId;
    scanIds.web = r.scanId;
    r = await push('shop', texts.leaky, { repository: LEAKY, tag: 'latest', environment: 'staging' });
    img.leaky = r.imageId;
    scanIds.leaky = r.scanId;
    h.advance(2 * DAY);
    // Day 3: api is rebuilt on the bare base: its npm findings are fixed.
    r = await push('other', texts.minbase, { repository: API, tag: '1.0', environment: 'production' });
    scanIds.apiMin = r.scanId;
    h.advance(DAY);
  }, 240_000);
  afterAll(async () => {
    await h?.stop();
    pg?.stop();
  });

  const active = (s: Json) => s.findings.filter((f: Json) => !f.suppressed);
  const countBy = (s: Json, sev: string) => active(s).filter((f: Json) => f.severity === sev).length;

  it('overview: daily series from the finding history, totals, KEV exposure, riskiest images, events', async () => {
    const r = await get(tok.admin, '/dashboard/overview', { days: '7' });
    expect(r.status, r.text).toBe(200);
    const o = r.body;
    expect(o.series).toHaveLength(7);
    expect(o.series.map((s: Json) => s.day)).toEqual([...o.series.map((s: Json) => s.day)].sort());
    const today = o.series.at(-1);
    // Today: what is open in the register (nothing triaged yet, so open = present).
    for (const sev of ['critical', 'high', 'medium', 'low', 'unknown'])
      expect(today[sev]).toBe(o.totals.bySeverity[sev].open);
    // Day 1 and 2 (api still node): the node findings are there twice (web and api); day 3 api lost them.
    const d1 = o.series.at(-4);
    const d3 = o.series.at(-2);
    expect(d1.critical).toBe(2 * countBy(scans.node, 'critical'));
    expect(d3.critical).toBe(countBy(scans.node, 'critical'));
    const leakyFindings = active(scans.leaky).length;
    expect(o.totals.open).toBe(
      active(scans.minbase).length * 2 /* web:base, api */ +
        active(scans.node).length +
        leakyFindings -
        // web:base and web:1.0 share one repository: the base's findings are the node image's too.
        countShared(scans.minbase, scans.node),
    );
    expect(o.totals.fixable).toBeLessThanOrEqual(o.totals.open);
    expect(o.totals.fixableShare).toBeCloseTo(o.totals.fixable / o.totals.open, 2);
    expect(o.totals.kev).toBe(1);
    expect(o.kev).toEqual([{ vulnerabilityId: KEV_CVE, openFindings: 1 }]);
    expect(o.riskiestImages[0].grade).toBe('F');
    expect(o.grades.F).toBeGreaterThanOrEqual(2);
    const critical = o.events.find((e: Json) => e.severity === 'critical' && e.repository === WEB);
    expect(critical).toMatchObject({
      kind: 'new',
      project: 'shop',
      environment: 'production',
      production: true,
    });
    expect(o.events.some((e: Json) => e.vulnerabilityId === KEV_CVE && e.kev)).toBe(true);
    expect(o.events.map((e: Json) => e.at)).toEqual([...o.events.map((e: Json) => e.at)].sort().reverse());
  });

  /** Findings the node scan has with the same identity as the minbase scan (same repository). */
  function countShared(a: Json, b: Json): number {
    const key = (f: Json) =>
      `${f.vulnerabilityId}|${f.package.purl.split('@')[0]}|${f.package.locations?.[0]?.path}`;
    const inB = new Set(active(b).map(key));
    return new Set(
      active(a)
        .map(key)
        .filter((k: string) => inB.has(k)),
    ).size;
  }

  it('overview covers only the projects the caller can see', async () => {
    const dev = (await get(tok.dev, '/dashboard/overview')).body;
    const outsider = (await get(tok.outsider, '/dashboard/overview')).body;
    const admin = (await get(tok.admin, '/dashboard/overview')).body;
    expect(dev.totals.open + outsider.totals.open).toBe(admin.totals.open);
    expect(outsider.totals.open).toBe(active(scans.minbase).length);
    expect(outsider.kev).toEqual([]);
    expect(dev.riskiestImages.every((i: Json) => i.project === 'shop')).toBe(true);
    expect(outsider.events.every((e: Json) => e.project === 'other')).toBe(true);
    expect((await get(tok.outsider, '/dashboard/overview', { project: 'shop' })).status).toBe(404);
    const shopOnly = (await get(tok.admin, '/dashboard/overview', { project: 'shop' })).body;
    expect(shopOnly.totals).toEqual(dev.totals);
  });

  it('images list: grades, filters, sort, pagination, visibility', async () => {
    const all = (await get(tok.admin, '/dashboard/images', { sort: 'name' })).body;
    expect(all.total).toBe(4);
    expect(all.items.map((i: Json) => `${i.repository}:${i.tag}`)).toEqual([
      `${API}:1.0`,
      `${LEAKY}:latest`,
      `${WEB}:1.0`,
      `${WEB}:base`,
    ]);
    const web = all.items.find((i: Json) => i.id === img.web);
    expect(web.findings.critical).toBe(countBy(scans.node, 'critical'));
    expect(web.packages).toBe(scans.node.sbom.packages.length);
    expect(web.secrets).toBe(scans.node.secrets.length);
    expect(web.os).toBe(scans.node.sbom.distro.prettyName);
    expect(web.platform).toBe('linux/amd64');
    expect(web.size).toBe(scans.node.sbom.source.image.layers.reduce((t: number, l: Json) => t + l.size, 0));
    // Grades follow the documented rules: secrets → F; only fixable unknown-severity findings → B.
    expect(all.items.find((i: Json) => i.id === img.leaky).grade).toBe('F');
    const base = all.items.find((i: Json) => i.id === img.webBase);
    expect(active(scans.minbase).every((f: Json) => f.severity === 'unknown')).toBe(true);
    expect(base.grade).toBe(active(scans.minbase).some((f: Json) => f.fixable) ? 'B' : 'A');

    const ids = async (q: Record<string, string>, token = tok.admin) =>
      (await get(token, '/dashboard/images', q)).body.items.map((i: Json) => i.id);
    expect(await ids({ severity: 'critical' })).toEqual([img.web]);
    expect(await ids({ environment: 'staging' })).toEqual([img.leaky]);
    expect(await ids({ q: 'LEAKY' })).toEqual([img.leaky]);
    expect(await ids({ project: 'other' })).toEqual([img.api]);
    expect(await ids({ kev: 'true' })).toEqual([img.web]);
    expect((await ids({ grade: 'F', sort: 'name' })).sort()).toEqual([img.leaky, img.web].sort());
    expect(await ids({ fixable: 'false' })).toEqual([]);
    expect(await ids({ q: '100%_' })).toEqual([]);
    // risk: worst grade first, then score; deterministic and complete.
    const risk = (await get(tok.admin, '/dashboard/images')).body.items;
    expect(risk.map((i: Json) => i.grade)).toEqual([...risk.map((i: Json) => i.grade)].sort().reverse());
    const paged = [
      ...(await ids({ sort: 'name', limit: '2' })),
      ...(await ids({ sort: 'name', limit: '2', offset: '2' })),
    ];
    expect(paged).toEqual(all.items.map((i: Json) => i.id));
    expect(await ids({ sort: 'name', order: 'desc' })).toEqual([...paged].reverse());
    expect((await ids({}, tok.viewer)).sort()).toEqual([img.web, img.webBase, img.leaky].sort());
    expect(await ids({}, tok.outsider)).toEqual([img.api]);
    expect((await get(tok.outsider, '/dashboard/images', { project: 'shop' })).status).toBe(404);
    expect((await get(tok.dev, '/dashboard/images', { severity: 'bogus' })).body.error.code).toBe(
      'E_VALIDATION',
    );
  });

  it('image page: summary, layers with their instruction and what they added, redacted secrets', async () => {
    const r = await get(tok.viewer, `/projects/shop/images/${img.web}/overview`);
    expect(r.status, r.text).toBe(200);
    const o = r.body;
    const meta = scans.node.sbom.source.image;
    expect(o.image).toMatchObject({
      repository: WEB,
      tag: '1.0',
      environment: 'production',
      digest: meta.manifestDigest,
    });
    expect(o.summary).toMatchObject({
      os: scans.node.sbom.distro.prettyName,
      platform: 'linux/amd64',
      created: meta.created,
    });
    expect(o.layers).toHaveLength(meta.layers.length);
    for (const [i, l] of o.layers.entries()) {
      expect(l).toMatchObject({ index: i, digest: meta.layers[i].digest, size: meta.layers[i].size });
      expect(l.packages).toBe(scans.node.sbom.packages.filter((p: Json) => p.layer?.index === i).length);
      expect(l.findings.total).toBe(
        active(scans.node).filter((f: Json) => f.package.layer?.index === i).length,
      );
      expect(l.secrets).toBe(scans.node.secrets.filter((s: Json) => s.layer?.index === i).length);
    }
    // The layer that ran apt-get added the apt packages, and its findings are counted there.
    const apt = o.layers.find((l: Json) => /apt-get install/.test(l.createdBy));
    expect(apt.packages).toBeGreaterThan(0);
    const npmLayer = o.layers.find((l: Json) => /^COPY app/.test(l.createdBy));
    expect(npmLayer.findings.critical).toBe(countBy(scans.node, 'critical'));
    expect(o.grade.grade).toBe('F');
    expect(o.grade.reasons.join(' ')).toMatch(/KEV|secret/);
    expect(o.secrets).toHaveLength(scans.node.secrets.length);
    expect(o.secrets[0].secret.preview).toBe(scans.node.secrets[0].secret.preview);
    expect(o.scan).toMatchObject({ id: scanIds.web, isLatest: true, scans: 1 });
    expect((await get(tok.outsider, `/projects/shop/images/${img.web}/overview`)).status).toBe(404);
    expect((await get(tok.outsider, `/projects/other/images/${img.web}/overview`)).status).toBe(404);
  });

  it('never returns a secret value of the leaky image, from any dashboard endpoint', async () => {
    const secrets = realSecrets();
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    const base = `/projects/shop/images/${img.leaky}`;
    const texts: string[] = [];
    for (const [path, q] of [
      [`${base}/overview`, {}],
      [`${base}/packages`, { limit: '1000' }],
      [`${base}/vulnerabilities`, {}],
      [`${base}/scans`, {}],
      [`${base}/compare`, { 'with-scan': scanIds.web }],
      ...['sbom-json', 'cyclonedx-json', 'spdx-json', 'scan-json', 'sarif', 'html', 'cyclonedx-vex'].map(
        (format) => [`${base}/download`, { format }],
      ),
      ['/dashboard/images', {}],
      ['/dashboard/overview', {}],
    ] as [string, Record<string, string>][]) {
      const r = await get(tok.admin, path, q);
      expect(r.status, `${path} ${r.text.slice(0, 200)}`).toBe(200);
      texts.push(r.text);
    }
    for (const t of texts) for (const s of secrets) expect(t).not.toContain(s);
    const o = (await get(tok.admin, `${base}/overview`)).body;
    expect(o.secrets.length).toBe(scans.leaky.secrets.length);
    for (const s of o.secrets) expect(Array.from(s.secret.preview as string).length).toBeLessThanOrEqual(5);
    expect(o.secrets.some((s: Json) => s.status === 'deleted' && s.removedInLayer !== null)).toBe(true);
  });

  it('a pushed report cannot make the register keep more of a secret than the CLI shows', async () => {
    const doc = JSON.parse(texts.leaky);
    const full = 'AKIAZZZZZZZZZZZZZZZZ';
    doc.secrets = [
      { ...doc.secrets[0], secret: { preview: `${full}…`, length: full.length, fingerprint: 'abc' } },
    ];
    const r = await h.call('POST', '/projects/shop/scans', {
      token: tok.dev,
      body: doc,
      query: { repository: `${LEAKY}-forged`, environment: 'staging' },
    });
    expect(r.status).toBe(201);
    const o = await get(tok.dev, `/projects/shop/images/${r.body.imageId}/overview`);
    expect(o.text).not.toContain(full);
    expect(o.body.secrets[0].secret.preview).toBe('AKIA…');
  });

  it('packages: the SBOM with licences, filters and pagination', async () => {
    const base = `/projects/shop/images/${img.web}/packages`;
    const all = (await get(tok.viewer, base, { limit: '1000' })).body;
    expect(all.total).toBe(scans.node.sbom.packages.length);
    expect(all.types).toEqual([...new Set(scans.node.sbom.packages.map((p: Json) => p.type))].sort());
    const lodash = all.items.find((p: Json) => p.name === 'lodash');
    expect(lodash.licenses).toEqual(scans.node.sbom.packages.find((p: Json) => p.name === 'lodash').licenses);
    expect(lodash.findings.total).toBe(
      active(scans.node).filter((f: Json) => f.package.name === 'lodash').length,
    );
    const npm = (await get(tok.viewer, base, { type: 'npm', limit: '1000' })).body;
    expect(npm.total).toBe(scans.node.sbom.packages.filter((p: Json) => p.type === 'npm').length);
    const vulnerable = (await get(tok.viewer, base, { vulnerable: 'true', limit: '1000' })).body;
    expect(vulnerable.total).toBe(new Set(active(scans.node).map((f: Json) => f.package.id)).size);
    const layer2 = (await get(tok.viewer, base, { layer: '2', limit: '1000' })).body;
    expect(layer2.total).toBe(scans.node.sbom.packages.filter((p: Json) => p.layer?.index === 2).length);
    const mit = (await get(tok.viewer, base, { license: 'mit', limit: '1000' })).body;
    expect(mit.items.every((p: Json) => p.licenses.some((l: string) => /mit/i.test(l)))).toBe(true);
    const p1 = (await get(tok.viewer, base, { limit: '10' })).body.items;
    const p2 = (await get(tok.viewer, base, { limit: '10', offset: '10' })).body.items;
    expect([...p1, ...p2]).toEqual(all.items.slice(0, 20));
  });

  it('vulnerabilities by package: fix versions, "upgrade X to Y fixes N", register ids and states', async () => {
    const r = (await get(tok.viewer, `/projects/shop/images/${img.web}/vulnerabilities`, { limit: '1000' }))
      .body;
    expect(r.findings).toBe(scans.node.findings.length);
    const lodash = r.items.find((g: Json) => g.package.name === 'lodash');
    const lf = active(scans.node).filter((f: Json) => f.package.name === 'lodash' && f.fixable);
    expect(lodash.upgrade).toEqual({
      to: lf
        .map((f: Json) => f.fixedVersion)
        .sort(semverCmp)
        .at(-1),
      fixes: new Set(lf.map((f: Json) => f.vulnerabilityId)).size,
    });
    expect(r.upgrades[0].fixes).toBe(Math.max(...r.items.map((g: Json) => g.upgrade?.fixes ?? 0)));
    const worst = r.items.map((g: Json) => rank[g.worstSeverity]);
    expect(worst).toEqual([...worst].sort((a, b) => b - a));
    const register = (
      await h.call('GET', '/projects/shop/findings', {
        token: tok.viewer,
        query: { repository: WEB, limit: '1000' },
      })
    ).body;
    const ids = new Set(register.items.map((f: Json) => f.id));
    for (const g of r.items) for (const v of g.vulnerabilities) expect(ids.has(v.finding.id)).toBe(true);
    const crit = (
      await get(tok.viewer, `/projects/shop/images/${img.web}/vulnerabilities`, { severity: 'critical' })
    ).body;
    expect(crit.findings).toBe(countBy(scans.node, 'critical'));
    expect(crit.items[0].vulnerabilities[0]).toMatchObject({
      severity: 'critical',
      finding: { state: 'new' },
    });
  });

  it('scan history and compare with another tag, digest or scan', async () => {
    const hist = (await get(tok.viewer, `/projects/other/images/${img.api}/scans`, {})).status;
    expect(hist).toBe(404); // viewer is not in "other"
    const apiHist = (await get(tok.outsider, `/projects/other/images/${img.api}/scans`)).body;
    expect(apiHist.items.map((s: Json) => s.id)).toEqual([scanIds.apiMin, scanIds.apiNode]);
    expect(apiHist.items[0]).toMatchObject({ isLatest: true, grade: expect.any(String) });
    expect(apiHist.items[1].bySeverity.critical).toBe(countBy(scans.node, 'critical'));

    const base = `/projects/shop/images/${img.web}/compare`;
    const byTag = (await get(tok.viewer, base, { 'with-tag': 'base' })).body;
    expect(byTag.base.scanId).toBe(scanIds.webBase);
    expect(byTag.target.scanId).toBe(scanIds.web);
    expect(byTag.packages.added.map((p: Json) => p.name)).toContain('lodash');
    expect(byTag.vulnerabilities.added.map((v: Json) => v.vulnerabilityId)).toContain('CVE-2021-44906');
    expect(byTag.packages.removed).toEqual([]);
    const byDigest = (
      await get(tok.viewer, base, { 'with-digest': scans.minbase.sbom.source.image.manifestDigest })
    ).body;
    expect(byDigest.packages).toEqual(byTag.packages);
    // The other way round: the base lacks what the node image added.
    const back = (
      await get(tok.viewer, `/projects/shop/images/${img.webBase}/compare`, { 'with-scan': scanIds.web })
    ).body;
    const names = (l: Json[]) => l.map((p) => `${p.type}/${p.name}`);
    expect(names(back.packages.removed)).toEqual(names(byTag.packages.added));
    expect(back.packages.removed[0].before).toEqual(byTag.packages.added[0].after);
    // Another project's scan is not found; naming two sides or none is a 400.
    expect((await get(tok.admin, base, { 'with-scan': scanIds.apiNode })).status).toBe(404);
    expect((await get(tok.viewer, base, {})).status).toBe(400);
    expect((await get(tok.viewer, base, { 'with-tag': 'base', 'with-scan': scanIds.web })).status).toBe(400);
  });

  it('downloads: SBOM as CycloneDX/SPDX, scan as JSON/SARIF/HTML, VEX; the same documents as the CLI', async () => {
    const base = `/projects/shop/images/${img.web}/download`;
    const dl = async (format: string) => {
      const r = await get(tok.viewer, base, { format });
      expect(r.status, r.text.slice(0, 200)).toBe(200);
      expect(String(r.headers['content-disposition'])).toMatch(/^attachment; filename="web-1\.0\./);
      return r;
    };
    const cdx = (await dl('cyclonedx-json')).body;
    expect(cdx.bomFormat).toBe('CycloneDX');
    expect(cdx.components.length).toBeGreaterThanOrEqual(scans.node.sbom.packages.length);
    const spdx = (await dl('spdx-json')).body;
    expect(spdx.spdxVersion).toBe('SPDX-2.3');
    const sbom = (await dl('sbom-json')).body;
    expect(sbom.packages.map((p: Json) => p.id)).toEqual(scans.node.sbom.packages.map((p: Json) => p.id));
    const json = (await dl('scan-json')).body;
    expect(json.schema).toBe('bulwark-scan/v1');
    expect(json.findings.map((f: Json) => f.id)).toEqual(scans.node.findings.map((f: Json) => f.id));
    expect(json.summary).toEqual(scans.node.summary);
    const sarif = (await dl('sarif')).body;
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.length).toBeGreaterThan(0);
    const html = await dl('html');
    expect(String(html.headers['content-type'])).toMatch(/^text\/html/);
    expect(html.text).toMatch(/^<!doctype html>/i);
    expect(html.text).toContain('CVE-2021-44906');
    const vex = (await dl('cyclonedx-vex')).body;
    expect(vex.vulnerabilities.length).toBe(
      new Set(scans.node.findings.map((f: Json) => f.vulnerabilityId)).size,
    );
    const openvex = (await dl('openvex')).body;
    expect(openvex['@context']).toMatch(/openvex/);
    expect((await get(tok.viewer, base, { format: 'pdf' })).status).toBe(400);
  });

  it('vulnerability page: CVSS in words, KEV due date, fix versions, affected images per caller', async () => {
    const f = scans.node.findings.find((x: Json) => x.vulnerabilityId === KEV_CVE);
    const r = await get(tok.dev, `/vulnerabilities/${KEV_CVE}`);
    expect(r.status, r.text).toBe(200);
    const v = r.body;
    expect(v.summary).toBe(f.summary);
    expect(v.kev).toMatchObject({ dueDate: KEV_DUE, requiredAction: 'Upgrade lodash.' });
    expect(v.severity).toBe(f.severity);
    expect(v.cvss.map((c: Json) => c.vector)).toContain(f.cvss.vector);
    const c = v.cvss.find((x: Json) => x.vector === f.cvss.vector);
    expect(c.baseScore).toBe(f.cvss.score);
    expect(c.metrics.find((m: Json) => m.metric === 'AV')).toMatchObject({ name: 'Attack Vector' });
    expect(v.references.length).toBeGreaterThan(0);
    expect(
      v.fixVersions.find((x: Json) => x.ecosystem === 'npm' && x.package === 'lodash').fixedVersions,
    ).toContain(f.fixedVersion);
    expect(v.fixVersionsInImages).toEqual([
      { type: 'npm', package: 'lodash', fixedVersions: [f.fixedVersion] },
    ]);
    // dana sees shop's finding; otto sees the api finding (fixed since), never shop's.
    expect(v.affected.items.map((a: Json) => [a.project, a.repository, a.state])).toEqual([
      ['shop', WEB, 'new'],
    ]);
    const otto = (await get(tok.outsider, `/vulnerabilities/${KEV_CVE}`)).body;
    expect(otto.affected.items.map((a: Json) => [a.project, a.repository, a.state])).toEqual([
      ['other', API, 'fixed'],
    ]);
    const admin = (await get(tok.admin, `/vulnerabilities/${KEV_CVE}`)).body;
    expect(admin.affected.total).toBe(2);
    expect(admin.affected.projects).toBe(2);
    expect(v.affected.projects).toBe(1);
    // Found by alias too.
    const alias = f.aliases.find((a: string) => a.startsWith('GHSA-'));
    const byAlias = (await get(tok.dev, `/vulnerabilities/${alias}`)).body;
    expect(byAlias.affected.items.map((a: Json) => a.id)).toEqual(v.affected.items.map((a: Json) => a.id));
    expect((await get(tok.dev, '/vulnerabilities/CVE-1999-00000')).status).toBe(404);
  });

  it('finding history: each state change with who, when and why', async () => {
    const f = (
      await h.call('GET', '/projects/shop/findings', { token: tok.dev, query: { severity: 'critical' } })
    ).body.items[0];
    const t = await h.call('POST', `/projects/shop/findings/${f.id}/state`, {
      token: tok.dev,
      body: { state: 'triaged', reason: 'reachable from the login handler' },
    });
    expect(t.status).toBe(200);
    const hist = (await get(tok.viewer, `/projects/shop/findings/${f.id}/history`)).body;
    expect(hist.state).toBe('triaged');
    expect(hist.items.map((i: Json) => [i.action, i.from, i.to, i.actor])).toEqual([
      ['finding.opened', null, 'new', 'admin'],
      ['finding.transition', 'new', 'triaged', 'dana'],
    ]);
    expect(hist.items[1].reason).toBe('reachable from the login handler');
    expect(hist.items[0].scanId).toBe(scanIds.web);
    expect((await get(tok.outsider, `/projects/shop/findings/${f.id}/history`)).status).toBe(404);
  });

  it('an uploaded SBOM (matched by the server) gets the same summary and layers', async () => {
    const r = await h.call('POST', '/projects/shop/sboms', {
      token: tok.dev,
      raw: JSON.stringify(scans.node.sbom),
      query: { repository: `${WEB}-sbom`, environment: 'staging' },
    });
    expect(r.status, r.text).toBe(201);
    const o = (await get(tok.dev, `/projects/shop/images/${r.body.imageId}/overview`)).body;
    expect(o.summary.packages).toBe(scans.node.sbom.packages.length);
    expect(o.layers.map((l: Json) => l.packages)).toEqual(
      scans.node.sbom.source.image.layers.map(
        (l: Json) => scans.node.sbom.packages.filter((p: Json) => p.layer?.index === l.index).length,
      ),
    );
    expect(o.summary.findings.critical).toBe(countBy(scans.node, 'critical'));
    // Other ingest paths (e.g. server-side jobs) that pass no parsed document: the summary is computed
    // from the stored SBOM text.
    const shop = (await get(tok.admin, '/projects/shop')).body;
    const res = await ingest(
      h.server.services.store,
      h.config,
      { id: null, name: 'job' },
      {
        projectId: shop.id,
        image: { repository: `${WEB}-job`, tag: 'x', environment: 'dev' },
        kind: 'scan-report',
        sbomJson: JSON.stringify(scans.node.sbom),
        packageCount: scans.node.sbom.packages.length,
        findings: scans.node.findings,
        findingsJson: JSON.stringify(scans.node.findings),
      },
      h.now().toISOString(),
    );
    const j = (await get(tok.dev, `/projects/shop/images/${res.imageId}/overview`)).body;
    expect(j.layers).toEqual(o.layers);
    expect(j.summary.findings).toEqual(o.summary.findings);
  });
  it('SARIF uploads (code findings) count in the overview but are not listed as images', async () => {
    const before = (await get(tok.admin, '/dashboard/images', { project: 'shop' })).body;
    const overviewBefore = (await get(tok.admin, '/dashboard/overview', { project: 'shop' })).body;
    const log = {
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'Semgrep OSS',
              rules: [{ id: 'js.sqli', defaultConfiguration: { level: 'error' } }],
            },
          },
          results: [
            {
              ruleId: 'js.sqli',
              message: { text: 'SQL injection in src/db.js' },
              locations: [
                { physicalLocation: { artifactLocation: { uri: 'src/db.js' }, region: { startLine: 3 } } },
              ],
            },
          ],
        },
      ],
    };
    const r = await h.call('POST', '/projects/shop/sarif', {
      token: tok.dev,
      body: log,
      query: { repository: 'https://github.com/acme/shop' },
    });
    expect(r.status, r.text).toBe(201);
    const after = (await get(tok.admin, '/dashboard/images', { project: 'shop' })).body;
    expect(after.items.map((i: Json) => i.id)).toEqual(before.items.map((i: Json) => i.id));
    const overviewAfter = (await get(tok.admin, '/dashboard/overview', { project: 'shop' })).body;
    expect(overviewAfter.totals.open).toBe(overviewBefore.totals.open + 1);
  });

  // Last: it adds a project of 10,000 images (the earlier tests count images).
  it('the image list stays fast with 10,000 images (server-side filter, sort and pagination)', async () => {
    const db = h.server.services.store.db;
    const project = (await h.call('POST', '/projects', { token: tok.admin, body: { name: 'bulk' } })).body;
    const now = h.now().toISOString();
    const N = 10_000;
    const grades = ['A', 'B', 'C', 'D', 'E', 'F'];
    for (let i = 0; i < N; i += 500) {
      const images = [];
      const scanRows = [];
      const summaries = [];
      for (let j = i; j < Math.min(N, i + 500); j++) {
        const id = `bulk-image-${String(j).padStart(5, '0')}`;
        const scanId = `bulk-scan-${String(j).padStart(5, '0')}`;
        images.push({
          id,
          project_id: project.id,
          repository: `registry.example.com/bulk/svc-${j % 997}`,
          tag: `v${j}`,
          environment: ['production', 'staging', 'dev'][j % 3]!,
          digest: null,
          created_at: now,
          last_scan_id: scanId,
          last_scan_at: new Date(Date.parse(now) - j * 1000).toISOString(),
        });
        scanRows.push({
          id: scanId,
          project_id: project.id,
          image_id: id,
          repository: `registry.example.com/bulk/svc-${j % 997}`,
          digest: null,
          kind: 'scan-report',
          sbom: '{}',
          findings: '[]',
          package_count: 0,
          finding_count: 0,
          summary: '{}',
          db_built_at: null,
          created_by: 'bench',
          created_at: now,
        });
        summaries.push({
          scan_id: scanId,
          project_id: project.id,
          image_id: id,
          kind: 'scan-report',
          grade: grades[j % 6]!,
          score: j % 101,
          critical: j % 7 === 0 ? 1 : 0,
          high: j % 5,
          medium: j % 11,
          low: 0,
          negligible: 0,
          unknown: j % 13,
          fixable: j % 4 === 0 ? 0 : 3,
          kev: j % 50 === 0 ? 1 : 0,
          secrets: 0,
          packages: 100 + (j % 300),
          os: 'Debian GNU/Linux 12 (bookworm)',
          platform: 'linux/amd64',
          base_image: j % 2 ? 'docker.io/library/debian:12' : null,
          size: 1_000_000 + j,
          image_created: now,
          details: '{}',
        });
      }
      await db.insertInto('images').values(images).execute();
      await db.insertInto('scans').values(scanRows).execute();
      await db.insertInto('scan_summaries').values(summaries).execute();
    }
    const queries: Record<string, string>[] = [
      { project: 'bulk' },
      { project: 'bulk', sort: 'name', offset: '9950' },
      { project: 'bulk', severity: 'critical', fixable: 'true', environment: 'production' },
      { project: 'bulk', q: 'svc-42', sort: 'last-scan' },
      { project: 'bulk', baseImage: 'debian', grade: 'E,F', sort: 'critical' },
      {},
    ];
    const timings: number[] = [];
    for (const q of queries) {
      for (let k = 0; k < 3; k++) {
        const t0 = performance.now();
        const r = await get(tok.admin, '/dashboard/images', q);
        timings.push(performance.now() - t0);
        expect(r.status).toBe(200);
        if (k === 0 && !q.q && !q.severity && !q.baseImage && q.project) expect(r.body.total).toBe(N);
      }
    }
    const overview0 = performance.now();
    expect((await get(tok.admin, '/dashboard/overview')).status).toBe(200);
    const overviewMs = performance.now() - overview0;
    timings.sort((a, b) => a - b);
    const p95 = timings[Math.floor(timings.length * 0.95)]!;
    console.log(
      `dashboard images list on ${engine}, 10,000 images: median ${timings[timings.length >> 1]!.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms; overview ${overviewMs.toFixed(1)} ms`,
    );
    // Generous bound for a shared 2-core machine; the measured numbers are printed above.
    expect(p95).toBeLessThan(1000);
    const deep = (
      await get(tok.admin, '/dashboard/images', { project: 'bulk', sort: 'name', offset: '9998' })
    ).body;
    expect(deep.items).toHaveLength(2);
  }, 120_000);
});
