/**
 * Policies and the approved base-image catalogue on the server: administrators manage the catalogue
 * (the same entries as `approved:` in `.bulwark.yaml`, validated by the same parser); every stored image
 * is judged by the same engine as `bulwark policy` (`evaluatePolicies`), on its newest scan, with the
 * register's decisions (risk accepted, not affected, false positive) as exceptions. The server asks no
 * registry: attestations and base-image freshness are `unknown` here (run `bulwark policy` in CI for
 * those); secrets and configuration checks are not stored with a scan and are `unknown` too.
 */
import { z } from 'zod';
import type { BaseImage } from '../model/base-image.js';
import {
  parseCatalogueEntry,
  type ApprovedCatalogue,
  type CatalogueEntry,
} from '../policy/approved/catalogue.js';
import { evaluatePolicies, type RegisterException } from '../policy/rules/evaluate.js';
import type { PolicyEvaluation } from '../report/policy-types.js';
import type { ScanReport } from '../report/types.js';
import { parseSbom } from '../sbom/read/index.js';
import { BulwarkError, oneLine } from '../util/errors.js';
import { appendAudit } from './audit.js';
import { canSeeProject, randomId, type Principal } from './auth.js';
import { badRequest, notFound, unauthorized } from './errors.js';
import { route, type RouteContext, type RouteDef } from './route.js';
import type { ApprovedImagesTable, ImagesTable, ProjectsTable } from './store/schema.js';

const text = z.string().trim().min(1).max(1000);
const entryBody = z
  .object({
    repository: text,
    tags: z.array(text).max(1000).optional(),
    versions: text.optional(),
    digests: z.array(text).max(1000).optional(),
    owner: text.optional(),
    notes: z.string().trim().max(4000).optional(),
    profile: z
      .union([z.enum(['hardened', 'none']), z.record(z.string(), z.union([z.boolean(), z.array(text)]))])
      .optional(),
  })
  .strict();
type EntryBody = z.infer<typeof entryBody>;

/** Register decisions that excuse a finding in a policy. */
const EXCUSING = ['risk-accepted', 'not-affected', 'false-positive'] as const;

const must = (p: Principal | undefined): Principal => {
  if (!p) throw unauthorized();
  return p;
};

function parseEntry(row: ApprovedImagesTable): CatalogueEntry {
  return parseCatalogueEntry(
    JSON.parse(row.entry) as unknown,
    `catalogue entry ${row.id}`,
    `server:catalogue/${row.id}`,
  );
}

function entryView(row: ApprovedImagesTable) {
  return {
    id: row.id,
    ...(JSON.parse(row.entry) as EntryBody),
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

/** The server's catalogue; undefined while it is empty (then `approved-base-image` is unknown, as without `approved:`). */
async function catalogue(ctx: RouteContext): Promise<ApprovedCatalogue | undefined> {
  const rows = await ctx.services.store.db
    .selectFrom('approved_images')
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.length ? { entries: rows.map(parseEntry) } : undefined;
}

/** The base image recorded in a stored SBOM JSON, when the scan detected one. */
function baseImageOf(doc: Record<string, unknown>): BaseImage | undefined {
  const b = doc['baseImage'];
  if (!b || typeof b !== 'object') return undefined;
  const o = b as Record<string, unknown>;
  if (typeof o['layers'] !== 'number') return undefined;
  return {
    ...(typeof o['name'] === 'string' ? { name: o['name'] } : {}),
    ...(typeof o['digest'] === 'string' ? { digest: o['digest'] } : {}),
    layers: o['layers'],
    detectedBy: (typeof o['detectedBy'] === 'string' ? o['detectedBy'] : 'layers') as BaseImage['detectedBy'],
    confidence: (typeof o['confidence'] === 'string' ? o['confidence'] : 'low') as BaseImage['confidence'],
  };
}

/** Evaluate the policies against the newest scan of a stored image. */
async function evaluateImage(
  ctx: RouteContext,
  project: ProjectsTable,
  img: ImagesTable,
  cat: ApprovedCatalogue | undefined,
): Promise<PolicyEvaluation | undefined> {
  if (!img.last_scan_id) return undefined;
  const db = ctx.services.store.db;
  const scan = await db.selectFrom('scans').selectAll().where('id', '=', img.last_scan_id).executeTakeFirst();
  // SARIF uploads are findings of the register, not images with an SBOM: nothing to evaluate.
  if (!scan || scan.kind === 'sarif' || !scan.sbom) return undefined;
  const doc = JSON.parse(scan.sbom) as Record<string, unknown>;
  let report: ScanReport;
  try {
    const sbom = parseSbom(doc, `scan ${scan.id}`, `scan ${scan.id}`);
    const base = baseImageOf(doc);
    report = {
      schema: 'bulwark-scan/v1',
      tool: { name: 'bulwark', version: 'server' },
      sbom,
      findings: JSON.parse(scan.findings) as ScanReport['findings'],
      database: { path: 'server', ...(scan.db_built_at ? { builtAt: scan.db_built_at } : {}) },
      expiredSuppressions: [],
      filters: {},
      ...(base ? { baseImage: base } : {}),
    };
  } catch (err) {
    throw badRequest(
      `scan ${scan.id} cannot be evaluated: ${err instanceof BulwarkError ? err.message : oneLine(err)}`,
    );
  }
  const decided = await db
    .selectFrom('findings')
    .select(['id', 'vulnerability_id', 'package_name', 'state', 'state_reason'])
    .where('project_id', '=', project.id)
    .where('repository', '=', img.repository)
    .where('state', 'in', [...EXCUSING])
    .orderBy('id')
    .execute();
  const exceptions: RegisterException[] = decided.map((f) => ({
    vulnerabilityId: f.vulnerability_id,
    package: f.package_name,
    reason: f.state_reason ?? f.state,
    source: `register: finding ${f.id} (${f.state})`,
  }));
  return evaluatePolicies(report, {
    ...(cat ? { catalogue: cat } : {}),
    exceptions,
    target: `${img.repository}:${img.tag}`,
    now: new Date(ctx.services.now()),
  });
}

export const POLICY_ROUTES: readonly RouteDef[] = [
  route({
    id: 'listCatalogue',
    method: 'GET',
    path: '/catalogue',
    tag: 'policy',
    summary: 'The approved base-image catalogue (the same entries as approved: in .bulwark.yaml)',
    access: { kind: 'user' },
    handler: async (ctx) => {
      const rows = await ctx.services.store.db
        .selectFrom('approved_images')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return { items: rows.map(entryView) };
    },
  }),
  route({
    id: 'createCatalogueEntry',
    method: 'POST',
    path: '/catalogue',
    tag: 'policy',
    summary: 'Add an approved base image: repository pattern, tags or version range, owner, hardened profile',
    access: { kind: 'org', perm: 'admin' },
    status: 201,
    body: entryBody,
    handler: async (ctx) => {
      try {
        parseCatalogueEntry(ctx.body, 'entry');
      } catch (err) {
        throw badRequest(err instanceof BulwarkError ? err.message : oneLine(err), 'E_VALIDATION');
      }
      const now = ctx.services.now();
      const p = must(ctx.principal);
      const row: ApprovedImagesTable = {
        id: randomId(),
        repository: ctx.body.repository,
        entry: JSON.stringify(ctx.body),
        created_by: p.username,
        created_at: now,
      };
      await ctx.services.store.write(async (tx) => {
        await tx.insertInto('approved_images').values(row).execute();
        await appendAudit(tx, { id: p.userId, name: p.username }, now, [
          {
            action: 'catalogue.added',
            entityType: 'catalogue',
            entityId: row.id,
            details: { entry: ctx.body },
          },
        ]);
      });
      return entryView(row);
    },
  }),
  route({
    id: 'deleteCatalogueEntry',
    method: 'DELETE',
    path: '/catalogue/{entry}',
    tag: 'policy',
    summary: 'Remove an approved base image from the catalogue',
    access: { kind: 'org', perm: 'admin' },
    handler: async (ctx) => {
      const now = ctx.services.now();
      const p = must(ctx.principal);
      const id = ctx.params.entry!;
      await ctx.services.store.write(async (tx) => {
        const row = await tx
          .selectFrom('approved_images')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        if (!row) throw notFound('catalogue entry');
        await tx.deleteFrom('approved_images').where('id', '=', id).execute();
        await appendAudit(tx, { id: p.userId, name: p.username }, now, [
          {
            action: 'catalogue.removed',
            entityType: 'catalogue',
            entityId: id,
            details: { entry: JSON.parse(row.entry) as unknown },
          },
        ]);
      });
      return { deleted: id };
    },
  }),
  route({
    id: 'imagePolicy',
    method: 'GET',
    path: '/projects/{project}/images/{image}/policy',
    tag: 'policy',
    summary:
      "Every policy evaluated on the image's newest scan, with violations, exceptions and the health grade",
    access: { kind: 'project', perm: 'read' },
    handler: async (ctx) => {
      const img = await ctx.services.store.db
        .selectFrom('images')
        .selectAll()
        .where('id', '=', ctx.params.image!)
        .where('project_id', '=', ctx.project!.id)
        .executeTakeFirst();
      if (!img) throw notFound('image');
      const ev = await evaluateImage(ctx, ctx.project!, img, await catalogue(ctx));
      if (!ev) throw notFound('scan of this image');
      return ev;
    },
  }),
  route({
    id: 'listImagePolicies',
    method: 'GET',
    path: '/policy/images',
    tag: 'policy',
    summary: 'The health grade and failed policies of every image the caller may see, worst first',
    access: { kind: 'user' },
    query: z.object({
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      offset: z.coerce.number().int().min(0).default(0),
    }),
    handler: async (ctx) => {
      const p = must(ctx.principal);
      const db = ctx.services.store.db;
      const projects = (await db.selectFrom('projects').selectAll().orderBy('name').execute()).filter((pr) =>
        canSeeProject(p, pr.id),
      );
      const cat = await catalogue(ctx);
      const items = [];
      for (const project of projects) {
        const images = await db
          .selectFrom('images')
          .selectAll()
          .where('project_id', '=', project.id)
          .orderBy('repository')
          .orderBy('tag')
          .orderBy('environment')
          .execute();
        for (const img of images) {
          const ev = await evaluateImage(ctx, project, img, cat);
          if (!ev) continue;
          items.push({
            project: project.name,
            image: img.id,
            repository: img.repository,
            tag: img.tag,
            environment: img.environment,
            grade: ev.health.grade,
            score: ev.health.score,
            passed: ev.passed,
            failed: ev.results.filter((r) => r.status === 'fail').map((r) => r.id),
          });
        }
      }
      items.sort(
        (a, b) =>
          a.score - b.score ||
          (a.project < b.project ? -1 : a.project > b.project ? 1 : 0) ||
          (a.repository < b.repository ? -1 : a.repository > b.repository ? 1 : 0) ||
          (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0),
      );
      return {
        items: items.slice(ctx.query.offset, ctx.query.offset + ctx.query.limit),
        total: items.length,
      };
    },
  }),
];
