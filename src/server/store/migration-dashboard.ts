/**
 * Migration 007_dashboard: one summary row per scan (counts, grade, image facts, layers) written at
 * ingest, so the dashboard's image lists and overview never parse stored SBOMs, and the indexes its
 * aggregates read. Portable column types only, like 001.
 */
import type { Kysely, Migration } from 'kysely';

export const dashboardMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    let t = db.schema
      .createTable('scan_summaries')
      .addColumn('scan_id', 'text', (c) => c.primaryKey().references('scans.id').onDelete('cascade'))
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('image_id', 'text', (c) => c.notNull().references('images.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('grade', 'text', (c) => c.notNull())
      .addColumn('score', 'double precision', (c) => c.notNull());
    for (const col of [
      'critical',
      'high',
      'medium',
      'low',
      'negligible',
      'unknown',
      'fixable',
      'kev',
      'secrets',
      'packages',
    ])
      t = t.addColumn(col, 'integer', (c) => c.notNull().defaultTo(0));
    await t
      .addColumn('os', 'text')
      .addColumn('platform', 'text')
      .addColumn('base_image', 'text')
      // double precision: exact for byte counts up to 2^53, and read back as a number on both engines.
      .addColumn('size', 'double precision')
      .addColumn('image_created', 'text')
      .addColumn('details', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('scan_summaries_by_image')
      .on('scan_summaries')
      .columns(['image_id'])
      .execute();
    // The overview's aggregates over every finding read these covering indexes instead of the table
    // (a finding row is ~1 KB, an entry here a few dozen bytes): not fixed, first seen and fixed per
    // day (the series), the open totals (state, severity, KEV, overdue, fixable), the open KEV list,
    // and recent events by time. project_id comes last so one index serves every caller's scope.
    const index = (name: string, table: string, columns: string[]) =>
      db.schema.createIndex(name).on(table).columns(columns).execute();
    await index('findings_dash_seen', 'findings', ['first_seen_at', 'severity', 'project_id']);
    await index('findings_dash_fixed', 'findings', ['fixed_at', 'severity', 'project_id']);
    await index('findings_dash_open', 'findings', [
      'state',
      'severity',
      'kev',
      'sla_due_at',
      'planned_fix_at',
      'fixed_version',
      'project_id',
    ]);
    await index('findings_dash_kev', 'findings', ['kev', 'state', 'vulnerability_id', 'project_id']);
    await index('audit_by_time', 'audit_log', ['at', 'seq']);
  },
};
