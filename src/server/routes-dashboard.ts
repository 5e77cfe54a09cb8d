/**
 * The read API behind the web dashboard: the organisation overview, the image list across projects
 * with health grades, the image page (summary, layers, packages, vulnerabilities by package, scan
 * history, compare, downloads), the vulnerability page and a finding's history. Every answer covers
 * only the projects the caller can see, never shows a secret value (the CLI's redacted preview at
 * most), and is sorted deterministically (every order ends with a unique key).
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { compareReports } from '../engine/compare.js';
import { renderScanReport } from '../report/scan/index.js';
import { formatSbom } from '../sbom/format/index.js';
import { compareVersions, schemeForEcosystem } from '../version/index.js';
import { explainCvss } from './dashboard/cvss.js';
import { GRADES } from './dashboard/grade.js';
import {
  containsCi,
  dayRange,
  imageInProject,
  must,
  scanOfImage,
  summaryOf,
  visibleProjects,
} from './dashboard/queries.js';
import { storedFindingsJson, storedReport, storedSbom } from './dashboard/stored.js';
import { findingFixable, SEVERITIES, severityOf } from './dashboard/summary.js';
import { badRequest, notFound } from './errors.js';
import { findingIdentity, versionlessPurl } from './identity.js';
import { expireAcceptances } from './register.js';
import { route, type RouteContext, type RouteDef } from './route.js';
import { OPEN_STATES, type FindingsTable, type ScansTable } from './store/schema.js';
import { openVexForImage } from './vex.js';
import { auditView, findingView, isOverdue } from './views.js';

const SEVERITY_RANK: Readonly<Record<string, number>> = {
  critical: 5,
  high: 4,
  medium: 3,
  low: 2,
  negligible: 1,
  unknown: 0,
};
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const csvList = z
  .string()
  .max(4000)
  .transform((s) =>
    s
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  );
const csvOf = <T extends string>(values: readonly [T, ...T[]]) => csvList.pipe(z.array(z.enum(values)));
const severityCsv = csvOf(SEVERITIES as unknown as ['critical', ...string[]]);
const bool = z.enum(['true', 'false']);
const page = (max: number, dflt: number) => ({
  limit: z.coerce.number().int().min(1).max(max).default(dflt),
  offset: z.coerce.number().int().min(0).default(0),
});

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Counts by severity as numbers (PostgreSQL returns sums and counts as strings). */
const n = (v: unknown): number => Number(v ?? 0);

/** An image list row as the API shows it. */
function imageRowView(r: Record<string, unknown>) {
  const has = r.grade !== null && r.grade !== undefined;
  return {
    id: r.id as string,
    project: r.project_name as string,
    repository: r.repository as string,
    tag: r.tag as string,
    environment: r.environment as string,
    digest: (r.digest as string | null) ?? null,
    lastScanId: (r.last_scan_id as string | null) ?? null,
    lastScanAt: (r.last_scan_at as string | null) ?? null,
    // Null for images whose newest scan predates the summary table (no grade computed).
    grade: has ? (r.grade as string) : null,
    score: has ? n(r.score) : null,
    findings: has ? Object.fromEntries(SEVERITIES.map((s) => [s, n(r[s])])) : null,
    fixable: has ? n(r.fixable) : null,
    kev: has ? n(r.kev) : null,
    secrets: has ? n(r.secrets) : null,
    packages: has ? n(r.packages) : null,
    os: (r.os as string | null) ?? null,
    platform: (r.platform as string | null) ?? null,
    baseImage: (r.base_image as string | null) ?? null,
    size: r.size === null || r.size === undefined ? null : n(r.size),
  };
}

/** The images (newest scan's summary joined) of the given projects; `null` ids: every project. */
function imagesQuery(ctx: RouteContext, projectIds: readonly string[] | null) {
  let q = ctx.services.store.db
    .selectFrom('images')
    .innerJoin('projects', 'projects.id', 'images.project_id')
    .leftJoin('scan_summaries', 'scan_summaries.scan_id', 'images.last_scan_id');
  if (projectIds) q = q.where('images.project_id', 'in', projectIds.length ? projectIds : ['']);
  // SARIF uploads (code, not container images) have image rows of their own: not listed as images.
  return q.where((eb) =>
    eb.or([eb('scan_summaries.kind', 'is', null), eb('scan_summaries.kind', '<>', 'sarif')]),
  );
}

const IMAGE_COLUMNS = [
  'images.id',
  'images.repository',
  'images.tag',
  'images.environment',
  'images.digest',
  'images.last_scan_id',
  'images.last_scan_at',
  'projects.name as project_name',
  'scan_summaries.grade',
  'scan_summaries.score',
  'scan_summaries.critical',
  'scan_summaries.high',
  'scan_summaries.medium',
  'scan_summaries.low',
  'scan_summaries.negligible',
  'scan_summaries.unknown',
  'scan_summaries.fixable',
  'scan_summaries.kev',
  'scan_summaries.secrets',
  'scan_summaries.packages',
  'scan_summaries.os',
  'scan_summaries.platform',
  'scan_summaries.base_image',
  'scan_summaries.size',
] as const;

/** Project ids to query: `null` when the caller sees every project and named none. */
async function scopeIds(ctx: RouteContext, names?: readonly string[]): Promise<string[] | null> {
  const p = must(ctx.principal);
  const visible = await visibleProjects(ctx, names);
  const everything = (p.role === 'admin' || p.role === 'security') && !p.tokenProjects && !names?.length;
  return everything ? null : [...visible.keys()];
}

function whereProjects<Q extends { where: (...a: never[]) => Q }>(
  q: Q,
  col: string,
  ids: string[] | null,
): Q {
  if (!ids) return q;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (q as any).where(col, 'in', ids.length ? ids : ['']) as Q;
}

const downloadFormats = [
  'sbom-json',
  'cyclonedx-json',
  'spdx-json',
  'scan-json',
  'sarif',
  'html',
  'cyclonedx-vex',
  'openvex',
] as const;
type DownloadFormat = (typeof downloadFormats)[number];

const DOWNLOAD: Readonly<Record<DownloadFormat, { type: string; ext: string }>> = {
  'sbom-json': { type: 'application/json', ext: 'sbom.json' },
  'cyclonedx-json': { type: 'application/vnd.cyclonedx+json', ext: 'cdx.json' },
  'spdx-json': { type: 'application/spdx+json', ext: 'spdx.json' },
  'scan-json': { type: 'application/json', ext: 'scan.json' },
  sarif: { type: 'application/sarif+json', ext: 'sarif' },
  html: { type: 'text/html; charset=utf-8', ext: 'html' },
  'cyclonedx-vex': { type: 'application/vnd.cyclonedx+json', ext: 'vex.cdx.json' },
  openvex: { type: 'application/json', ext: 'openvex.json' },
};

/** Upgrade advice of one package: the highest nearest-fix among its fixable findings, and how many it fixes. */
function upgradeOf(findings: readonly Obj[]): { to: string; fixes: number } | null {
  const fixes = findings.filter(
    (f) => !f.suppressed && findingFixable(f) && typeof f.fixedVersion === 'string',
  );
  if (!fixes.length) return null;
  const m = Array.isArray(fixes[0]!.matches) && isObj(fixes[0]!.matches[0]) ? fixes[0]!.matches[0] : {};
  const eco = isObj(m.searchedBy) && typeof m.searchedBy.ecosystem === 'string' ? m.searchedBy.ecosystem : '';
  const scheme = schemeForEcosystem(eco);
  const versions = [...new Set(fixes.map((f) => f.fixedVersion as string))].sort((a, b) => {
    try {
      return scheme ? compareVersions(scheme, a, b) : byString(a, b);
    } catch {
      return byString(a, b);
    }
  });
  return { to: versions.at(-1)!, fixes: new Set(fixes.map((f) => f.vulnerabilityId as string)).size };
}

/** Which scan `compare` compares with: a scan id, a digest or a tag of the same repository. */
async function otherScan(
  ctx: RouteContext,
  img: { repository: string; environment: string; id: string },
  q: { scan?: string | undefined; digest?: string | undefined; tag?: string | undefined },
): Promise<ScansTable> {
  const db = ctx.services.store.db;
  const projectId = ctx.project!.id;
  let found: ScansTable | undefined;
  if (q.scan) {
    found = await db
      .selectFrom('scans')
      .selectAll()
      .where('id', '=', q.scan)
      .where('project_id', '=', projectId)
      .executeTakeFirst();
  } else if (q.digest) {
    found = await db
      .selectFrom('scans')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('digest', '=', q.digest)
      .orderBy(sql`case when repository = ${img.repository} then 0 else 1 end`)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .executeTakeFirst();
  } else if (q.tag) {
    // The same repository's image with that tag, this environment first.
    const other = await db
      .selectFrom('images')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('repository', '=', img.repository)
      .where('tag', '=', q.tag)
      .where('last_scan_id', 'is not', null)
      .orderBy(sql`case when environment = ${img.environment} then 0 else 1 end`)
      .orderBy('environment')
      .executeTakeFirst();
    if (other)
      found = await db
        .selectFrom('scans')
        .selectAll()
        .where('id', '=', other.last_scan_id!)
        .executeTakeFirst();
  } else {
    throw badRequest('compare needs one of: scan, digest, tag', 'E_VALIDATION');
  }
  if (!found) throw notFound('scan to compare with');
  return found;
}

const scanRef = (s: Pick<ScansTable, 'id' | 'digest' | 'created_at' | 'image_id'>) => ({
  scanId: s.id,
  imageId: s.image_id,
  digest: s.digest,
  createdAt: s.created_at,
});

function fileName(repository: string, tag: string, ext: string): string {
  const base = `${repository.slice(repository.lastIndexOf('/') + 1)}-${tag}`.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${base}.${ext}`;
}

/** Fix versions per ecosystem named by a vulnerability database record's ranges. */
function fixVersionsOf(
  records: readonly {
    affected: readonly {
      package?: { ecosystem: string; name: string };
      ranges: readonly { events: readonly { kind: string; version: string }[] }[];
    }[];
  }[],
) {
  const out = new Map<string, Set<string>>();
  for (const r of records)
    for (const a of r.affected) {
      if (!a.package) continue;
      const key = `${a.package.ecosystem}\u0000${a.package.name}`;
      let set = out.get(key);
      if (!set) out.set(key, (set = new Set()));
      for (const range of a.ranges) for (const e of range.events) if (e.kind === 'fixed') set.add(e.version);
    }
  return [...out.entries()]
    .map(([k, v]) => {
      const [ecosystem, name] = k.split('\u0000') as [string, string];
      const scheme = schemeForEcosystem(ecosystem);
      const fixed = [...v].sort((a, b) => {
        try {
          return scheme ? compareVersions(scheme, a, b) : byString(a, b);
        } catch {
          return byString(a, b);
        }
      });
      return { ecosystem, package: name, fixedVersions: fixed };
    })
    .sort((a, b) => byString(a.ecosystem, b.ecosystem) || byString(a.package, b.package));
}

export const DASHBOARD_ROUTES: readonly RouteDef[] = [
  route({
    id: 'dashboardOverview',
    method: 'GET',
    path: '/dashboard/overview',
    tag: 'dashboard',
    summary:
      'Organisation overview: findings by severity per day, fixable share, KEV exposure, overdue, riskiest images, recent critical/KEV events',
    description:
      'Covers the projects the caller can see (or those named in project). The daily series counts, for each UTC day, the findings first seen on or before that day and not fixed by its end (a finding fixed and later reopened counts from its first sighting). Totals count open findings (new, triaged, fix-planned, reopened). Events are findings opened or reopened with critical severity or in KEV, newest first, with the environment of the image that has them.',
    access: { kind: 'user' },
    query: z.object({
      project: csvList.optional().describe('comma-separated project names (default: every visible one)'),
      days: z.coerce.number().int().min(1).max(365).default(30),
      top: z.coerce.number().int().min(1).max(100).default(10),
      events: z.coerce.number().int().min(0).max(200).default(20),
    }),
    handler: async (ctx) => {
      const { query } = ctx;
      const db = ctx.services.store.db;
      const now = ctx.services.now();
      await expireAcceptances(ctx.services.store, now);
      const ids = await scopeIds(ctx, query.project);
      const days = dayRange(now, query.days);
      const start = `${days[0]!}T00:00:00.000Z`;
      // The project filter is written as an expression (project_id || '') so no engine answers these
      // aggregates through a project index plus a lookup of every row: they read the covering
      // findings_dash_* indexes (007_dashboard), which end with project_id, and filter there.
      const scoped = () => {
        const q = db.selectFrom('findings');
        return ids ? q.where(sql`(project_id || '')`, 'in', ids.length ? ids : ['']) : q;
      };

      // Walk back from today: present at the end of today = not fixed; the day before = that, minus
      // what was first seen that day, plus what was fixed that day. Three index-only aggregates.
      const notFixed = await scoped()
        .select(['severity', (eb) => eb.fn.countAll<number>().as('n')])
        .where('fixed_at', 'is', null)
        .groupBy('severity')
        .execute();
      const day = (col: 'first_seen_at' | 'fixed_at') => sql<string>`substr(${sql.ref(col)}, 1, 10)`;
      const opened = await scoped()
        .select([day('first_seen_at').as('day'), 'severity', (eb) => eb.fn.countAll<number>().as('n')])
        .where('first_seen_at', '>=', start)
        .groupBy([day('first_seen_at'), 'severity'])
        .execute();
      const fixed = await scoped()
        .select([day('fixed_at').as('day'), 'severity', (eb) => eb.fn.countAll<number>().as('n')])
        .where('fixed_at', '>=', start)
        .groupBy([day('fixed_at'), 'severity'])
        .execute();
      const sev = (s: string) => ((SEVERITIES as readonly string[]).includes(s) ? s : 'unknown');
      const current: Record<string, number> = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
      for (const r of notFixed) current[sev(r.severity)]! += n(r.n);
      const delta = new Map<string, Record<string, number>>();
      const bump = (d: string, s: string, by: number) => {
        let e = delta.get(d);
        if (!e) delta.set(d, (e = {}));
        e[sev(s)] = (e[sev(s)] ?? 0) + by;
      };
      for (const r of opened) bump(r.day, r.severity, n(r.n));
      for (const r of fixed) bump(r.day, r.severity, -n(r.n));
      const series: Record<string, string | number>[] = [];
      for (const d of [...days].reverse()) {
        series.push({ day: d, ...Object.fromEntries(SEVERITIES.map((s) => [s, current[s]!])) });
        for (const [s, v] of Object.entries(delta.get(d) ?? {})) current[s]! -= v;
      }
      series.reverse();

      const overdueExpr = sql<number>`sum(case when sla_due_at < ${now} or (state = 'fix-planned' and planned_fix_at < ${now}) then 1 else 0 end)`;
      const totals = await scoped()
        .select([
          'severity',
          (eb) => eb.fn.countAll<number>().as('n'),
          sql<number>`sum(case when fixed_version is not null then 1 else 0 end)`.as('fixable'),
          sql<number>`sum(kev)`.as('kev'),
          overdueExpr.as('overdue'),
        ])
        .where('state', 'in', OPEN_STATES)
        .groupBy('severity')
        .execute();
      const bySeverity: Record<string, { open: number; fixable: number; kev: number; overdue: number }> =
        Object.fromEntries(SEVERITIES.map((s) => [s, { open: 0, fixable: 0, kev: 0, overdue: 0 }]));
      for (const r of totals) {
        const e = bySeverity[sev(r.severity)]!;
        e.open += n(r.n);
        e.fixable += n(r.fixable);
        e.kev += n(r.kev);
        e.overdue += n(r.overdue);
      }
      const sum = (k: 'open' | 'fixable' | 'kev' | 'overdue') =>
        SEVERITIES.reduce((t, s) => t + bySeverity[s]![k], 0);
      const open = sum('open');
      const kevRows = await scoped()
        .select(['vulnerability_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('state', 'in', OPEN_STATES)
        .where('kev', '=', 1)
        .groupBy('vulnerability_id')
        .orderBy('vulnerability_id')
        .limit(100)
        .execute();

      const top = await whereProjects(imagesQuery(ctx, null), 'images.project_id', ids)
        .select([...IMAGE_COLUMNS])
        .where('scan_summaries.grade', 'is not', null)
        .orderBy('scan_summaries.grade', 'desc')
        .orderBy('scan_summaries.score', 'desc')
        .orderBy('projects.name')
        .orderBy('images.repository')
        .orderBy('images.tag')
        .orderBy('images.environment')
        .orderBy('images.id')
        .limit(query.top)
        .execute();
      const gradeRows = await whereProjects(imagesQuery(ctx, null), 'images.project_id', ids)
        .select(['scan_summaries.grade', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('scan_summaries.grade')
        .execute();
      const grades: Record<string, number> = Object.fromEntries([...GRADES, 'none'].map((g) => [g, 0]));
      for (const r of gradeRows) grades[r.grade ?? 'none'] = n(r.n);

      const first = await db
        .selectFrom('audit_log')
        .select('seq')
        .where('at', '>=', start)
        .orderBy('at')
        .orderBy('seq')
        .limit(1)
        .executeTakeFirst();
      const firstSeq = first ? Number(first.seq) : Number.MAX_SAFE_INTEGER;
      const events = query.events
        ? await whereProjects(
            db
              .selectFrom('audit_log')
              .innerJoin('findings', 'findings.id', 'audit_log.entity_id')
              .innerJoin('projects', 'projects.id', 'findings.project_id')
              .leftJoin('images', 'images.id', 'findings.last_image_id'),
            'findings.project_id',
            ids,
          )
            .select([
              'audit_log.seq',
              'audit_log.at',
              'audit_log.action',
              'findings.id as finding_id',
              'findings.vulnerability_id',
              'findings.severity',
              'findings.kev',
              'findings.package_name',
              'findings.version',
              'findings.state',
              'findings.repository',
              'projects.name as project_name',
              'images.id as image_id',
              'images.tag',
              'images.environment',
            ])
            .where('audit_log.entity_type', '=', 'finding')
            .where('audit_log.action', 'in', ['finding.opened', 'finding.reopened'])
            // Bounded by sequence number as well as time: the scan walks the log backwards from the
            // newest entry and stops at the first entry of the window (audit_by_time finds it).
            .where('audit_log.seq', '>=', firstSeq)
            .where('audit_log.at', '>=', start)
            .where((eb) => eb.or([eb('findings.severity', '=', 'critical'), eb('findings.kev', '=', 1)]))
            .orderBy('audit_log.seq', 'desc')
            .limit(query.events)
            .execute()
        : [];

      return {
        generatedAt: now,
        days: query.days,
        series,
        totals: {
          open,
          fixable: sum('fixable'),
          fixableShare: open ? Math.round((sum('fixable') / open) * 1000) / 1000 : 0,
          kev: sum('kev'),
          overdue: sum('overdue'),
          bySeverity,
        },
        kev: kevRows.map((r) => ({ vulnerabilityId: r.vulnerability_id, openFindings: n(r.n) })),
        grades,
        riskiestImages: top.map(imageRowView),
        events: events.map((e) => ({
          at: e.at,
          kind: e.action === 'finding.opened' ? 'new' : 'reopened',
          findingId: e.finding_id,
          vulnerabilityId: e.vulnerability_id,
          severity: e.severity,
          kev: e.kev === 1,
          package: { name: e.package_name, version: e.version },
          state: e.state,
          project: e.project_name,
          repository: e.repository,
          imageId: e.image_id,
          tag: e.tag,
          environment: e.environment,
          production: e.environment === 'production',
        })),
      };
    },
  }),
  route({
    id: 'dashboardImages',
    method: 'GET',
    path: '/dashboard/images',
    tag: 'dashboard',
    summary: 'Images across the visible projects with their health grade; filtered, sorted, paginated',
    description:
      "Each image shows its newest scan's counts and health grade (A best … F worst; formula in docs/server.md). Filters combine with AND; severity keeps images with at least one finding of any listed severity; q searches repository, tag, digest and project name. sort=risk (default: worst grade, then highest score), name, last-scan (newest first), grade (best first), critical, size; order=asc|desc reverses the default direction.",
    access: { kind: 'user' },
    query: z.object({
      project: csvList.optional().describe('comma-separated project names'),
      environment: csvList.optional().describe('comma-separated environments'),
      severity: severityCsv.optional(),
      fixable: bool.optional().describe('true: only images with a fixable finding; false: only without'),
      kev: bool.optional(),
      grade: csvOf(GRADES as unknown as ['A', ...string[]]).optional(),
      baseImage: z.string().min(1).max(500).optional().describe('substring of the detected base image'),
      q: z.string().min(1).max(500).optional(),
      sort: z.enum(['risk', 'name', 'last-scan', 'grade', 'critical', 'size']).default('risk'),
      order: z.enum(['asc', 'desc']).optional(),
      ...page(500, 50),
    }),
    handler: async (ctx) => {
      const { query } = ctx;
      const ids = await scopeIds(ctx, query.project);
      let q = whereProjects(imagesQuery(ctx, null), 'images.project_id', ids);
      if (query.environment?.length) q = q.where('images.environment', 'in', query.environment);
      if (query.severity?.length) {
        const sevs = query.severity;
        q = q.where((eb) => eb.or(sevs.map((s) => eb(sql.ref(`scan_summaries.${s}`), '>', 0))));
      }
      if (query.fixable === 'true') q = q.where('scan_summaries.fixable', '>', 0);
      if (query.fixable === 'false')
        q = q.where((eb) =>
          eb.or([eb('scan_summaries.fixable', '=', 0), eb('scan_summaries.fixable', 'is', null)]),
        );
      if (query.kev === 'true') q = q.where('scan_summaries.kev', '>', 0);
      if (query.kev === 'false')
        q = q.where((eb) => eb.or([eb('scan_summaries.kev', '=', 0), eb('scan_summaries.kev', 'is', null)]));
      if (query.grade?.length) q = q.where('scan_summaries.grade', 'in', query.grade);
      if (query.baseImage) q = q.where(containsCi('scan_summaries.base_image', query.baseImage));
      if (query.q) {
        const text = query.q;
        q = q.where((eb) =>
          eb.or([
            containsCi('images.repository', text),
            containsCi('images.tag', text),
            containsCi('images.digest', text),
            containsCi('projects.name', text),
          ]),
        );
      }
      const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const flip = (dflt: 'asc' | 'desc'): 'asc' | 'desc' => (query.order ? query.order : dflt);
      const inv = (d: 'asc' | 'desc'): 'asc' | 'desc' =>
        query.order === 'asc' ? (d === 'asc' ? 'desc' : 'asc') : d;
      let rows = q.select([...IMAGE_COLUMNS]);
      // Images without a summary sort as the best (grade '' and score 0): nothing known against them.
      const grade = sql`coalesce(scan_summaries.grade, '')`;
      const score = sql`coalesce(scan_summaries.score, 0)`;
      switch (query.sort) {
        case 'risk':
          rows = rows.orderBy(grade, inv('desc')).orderBy(score, inv('desc'));
          break;
        case 'grade':
          rows = rows.orderBy(grade, flip('asc')).orderBy(score, flip('asc'));
          break;
        case 'critical':
          rows = rows
            .orderBy(sql`coalesce(scan_summaries.critical, 0)`, inv('desc'))
            .orderBy(sql`coalesce(scan_summaries.high, 0)`, inv('desc'));
          break;
        case 'size':
          rows = rows.orderBy(sql`coalesce(scan_summaries.size, 0)`, inv('desc'));
          break;
        case 'last-scan':
          rows = rows.orderBy(sql`coalesce(images.last_scan_at, '')`, inv('desc'));
          break;
        case 'name':
          break;
      }
      const dir = query.sort === 'name' ? flip('asc') : 'asc';
      const items = await rows
        .orderBy('images.repository', dir)
        .orderBy('images.tag', dir)
        .orderBy('images.environment', dir)
        .orderBy('projects.name', dir)
        .orderBy('images.id', dir)
        .limit(query.limit)
        .offset(query.offset)
        .execute();
      return { total: n(total.n), items: items.map((r) => imageRowView(r as Record<string, unknown>)) };
    },
  }),
  route({
    id: 'getImageOverview',
    method: 'GET',
    path: '/projects/{project}/images/{image}/overview',
    tag: 'dashboard',
    summary:
      'Image page: summary (digest, platform, OS, base image, size, created, grade), layers with what each added, redacted secrets',
    description:
      "Shows the image's newest scan, or the scan named by scan. Each layer carries its Dockerfile instruction (history created_by, redacted as in the CLI) and the packages, findings (by severity) and secrets it added. Secrets are shown as the CLI shows them: rule, path, layer, a preview of at most 4 characters, length and fingerprint.",
    access: { kind: 'project', perm: 'read' },
    query: z.object({ scan: z.string().max(100).optional() }),
    handler: async (ctx) => {
      const img = await imageInProject(ctx, ctx.params.image!);
      const scan = await scanOfImage(ctx, img, ctx.query.scan);
      const { row, details } = await summaryOf(ctx, scan);
      const sbom = JSON.parse(scan.sbom) as Obj;
      const source = isObj(sbom.source) ? sbom.source : {};
      const image = isObj(source.image) ? source.image : {};
      const scans = await ctx.services.store.db
        .selectFrom('scans')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('image_id', '=', img.id)
        .executeTakeFirstOrThrow();
      return {
        image: {
          id: img.id,
          project: ctx.project!.name,
          repository: img.repository,
          tag: img.tag,
          environment: img.environment,
          digest: scan.digest ?? img.digest,
          createdAt: img.created_at,
        },
        scan: {
          id: scan.id,
          kind: scan.kind,
          createdAt: scan.created_at,
          createdBy: scan.created_by,
          dbBuiltAt: scan.db_built_at,
          isLatest: scan.id === img.last_scan_id,
          scans: n(scans.n),
        },
        summary: {
          os: row.os,
          platform: row.platform,
          size: row.size === null ? null : n(row.size),
          created: row.image_created,
          configDigest: typeof image.configDigest === 'string' ? image.configDigest : null,
          baseImage: details.baseImage,
          packages: n(row.packages),
          findings: Object.fromEntries(SEVERITIES.map((s) => [s, n(row[s])])),
          fixableBySeverity: details.fixableBySeverity,
          fixable: n(row.fixable),
          kev: n(row.kev),
          secrets: n(row.secrets),
        },
        grade: { ...details.grade },
        layers: details.layers,
        secrets: details.secrets,
      };
    },
  }),
  route({
    id: 'listImagePackages',
    method: 'GET',
    path: '/projects/{project}/images/{image}/packages',
    tag: 'dashboard',
    summary:
      "The image's packages (its SBOM) with licences, layer and finding counts; filtered and paginated",
    access: { kind: 'project', perm: 'read' },
    query: z.object({
      scan: z.string().max(100).optional(),
      q: z.string().min(1).max(500).optional().describe('substring of the name or PURL'),
      type: csvList.optional().describe('comma-separated package types (deb, npm, …)'),
      license: z.string().min(1).max(200).optional().describe('substring of a licence'),
      layer: z.coerce.number().int().min(0).optional(),
      vulnerable: bool.optional(),
      ...page(1000, 100),
    }),
    handler: async (ctx) => {
      const { query } = ctx;
      const img = await imageInProject(ctx, ctx.params.image!);
      const scan = await scanOfImage(ctx, img, query.scan);
      const sbom = JSON.parse(scan.sbom) as Obj;
      const perPackage = new Map<string, { total: number; worst: string; fixable: number }>();
      for (const f of storedFindingsJson(scan)) {
        if (f.suppressed || !isObj(f.package) || typeof f.package.id !== 'string') continue;
        const e = perPackage.get(f.package.id) ?? { total: 0, worst: 'unknown', fixable: 0 };
        const s = severityOf(f);
        e.total++;
        if (findingFixable(f)) e.fixable++;
        if (e.total === 1 || SEVERITY_RANK[s]! > SEVERITY_RANK[e.worst]!) e.worst = s;
        perPackage.set(f.package.id, e);
      }
      const needle = query.q?.toLowerCase();
      const lic = query.license?.toLowerCase();
      const all = (Array.isArray(sbom.packages) ? sbom.packages : []).filter(isObj).map((p) => {
        const layer = isObj(p.layer) && typeof p.layer.index === 'number' ? p.layer.index : null;
        const f = perPackage.get(String(p.id));
        return {
          id: String(p.id),
          name: String(p.name),
          version: String(p.version),
          type: String(p.type),
          purl: typeof p.purl === 'string' ? p.purl : null,
          licenses: Array.isArray(p.licenses) ? p.licenses.filter((l) => typeof l === 'string') : [],
          layer,
          locations: (Array.isArray(p.locations) ? p.locations : []).filter(isObj).map((l) => String(l.path)),
          findings: f ? { total: f.total, fixable: f.fixable, worstSeverity: f.worst } : null,
        };
      });
      const items = all
        .filter(
          (p) =>
            (!needle ||
              p.name.toLowerCase().includes(needle) ||
              (p.purl ?? '').toLowerCase().includes(needle)) &&
            (!query.type?.length || query.type.includes(p.type)) &&
            (!lic || p.licenses.some((l) => l.toLowerCase().includes(lic))) &&
            (query.layer === undefined || p.layer === query.layer) &&
            (query.vulnerable === undefined || (query.vulnerable === 'true') === (p.findings !== null)),
        )
        .sort(
          (a, b) =>
            byString(a.type, b.type) ||
            byString(a.name, b.name) ||
            byString(a.version, b.version) ||
            byString(a.locations[0] ?? '', b.locations[0] ?? '') ||
            byString(a.id, b.id),
        );
      const types = [...new Set(all.map((p) => p.type))].sort(byString);
      return {
        scanId: scan.id,
        total: items.length,
        types,
        items: items.slice(query.offset, query.offset + query.limit),
      };
    },
  }),
  route({
    id: 'listImageVulnerabilities',
    method: 'GET',
    path: '/projects/{project}/images/{image}/vulnerabilities',
    tag: 'dashboard',
    summary:
      'The image\'s vulnerabilities grouped by package, with fix versions, "upgrade X to Y fixes N" and each finding\'s register id and state',
    description:
      'Groups are ordered by their worst severity, then by how many findings they hold, then by package name. upgrade.to is the highest of the nearest fixed versions of the fixable findings (compared with the ecosystem’s version scheme); upgrade.fixes counts the distinct vulnerabilities it fixes. upgrades lists the ten upgrades that fix the most. Suppressed findings (ignore rules, VEX applied by the client) are included and marked.',
    access: { kind: 'project', perm: 'read' },
    query: z.object({
      scan: z.string().max(100).optional(),
      severity: severityCsv.optional(),
      fixable: bool.optional(),
      kev: bool.optional(),
      q: z
        .string()
        .min(1)
        .max(500)
        .optional()
        .describe('substring of the package name or a vulnerability id'),
      ...page(1000, 100),
    }),
    handler: async (ctx) => {
      const { query } = ctx;
      const img = await imageInProject(ctx, ctx.params.image!);
      const scan = await scanOfImage(ctx, img, query.scan);
      const register = new Map(
        (
          await ctx.services.store.db
            .selectFrom('findings')
            .select(['id', 'identity', 'state', 'sla_due_at', 'planned_fix_at', 'acceptance_id'])
            .where('project_id', '=', ctx.project!.id)
            .where('repository', '=', img.repository)
            .execute()
        ).map((r) => [r.identity, r]),
      );
      const now = ctx.services.now();
      const groups = new Map<string, { pkg: Obj; findings: Obj[] }>();
      for (const f of storedFindingsJson(scan)) {
        if (typeof f.vulnerabilityId !== 'string' || !isObj(f.package)) continue;
        const key = String(f.package.id ?? f.package.purl);
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { pkg: f.package, findings: [] }));
        g.findings.push(f);
      }
      const needle = query.q?.toLowerCase();
      const out = [...groups.values()].map(({ pkg, findings }) => {
        const layer = isObj(pkg.layer) && typeof pkg.layer.index === 'number' ? pkg.layer.index : null;
        const purl = String(pkg.purl ?? '');
        const location =
          Array.isArray(pkg.locations) && isObj(pkg.locations[0]) ? String(pkg.locations[0].path ?? '') : '';
        const vulns = findings
          .map((f) => {
            const identity = findingIdentity({
              projectId: ctx.project!.id,
              repository: img.repository,
              vulnerabilityId: f.vulnerabilityId as string,
              packagePurl: versionlessPurl(purl),
              location,
            });
            const reg = register.get(identity);
            return {
              vulnerabilityId: f.vulnerabilityId as string,
              aliases: Array.isArray(f.aliases) ? f.aliases : [],
              severity: severityOf(f),
              cvssScore: isObj(f.cvss) && typeof f.cvss.score === 'number' ? f.cvss.score : null,
              fixable: findingFixable(f),
              fixedVersion: typeof f.fixedVersion === 'string' ? f.fixedVersion : null,
              kev: isObj(f.kev),
              epss: isObj(f.epss) && typeof f.epss.score === 'number' ? f.epss.score : null,
              summary: typeof f.summary === 'string' ? f.summary : null,
              suppressed: isObj(f.suppressed)
                ? { kind: f.suppressed.kind ?? null, reason: f.suppressed.reason ?? null }
                : null,
              finding: reg
                ? {
                    id: reg.id,
                    state: reg.state,
                    slaDueAt: reg.sla_due_at,
                    overdue: isOverdue(reg, now),
                    acceptanceId: reg.acceptance_id,
                  }
                : null,
            };
          })
          .filter(
            (v) =>
              (!query.severity?.length || query.severity.includes(v.severity)) &&
              (query.fixable === undefined || (query.fixable === 'true') === v.fixable) &&
              (query.kev === undefined || (query.kev === 'true') === v.kev),
          )
          .sort(
            (a, b) =>
              SEVERITY_RANK[b.severity]! - SEVERITY_RANK[a.severity]! ||
              byString(a.vulnerabilityId, b.vulnerabilityId),
          );
        return {
          package: {
            id: String(pkg.id ?? ''),
            name: String(pkg.name),
            version: String(pkg.version),
            type: String(pkg.type),
            purl,
            layer,
            location,
          },
          worstSeverity: vulns[0]?.severity ?? 'unknown',
          fixable: vulns.filter((v) => v.fixable).length,
          upgrade: upgradeOf(findings),
          vulnerabilities: vulns,
        };
      });
      const filtered = out
        .filter(
          (g) =>
            g.vulnerabilities.length > 0 &&
            (!needle ||
              g.package.name.toLowerCase().includes(needle) ||
              g.vulnerabilities.some(
                (v) =>
                  v.vulnerabilityId.toLowerCase().includes(needle) ||
                  v.aliases.some((a) => String(a).toLowerCase().includes(needle)),
              )),
        )
        .sort(
          (a, b) =>
            SEVERITY_RANK[b.worstSeverity]! - SEVERITY_RANK[a.worstSeverity]! ||
            b.vulnerabilities.length - a.vulnerabilities.length ||
            byString(a.package.name, b.package.name) ||
            byString(a.package.version, b.package.version) ||
            byString(a.package.id, b.package.id),
        );
      const upgrades = out
        .filter((g) => g.upgrade)
        .map((g) => ({
          package: g.package.name,
          type: g.package.type,
          from: g.package.version,
          to: g.upgrade!.to,
          fixes: g.upgrade!.fixes,
        }))
        .sort((a, b) => b.fixes - a.fixes || byString(a.package, b.package) || byString(a.from, b.from))
        .slice(0, 10);
      return {
        scanId: scan.id,
        total: filtered.length,
        findings: filtered.reduce((t, g) => t + g.vulnerabilities.length, 0),
        upgrades,
        items: filtered.slice(query.offset, query.offset + query.limit),
      };
    },
  }),
  route({
    id: 'listImageScans',
    method: 'GET',
    path: '/projects/{project}/images/{image}/scans',
    tag: 'dashboard',
    summary: 'Scan history of one image, newest first, with each scan’s grade and counts',
    access: { kind: 'project', perm: 'read' },
    query: z.object({ ...page(500, 50) }),
    handler: async (ctx) => {
      const img = await imageInProject(ctx, ctx.params.image!);
      const db = ctx.services.store.db;
      const total = await db
        .selectFrom('scans')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('image_id', '=', img.id)
        .executeTakeFirstOrThrow();
      const rows = await db
        .selectFrom('scans')
        .leftJoin('scan_summaries', 'scan_summaries.scan_id', 'scans.id')
        .select([
          'scans.id',
          'scans.digest',
          'scans.kind',
          'scans.package_count',
          'scans.finding_count',
          'scans.summary',
          'scans.db_built_at',
          'scans.created_by',
          'scans.created_at',
          'scan_summaries.grade',
          'scan_summaries.score',
          'scan_summaries.fixable',
          'scan_summaries.kev',
          'scan_summaries.secrets',
        ])
        .where('scans.image_id', '=', img.id)
        .orderBy('scans.created_at', 'desc')
        .orderBy('scans.id')
        .limit(ctx.query.limit)
        .offset(ctx.query.offset)
        .execute();
      return {
        total: n(total.n),
        items: rows.map((r) => ({
          id: r.id,
          digest: r.digest,
          kind: r.kind,
          createdAt: r.created_at,
          createdBy: r.created_by,
          dbBuiltAt: r.db_built_at,
          packages: r.package_count,
          findings: r.finding_count,
          bySeverity: JSON.parse(r.summary) as Record<string, number>,
          grade: r.grade,
          score: r.score === null ? null : n(r.score),
          fixable: r.fixable === null ? null : n(r.fixable),
          kev: r.kev === null ? null : n(r.kev),
          secrets: r.secrets === null ? null : n(r.secrets),
          isLatest: r.id === img.last_scan_id,
        })),
      };
    },
  }),
  route({
    id: 'compareImage',
    method: 'GET',
    path: '/projects/{project}/images/{image}/compare',
    tag: 'dashboard',
    summary:
      'Compare the image (newest scan, or scan) with another scan, digest or tag of the project: packages and vulnerabilities added, removed, changed',
    description:
      'Name the other side with exactly one of with-scan, with-digest (the newest scan of that digest in the project) or with-tag (the same repository’s image with that tag, this environment first). "added" is what this image has and the other has not.',
    access: { kind: 'project', perm: 'read' },
    query: z.object({
      scan: z.string().max(100).optional(),
      'with-scan': z.string().max(100).optional(),
      'with-digest': z.string().max(200).optional(),
      'with-tag': z.string().max(200).optional(),
      unchanged: bool.default('false').describe('true: also list unchanged packages'),
    }),
    handler: async (ctx) => {
      const { query } = ctx;
      const img = await imageInProject(ctx, ctx.params.image!);
      const scan = await scanOfImage(ctx, img, query.scan);
      const named = [query['with-scan'], query['with-digest'], query['with-tag']].filter(Boolean);
      if (named.length !== 1)
        throw badRequest('name exactly one of with-scan, with-digest, with-tag', 'E_VALIDATION');
      const other = await otherScan(ctx, img, {
        scan: query['with-scan'],
        digest: query['with-digest'],
        tag: query['with-tag'],
      });
      const c = compareReports(storedReport(other), storedReport(scan));
      return {
        base: scanRef(other),
        target: scanRef(scan),
        packages: {
          added: c.packages.added,
          removed: c.packages.removed,
          changed: c.packages.changed,
          unchanged: query.unchanged === 'true' ? c.packages.unchanged : c.packages.unchanged.length,
        },
        vulnerabilities: c.vulnerabilities,
      };
    },
  }),
  route({
    id: 'downloadImageReport',
    method: 'GET',
    path: '/projects/{project}/images/{image}/download',
    tag: 'dashboard',
    summary:
      'Download the SBOM (Bulwark JSON, CycloneDX, SPDX), the scan (JSON, SARIF, HTML, CycloneDX with vulnerabilities as VEX) or the register’s OpenVEX',
    description:
      "Rendered from the stored scan (newest, or scan) by the CLI's own formats, so the files equal what bulwark sbom/scan would write; secrets are not part of these downloads. The document time is the scan's time (reproducible). openvex carries the register's decisions (as imageVex).",
    access: { kind: 'project', perm: 'read' },
    query: z.object({ format: z.enum(downloadFormats), scan: z.string().max(100).optional() }),
    handler: async (ctx) => {
      const { query, reply } = ctx;
      const img = await imageInProject(ctx, ctx.params.image!);
      const scan = await scanOfImage(ctx, img, query.scan);
      const timestamp = new Date(scan.created_at);
      let text: string;
      switch (query.format) {
        case 'sbom-json':
        case 'cyclonedx-json':
        case 'spdx-json':
          text = formatSbom(storedSbom(scan), query.format === 'sbom-json' ? 'json' : query.format, {
            timestamp,
          });
          break;
        case 'scan-json':
          text = renderScanReport(storedReport(scan), 'json', { timestamp });
          break;
        case 'sarif':
        case 'html':
          text = renderScanReport(storedReport(scan), query.format, { timestamp });
          break;
        case 'cyclonedx-vex':
          text = renderScanReport(storedReport(scan), 'cyclonedx-json', { timestamp });
          break;
        case 'openvex':
          text = `${JSON.stringify(await openVexForImage(ctx.services.store, ctx.project!, img, ctx.services.now()), null, 2)}\n`;
          break;
      }
      const d = DOWNLOAD[query.format];
      reply.type(d.type);
      reply.header(
        'content-disposition',
        `attachment; filename="${fileName(img.repository, img.tag, d.ext)}"`,
      );
      return text;
    },
  }),
  route({
    id: 'getVulnerability',
    method: 'GET',
    path: '/vulnerabilities/{vulnerability}',
    tag: 'dashboard',
    summary:
      'Vulnerability page: description, severity, CVSS broken down, EPSS, KEV (due date), references, fix versions per ecosystem, and every affected image and package the caller can see',
    description:
      "Details come from the server's vulnerability database when it has the record (looked up by id or alias), else from the newest stored scan that reported it. affected lists register findings whose id or aliases name it, in the caller's projects (each with the image that last reported it), with their finding ids for the register actions. 404 when neither knows the id.",
    access: { kind: 'user' },
    query: z.object({ ...page(1000, 200) }),
    handler: async (ctx) => {
      const id = ctx.params.vulnerability!;
      if (id.length > 300) throw badRequest('vulnerability id too long', 'E_VALIDATION');
      const db = ctx.services.store.db;
      const now = ctx.services.now();
      const ids = await scopeIds(ctx);
      let records: ReturnType<ReturnType<RouteContext['services']['vulnDb']>['byId']> = [];
      let kevEntry;
      let epssEntry;
      try {
        const vdb = ctx.services.vulnDb();
        records = vdb.byId(id);
        const cve = [id, ...records.flatMap((r) => r.aliases)].find((a) => a.startsWith('CVE-'));
        if (cve) {
          kevEntry = vdb.kev(cve);
          epssEntry = vdb.epss(cve);
        }
      } catch {
        // No vulnerability database on the server: the stored scans still describe the vulnerability.
      }
      // Findings are stored under their primary id (the CVE when there is one): look up every id the
      // database knows for this vulnerability (its records and their aliases), through the index.
      const candidates = [...new Set([id, ...records.flatMap((r) => [r.id, ...r.aliases])])].sort(byString);
      const base = () =>
        db
          .selectFrom('findings')
          .innerJoin('projects', 'projects.id', 'findings.project_id')
          .leftJoin('images', 'images.id', 'findings.last_image_id');
      let fq = whereProjects(
        base().where('findings.vulnerability_id', 'in', candidates),
        'findings.project_id',
        ids,
      );
      if (!records.length) {
        const direct = await fq.select('findings.id').limit(1).executeTakeFirst();
        // Unknown to the database (or none on the server): an alias only the stored findings name is
        // found by scanning their alias lists (slower, and only in that case).
        if (!direct) {
          const aliasLike = `%${JSON.stringify(id).replace(/[!%_]/g, (c) => `!${c}`)}%`;
          fq = whereProjects(
            base().where(sql<boolean>`findings.aliases like ${aliasLike} escape '!'`),
            'findings.project_id',
            ids,
          );
        }
      }
      const total = await fq.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const projectCount = await fq
        .select((eb) => eb.fn.count<number>('findings.project_id').distinct().as('n'))
        .executeTakeFirstOrThrow();
      const rows = await fq
        .selectAll('findings')
        .select([
          'projects.name as project_name',
          'images.tag as image_tag',
          'images.environment as image_environment',
          'images.id as image_id',
        ])
        .orderBy('projects.name')
        .orderBy('findings.repository')
        .orderBy('findings.package_name')
        .orderBy('findings.location')
        .orderBy('findings.id')
        .limit(ctx.query.limit)
        .offset(ctx.query.offset)
        .execute();

      // The newest stored scan that reported it (a visible one) fills what the database does not have.
      let reported: Obj | undefined;
      const newest = [...rows].sort((a, b) => byString(b.last_seen_at, a.last_seen_at))[0];
      if (newest) {
        const scan = await db
          .selectFrom('scans')
          .select('findings')
          .where('id', '=', newest.last_scan_id)
          .executeTakeFirst();
        if (scan)
          reported = storedFindingsJson(scan).find((f) => f.vulnerabilityId === newest.vulnerability_id);
      }
      if (!records.length && !reported && n(total.n) === 0)
        throw notFound(`vulnerability ${JSON.stringify(id)}`);

      // The record named by the id itself first, then the most detailed one (aliases merged into one
      // vulnerability, like the matcher does: a CVE's GHSA record usually has the description).
      const record = [...records].sort(
        (a, b) =>
          Number(b.id === id) - Number(a.id === id) ||
          (b.details?.length ?? 0) - (a.details?.length ?? 0) ||
          byString(a.id, b.id),
      )[0];
      // The severity as the matcher merged it when a scan reported it, else the worst record's rating.
      const worst = [...records].sort(
        (a, b) =>
          SEVERITY_RANK[b.summarySeverity.rating]! - SEVERITY_RANK[a.summarySeverity.rating]! ||
          byString(a.id, b.id),
      )[0];
      const summary = worst?.summarySeverity;
      const vector =
        summary?.vector ?? (isObj(reported?.cvss) ? (reported.cvss.vector as string | undefined) : undefined);
      const cvssEntries = records
        .flatMap((r) => r.severity)
        .filter((s) => s.type.startsWith('CVSS_'))
        .map((s) => s.score);
      const vectors = [...new Set([...(vector ? [vector] : []), ...cvssEntries])].sort(byString);
      const kevFromScan = isObj(reported?.kev) ? reported.kev : undefined;
      const epssFromScan = isObj(reported?.epss) ? reported.epss : undefined;
      const references = [
        ...new Set([
          ...records.flatMap((r) => r.references.map((x) => x.url)),
          ...(Array.isArray(reported?.references) ? (reported.references as string[]) : []),
        ]),
      ]
        .filter((u) => typeof u === 'string' && /^https?:\/\//i.test(u))
        .sort(byString);
      const fixFromFindings = new Map<string, Set<string>>();
      for (const r of rows) {
        if (!r.fixed_version) continue;
        const k = `${r.package_type}\u0000${r.package_name}`;
        let s = fixFromFindings.get(k);
        if (!s) fixFromFindings.set(k, (s = new Set()));
        s.add(r.fixed_version);
      }
      return {
        id,
        aliases: [
          ...new Set([
            ...records.flatMap((r) => [r.id, ...r.aliases]),
            ...(Array.isArray(reported?.aliases) ? (reported.aliases as string[]) : []),
          ]),
        ]
          .filter((a) => a !== id)
          .sort(byString),
        records: records.map((r) => r.id).sort(byString),
        summary: record?.summary ?? (typeof reported?.summary === 'string' ? reported.summary : null),
        description: record?.details ?? null,
        published: record?.published ?? (typeof reported?.published === 'string' ? reported.published : null),
        modified: record?.modified ?? (typeof reported?.modified === 'string' ? reported.modified : null),
        severity: reported ? severityOf(reported) : (summary?.rating ?? newest?.severity ?? 'unknown'),
        severitySource:
          (typeof reported?.severitySource === 'string' ? reported.severitySource : null) ??
          summary?.ratingSource ??
          null,
        cvss: vectors.map(
          (v) => explainCvss(v) ?? { vector: v, version: null, baseScore: null, metrics: [] },
        ),
        epss: epssEntry
          ? { score: epssEntry.score, percentile: epssEntry.percentile, date: epssEntry.date }
          : epssFromScan
            ? {
                score: epssFromScan.score ?? null,
                percentile: epssFromScan.percentile ?? null,
                date: epssFromScan.date ?? null,
              }
            : null,
        kev: kevEntry
          ? {
              dateAdded: kevEntry.dateAdded,
              dueDate: kevEntry.dueDate ?? null,
              ransomware: kevEntry.ransomware,
              requiredAction: kevEntry.requiredAction ?? null,
              name: kevEntry.name ?? null,
            }
          : kevFromScan
            ? {
                dateAdded: kevFromScan.dateAdded ?? null,
                dueDate: kevFromScan.dueDate ?? null,
                ransomware: kevFromScan.ransomware === true,
                requiredAction: null,
                name: null,
              }
            : null,
        references,
        fixVersions: fixVersionsOf(records),
        fixVersionsInImages: [...fixFromFindings.entries()]
          .map(([k, v]) => {
            const [type, name] = k.split('\u0000') as [string, string];
            return { type, package: name, fixedVersions: [...v].sort(byString) };
          })
          .sort((a, b) => byString(a.type, b.type) || byString(a.package, b.package)),
        affected: {
          total: n(total.n),
          // Projects (the caller can see) with an affected finding, over every page.
          projects: n(projectCount.n),
          items: rows.map((r) => ({
            project: r.project_name,
            imageId: r.image_id,
            tag: r.image_tag,
            environment: r.image_environment,
            ...findingView(r as FindingsTable, now),
          })),
        },
      };
    },
  }),
  route({
    id: 'getFindingHistory',
    method: 'GET',
    path: '/projects/{project}/findings/{finding}/history',
    tag: 'findings',
    summary: 'Every state change of a finding: who, when, from → to, why (from the audit log), oldest first',
    access: { kind: 'project', perm: 'read' },
    handler: async (ctx) => {
      const db = ctx.services.store.db;
      const f = await db
        .selectFrom('findings')
        .select(['id', 'state'])
        .where('id', '=', ctx.params.finding!)
        .where('project_id', '=', ctx.project!.id)
        .executeTakeFirst();
      if (!f) throw notFound('finding');
      const rows = await db
        .selectFrom('audit_log')
        .selectAll()
        .where('entity_type', '=', 'finding')
        .where('entity_id', '=', f.id)
        .orderBy('seq')
        .execute();
      return {
        findingId: f.id,
        state: f.state,
        items: rows.map((r) => {
          const v = auditView(r);
          const d = isObj(v.details) ? v.details : {};
          return {
            seq: v.seq,
            at: v.at,
            actor: v.actor,
            action: v.action,
            from: typeof d.from === 'string' ? d.from : null,
            to: typeof d.to === 'string' ? d.to : typeof d.state === 'string' ? d.state : null,
            reason: v.reason,
            scanId: typeof d.scan === 'string' ? d.scan : null,
            acceptanceId: typeof d.acceptance === 'string' ? d.acceptance : null,
            details: v.details,
          };
        }),
      };
    },
  }),
];
