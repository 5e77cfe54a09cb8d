/**
 * Read-side helpers of the dashboard routes: which projects the caller sees, the scan an image page
 * shows, its summary (stored at ingest, or computed for scans older than the summary table), and the
 * SQL pieces both engines understand (case-insensitive substring search, day buckets).
 */
import { sql, type RawBuilder } from 'kysely';
import { canSeeProject, type Principal } from '../auth.js';
import { notFound, unauthorized } from '../errors.js';
import type { RouteContext } from '../route.js';
import type { ImagesTable, ScanSummariesTable, ScansTable } from '../store/schema.js';
import { summarizeScan, type ScanDetails, type SummaryRow } from './summary.js';

export const must = (p: Principal | undefined): Principal => {
  if (!p) throw unauthorized();
  return p;
};

/**
 * The projects the caller can see, by id → name, optionally narrowed to `names` (a name the caller
 * cannot see answers 404, as everywhere: no probing for project names).
 */
export async function visibleProjects(
  ctx: RouteContext,
  names?: readonly string[],
): Promise<Map<string, string>> {
  const p = must(ctx.principal);
  let q = ctx.services.store.db.selectFrom('projects').select(['id', 'name']).orderBy('name');
  if (names?.length) q = q.where('name', 'in', names);
  const rows = (await q.execute()).filter((r) => canSeeProject(p, r.id));
  for (const n of names ?? [])
    if (!rows.some((r) => r.name === n)) throw notFound(`project ${JSON.stringify(n)}`);
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** `lower(column) LIKE %text%`, with LIKE's wildcards in `text` escaped (same on SQLite and PostgreSQL). */
export function containsCi(column: string, text: string): RawBuilder<boolean> {
  const pattern = `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
  return sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '!'`;
}

/** The image `id` of the route's project, or 404. */
export async function imageInProject(ctx: RouteContext, id: string): Promise<ImagesTable> {
  const img = await ctx.services.store.db
    .selectFrom('images')
    .selectAll()
    .where('id', '=', id)
    .where('project_id', '=', ctx.project!.id)
    .executeTakeFirst();
  if (!img) throw notFound('image');
  return img;
}

/** The scan an image page shows: `scanId` when given (it must be this image's), else the newest. */
export async function scanOfImage(
  ctx: RouteContext,
  img: ImagesTable,
  scanId: string | undefined,
): Promise<ScansTable> {
  const id = scanId ?? img.last_scan_id;
  const scan = id
    ? await ctx.services.store.db
        .selectFrom('scans')
        .selectAll()
        .where('id', '=', id)
        .where('image_id', '=', img.id)
        .executeTakeFirst()
    : undefined;
  if (!scan) throw notFound('scan');
  return scan;
}

/** The stored summary of a scan, or the same computed now (scans ingested before 007_dashboard). */
export async function summaryOf(
  ctx: RouteContext,
  scan: ScansTable,
): Promise<{ row: SummaryRow | ScanSummariesTable; details: ScanDetails }> {
  const row = await ctx.services.store.db
    .selectFrom('scan_summaries')
    .selectAll()
    .where('scan_id', '=', scan.id)
    .executeTakeFirst();
  if (row) return { row, details: JSON.parse(row.details) as ScanDetails };
  return summarizeScan({
    sbom: JSON.parse(scan.sbom) as unknown,
    findings: JSON.parse(scan.findings) as unknown[],
  });
}

/** UTC day `YYYY-MM-DD` of an ISO time. */
export const dayOf = (iso: string): string => iso.slice(0, 10);

/** The `days` UTC days ending with today's, oldest first. */
export function dayRange(now: string, days: number): string[] {
  const end = Date.parse(`${dayOf(now)}T00:00:00.000Z`);
  const out: string[] = [];
  for (let i = days - 1; i >= 0; i--) out.push(new Date(end - i * 86_400_000).toISOString().slice(0, 10));
  return out;
}
