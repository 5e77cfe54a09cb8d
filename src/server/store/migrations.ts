/**
 * Schema migrations, run in order by Kysely's migrator on every start and by `bulwark server migrate`.
 * Written with the schema builder and portable column types only (text, integer, double precision), so
 * the same migration creates the same tables on SQLite and PostgreSQL. Never edit a released migration:
 * add a new one (`002_…`). Later features (job queue, webhooks, OIDC identities, SARIF findings) add
 * their own tables; findings are keyed by `identity`, which a SARIF rule × location fingerprint can fill.
 */
import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import { dashboardMigration } from './migration-dashboard.js';

const m001: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('server_meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull().unique())
      .addColumn('password_hash', 'text')
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('sessions')
      .addColumn('id_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('projects', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text')
      .addColumn('last_used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema
      .createTable('projects')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('project_members')
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('owner', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('added_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('project_members_pk', ['project_id', 'user_id'])
      .execute();
    await db.schema
      .createTable('images')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('repository', 'text', (c) => c.notNull())
      .addColumn('tag', 'text', (c) => c.notNull())
      .addColumn('environment', 'text', (c) => c.notNull())
      .addColumn('digest', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_scan_id', 'text')
      .addColumn('last_scan_at', 'text')
      .addUniqueConstraint('images_identity', ['project_id', 'repository', 'tag', 'environment'])
      .execute();
    await db.schema
      .createTable('scans')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('image_id', 'text', (c) => c.notNull().references('images.id').onDelete('cascade'))
      .addColumn('repository', 'text', (c) => c.notNull())
      .addColumn('digest', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('sbom', 'text', (c) => c.notNull())
      .addColumn('findings', 'text', (c) => c.notNull())
      .addColumn('package_count', 'integer', (c) => c.notNull())
      .addColumn('finding_count', 'integer', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('db_built_at', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('scans_by_image').on('scans').columns(['image_id', 'created_at']).execute();
    await db.schema
      .createIndex('scans_by_project')
      .on('scans')
      .columns(['project_id', 'created_at'])
      .execute();
    await db.schema
      .createTable('findings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('repository', 'text', (c) => c.notNull())
      .addColumn('identity', 'text', (c) => c.notNull().unique())
      .addColumn('vulnerability_id', 'text', (c) => c.notNull())
      .addColumn('aliases', 'text', (c) => c.notNull())
      .addColumn('package_name', 'text', (c) => c.notNull())
      .addColumn('package_type', 'text', (c) => c.notNull())
      .addColumn('package_purl', 'text', (c) => c.notNull())
      .addColumn('location', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('cvss_score', 'double precision')
      .addColumn('fixed_version', 'text')
      .addColumn('kev', 'integer', (c) => c.notNull())
      .addColumn('epss', 'double precision')
      .addColumn('summary', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('state_reason', 'text')
      .addColumn('justification', 'text')
      .addColumn('planned_fix_at', 'text')
      .addColumn('acceptance_id', 'text')
      .addColumn('sla_due_at', 'text')
      .addColumn('first_seen_at', 'text', (c) => c.notNull())
      .addColumn('first_scan_id', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text', (c) => c.notNull())
      .addColumn('last_scan_id', 'text', (c) => c.notNull())
      .addColumn('last_image_id', 'text', (c) => c.notNull())
      .addColumn('fixed_at', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('findings_by_repository')
      .on('findings')
      .columns(['project_id', 'repository', 'state'])
      .execute();
    await db.schema
      .createIndex('findings_by_vulnerability')
      .on('findings')
      .column('vulnerability_id')
      .execute();
    await db.schema.createIndex('findings_by_due').on('findings').columns(['state', 'sla_due_at']).execute();
    await db.schema
      .createTable('scan_findings')
      .addColumn('scan_id', 'text', (c) => c.notNull().references('scans.id').onDelete('cascade'))
      .addColumn('finding_id', 'text', (c) => c.notNull().references('findings.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('scan_findings_pk', ['scan_id', 'finding_id'])
      .execute();
    await db.schema
      .createIndex('scan_findings_by_finding')
      .on('scan_findings')
      .column('finding_id')
      .execute();
    await db.schema
      .createTable('risk_acceptances')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('project_id', 'text', (c) => c.references('projects.id').onDelete('cascade'))
      .addColumn('repository', 'text')
      .addColumn('image_id', 'text')
      .addColumn('vulnerability_id', 'text')
      .addColumn('package_pattern', 'text')
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('requested_at', 'text', (c) => c.notNull())
      .addColumn('decided_by', 'text')
      .addColumn('decided_at', 'text')
      .addColumn('decision_comment', 'text')
      .execute();
    await db.schema
      .createIndex('acceptances_by_status')
      .on('risk_acceptances')
      .columns(['status', 'expires_at'])
      .execute();
    await db.schema
      .createTable('audit_log')
      .addColumn('seq', 'integer', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('entity_type', 'text', (c) => c.notNull())
      .addColumn('entity_id', 'text', (c) => c.notNull())
      .addColumn('project_id', 'text')
      .addColumn('reason', 'text')
      .addColumn('details', 'text', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('audit_by_entity')
      .on('audit_log')
      .columns(['entity_type', 'entity_id'])
      .execute();
    await sql`insert into server_meta (key, value) values ('schema', 'bulwark-register')`.execute(db);
  },
};

/**
 * Indexes for the list routes (keyset pages, see ../paging.ts), so a page of a million findings is one
 * index range read of `limit + 1` rows in the order asked for, and the capped totals count index
 * entries only. Each ends with the sort columns `(…, sla_due_at, id)` (SLA order, the default) or
 * `(…, first_seen_at, id)`; the leading columns are the filters a dashboard combines most: the
 * project, then one of state, severity, KEV or package. Plans checked on both engines at 1,000,000
 * findings (`npm run bench -- --only server`, docs/server.md).
 */
const m002: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const index = (name: string, table: string, columns: string[]) =>
      db.schema.createIndex(name).on(table).columns(columns).execute();
    await index('findings_page_due', 'findings', ['project_id', 'sla_due_at', 'id']);
    await index('findings_page_first_seen', 'findings', ['project_id', 'first_seen_at', 'id']);
    await index('findings_page_state', 'findings', ['project_id', 'state', 'sla_due_at', 'id']);
    await index('findings_page_severity', 'findings', ['project_id', 'severity', 'sla_due_at', 'id']);
    await index('findings_page_kev', 'findings', ['project_id', 'kev', 'sla_due_at', 'id']);
    await index('findings_page_package', 'findings', ['project_id', 'package_name', 'sla_due_at', 'id']);
    // The overdue list across projects: open findings in SLA order.
    await index('findings_page_overdue', 'findings', ['sla_due_at', 'id']);
    await index('scans_page', 'scans', ['project_id', 'created_at', 'id']);
  },
};

/**
 * Jobs (docs/server.md#jobs): the status of every job on both engines, and the queue itself on SQLite
 * (on PostgreSQL pg-boss holds the queue in its own schema); registry credentials for server-side
 * scans, their secret encrypted (AES-256-GCM) with the server's secret key.
 */
const m002Jobs: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('project_id', 'text', (c) => c.references('projects.id').onDelete('cascade'))
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('result', 'text')
      .addColumn('error', 'text')
      .addColumn('progress', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('run_after', 'text', (c) => c.notNull())
      .addColumn('lease_until', 'text')
      .addColumn('worker', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('jobs_by_state').on('jobs').columns(['state', 'run_after']).execute();
    await db.schema.createIndex('jobs_by_kind').on('jobs').columns(['kind', 'created_at']).execute();
    await db.schema.createIndex('jobs_by_project').on('jobs').columns(['project_id', 'created_at']).execute();
    await db.schema
      .createTable('registry_credentials')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('registry', 'text', (c) => c.notNull().unique())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};

/** Webhooks and their outbox (deliveries written in the same transaction as the change they report). */
const m002Webhooks: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('webhooks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('events', 'text', (c) => c.notNull())
      .addColumn('min_severity', 'text')
      .addColumn('kev_only', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('webhooks_by_project').on('webhooks').column('project_id').execute();
    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
      .addColumn('project_id', 'text')
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'text', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'text')
      .addColumn('last_status', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      .execute();
    await db.schema
      .createIndex('deliveries_due')
      .on('webhook_deliveries')
      .columns(['status', 'next_attempt_at'])
      .execute();
    await db.schema
      .createIndex('deliveries_by_webhook')
      .on('webhook_deliveries')
      .columns(['webhook_id', 'created_at'])
      .execute();
    await db.schema
      .createTable('webhook_attempts')
      .addColumn('delivery_id', 'text', (c) =>
        c.notNull().references('webhook_deliveries.id').onDelete('cascade'),
      )
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('status', 'integer')
      .addColumn('error', 'text')
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('webhook_attempts_pk', ['delivery_id', 'attempt'])
      .execute();
  },
};

/** Every migration by name; names sort in the order they run. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '001_register': m001,
  '002_jobs': m002Jobs,
  '002_list_indexes': m002,
  '002_webhooks': m002Webhooks,
  '003_dashboard': dashboardMigration,
};

export class StaticMigrationProvider implements MigrationProvider {
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve({ ...MIGRATIONS });
  }
}
