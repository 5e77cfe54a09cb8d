/**
 * Routes of the job queue (docs/server.md#jobs): job status, server-side registry scans, registry
 * credentials (stored encrypted, never returned), and the admin triggers for a rematch or a database
 * update. Handlers only queue work; workers (`bulwark worker`, or the server itself) run it.
 */
import { z } from 'zod';
import { appendAudit, type Actor } from './audit.js';
import { canSeeProject, randomId, type Principal } from './auth.js';
import { notFound, unauthorized } from './errors.js';
import { checkReference, encryptSecret } from './jobs/index.js';
import { route, type RouteContext, type RouteDef } from './route.js';
import { JOB_STATES, type JobsTable, type RegistryCredentialsTable } from './store/schema.js';

const must = (p: Principal | undefined): Principal => {
  if (!p) throw unauthorized();
  return p;
};
const actorOf = (p: Principal | undefined): Actor => ({
  id: p?.userId ?? null,
  name: p?.username ?? 'anonymous',
});

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

export const jobView = (j: JobsTable, projectName?: string | null) => ({
  id: j.id,
  kind: j.kind,
  state: j.state,
  project: projectName ?? null,
  data: parse(j.data),
  result: parse(j.result),
  error: j.error,
  progress: j.progress,
  attempts: j.attempts,
  maxAttempts: j.max_attempts,
  worker: j.worker,
  createdBy: j.created_by,
  createdAt: j.created_at,
  startedAt: j.started_at,
  finishedAt: j.finished_at,
});

const credentialView = (c: RegistryCredentialsTable) => ({
  id: c.id,
  registry: c.registry,
  username: c.username,
  createdBy: c.created_by,
  createdAt: c.created_at,
  updatedAt: c.updated_at,
});

/** Organisation jobs (no project) are for admin and security; project jobs for who can see the project. */
function canSeeJob(p: Principal, projectId: string | null): boolean {
  if (projectId === null) return (p.role === 'admin' || p.role === 'security') && !p.tokenProjects;
  return canSeeProject(p, projectId);
}

async function projectNames(
  ctx: RouteContext,
  ids: readonly (string | null)[],
): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((i): i is string => i !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await ctx.services.store.db
    .selectFrom('projects')
    .select(['id', 'name'])
    .where('id', 'in', wanted)
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Audit that a user queued a job. */
async function auditQueued(ctx: RouteContext, job: JobsTable, details: Record<string, unknown>) {
  const now = ctx.services.now();
  await ctx.services.store.write((tx) =>
    appendAudit(tx, actorOf(ctx.principal), now, [
      {
        action: 'job.queued',
        entityType: 'job',
        entityId: job.id,
        projectId: job.project_id,
        details: { kind: job.kind, ...details },
      },
    ]),
  );
}

const registryHost = z
  .string()
  .min(1)
  .max(255)
  .regex(
    /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/,
    'a registry host, e.g. ghcr.io or registry.example.com:5000',
  )
  .transform((s) => s.toLowerCase());

export const JOB_ROUTES: readonly RouteDef[] = [
  route({
    id: 'listJobs',
    method: 'GET',
    path: '/jobs',
    tag: 'jobs',
    summary: 'Jobs the caller can see, newest first (admin and security: all; others: their projects’ jobs)',
    access: { kind: 'user' },
    query: z.object({
      state: z.enum(JOB_STATES as [string, ...string[]]).optional(),
      kind: z.string().max(50).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      offset: z.coerce.number().int().min(0).default(0),
    }),
    handler: async (ctx) => {
      const p = must(ctx.principal);
      let q = ctx.services.store.db.selectFrom('jobs').selectAll();
      if (ctx.query.state) q = q.where('state', '=', ctx.query.state as JobsTable['state']);
      if (ctx.query.kind) q = q.where('kind', '=', ctx.query.kind);
      const orgWide = (p.role === 'admin' || p.role === 'security') && !p.tokenProjects;
      if (!orgWide) {
        const visible = [...p.memberOf].filter((id) => canSeeProject(p, id));
        if (visible.length === 0) return { items: [] };
        q = q.where('project_id', 'in', visible);
      }
      const rows = await q
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(ctx.query.limit)
        .offset(ctx.query.offset)
        .execute();
      const names = await projectNames(
        ctx,
        rows.map((r) => r.project_id),
      );
      return { items: rows.map((r) => jobView(r, r.project_id ? names.get(r.project_id) : null)) };
    },
  }),
  route({
    id: 'getJob',
    method: 'GET',
    path: '/jobs/{job}',
    tag: 'jobs',
    summary: 'One job: state, attempts, worker, progress, result or last error',
    access: { kind: 'user' },
    handler: async (ctx) => {
      const p = must(ctx.principal);
      const j = await ctx.services.store.db
        .selectFrom('jobs')
        .selectAll()
        .where('id', '=', ctx.params.job!)
        .executeTakeFirst();
      if (!j || !canSeeJob(p, j.project_id)) throw notFound('job');
      const names = await projectNames(ctx, [j.project_id]);
      return jobView(j, j.project_id ? names.get(j.project_id) : null);
    },
  }),
  route({
    id: 'requestRegistryScan',
    method: 'POST',
    path: '/projects/{project}/registry-scans',
    tag: 'jobs',
    summary: 'Scan an image in a registry on the server (a job); the result is ingested like a pushed scan',
    description:
      'Only registries on the server’s registry-allow list are reached (403 E_REGISTRY_NOT_ALLOWED otherwise); stored registry credentials are used when one exists for the registry. Answers 202 with the queued job.',
    access: { kind: 'project', perm: 'push' },
    status: 202,
    body: z.object({
      reference: z
        .string()
        .min(1)
        .max(1000)
        .describe('image reference, e.g. registry.example.com/team/app:1.4'),
      repository: z
        .string()
        .min(1)
        .max(500)
        .optional()
        .describe('register repository (default: registry/repository of the reference)'),
      environment: z.string().min(1).max(100).default('default'),
      platform: z
        .string()
        .regex(/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/)
        .optional()
        .describe('os/arch[/variant] of a multi-platform image'),
    }),
    handler: async (ctx) => {
      const ref = checkReference(ctx.services.config, ctx.body.reference);
      const p = must(ctx.principal);
      const job = await ctx.services.jobs.enqueue(
        'registry-scan',
        {
          projectId: ctx.project!.id,
          reference: ctx.body.reference,
          repository: ctx.body.repository ?? `${ref.registry}/${ref.repository}`,
          tag: ref.tag ?? 'latest',
          environment: ctx.body.environment,
          ...(ctx.body.platform ? { platform: ctx.body.platform } : {}),
          requestedBy: { id: p.userId, name: p.username },
        },
        { projectId: ctx.project!.id, createdBy: p.username },
      );
      await auditQueued(ctx, job, { reference: ctx.body.reference });
      return jobView(job, ctx.project!.name);
    },
  }),
  route({
    id: 'requestRematch',
    method: 'POST',
    path: '/admin/rematch',
    tag: 'jobs',
    summary: 'Re-match every stored SBOM against the server’s vulnerability database now (a job)',
    description:
      'Answers 202 with the queued job (an already queued rematch is returned instead of a second one).',
    access: { kind: 'org', perm: 'admin' },
    status: 202,
    handler: async (ctx) => {
      const job = await ctx.services.jobs.requestRematch(
        must(ctx.principal).username,
        'requested through the API',
      );
      await auditQueued(ctx, job, {});
      return jobView(job);
    },
  }),
  route({
    id: 'requestDbUpdate',
    method: 'POST',
    path: '/admin/vuln-db/update',
    tag: 'jobs',
    summary:
      'Run bulwark db update on the server now (a job); stored SBOMs are re-matched when the data changed',
    access: { kind: 'org', perm: 'admin' },
    status: 202,
    handler: async (ctx) => {
      const job = await ctx.services.jobs.enqueue(
        'db-update',
        { requested: true },
        { createdBy: must(ctx.principal).username },
      );
      await auditQueued(ctx, job, {});
      return jobView(job);
    },
  }),
  route({
    id: 'listRegistryCredentials',
    method: 'GET',
    path: '/registry-credentials',
    tag: 'jobs',
    summary: 'Stored registry credentials (registry and user name; never the secret)',
    access: { kind: 'org', perm: 'admin' },
    handler: async (ctx) => ({
      items: (
        await ctx.services.store.db
          .selectFrom('registry_credentials')
          .selectAll()
          .orderBy('registry')
          .execute()
      ).map(credentialView),
    }),
  }),
  route({
    id: 'putRegistryCredential',
    method: 'PUT',
    path: '/registry-credentials/{registry}',
    tag: 'jobs',
    summary: 'Store (or replace) the credentials server-side scans use for one registry',
    description:
      'The password or token is encrypted at rest with AES-256-GCM under the server’s secret key (BULWARK_SERVER_SECRET_KEY; 409 E_NO_SECRET_KEY without one) and never returned.',
    access: { kind: 'org', perm: 'admin' },
    body: z.object({ username: z.string().min(1).max(500), password: z.string().min(1).max(10_000) }),
    handler: async (ctx) => {
      const host = registryHost.safeParse(ctx.params.registry);
      if (!host.success) throw notFound(`registry ${JSON.stringify(ctx.params.registry)}`);
      const registry = host.data;
      const secret = encryptSecret(ctx.services.config.secretKey, registry, ctx.body.password);
      const now = ctx.services.now();
      const by = must(ctx.principal).username;
      return ctx.services.store.write(async (tx) => {
        const old = await tx
          .selectFrom('registry_credentials')
          .selectAll()
          .where('registry', '=', registry)
          .executeTakeFirst();
        const row: RegistryCredentialsTable = old
          ? { ...old, username: ctx.body.username, secret, updated_at: now }
          : {
              id: randomId(),
              registry,
              username: ctx.body.username,
              secret,
              created_by: by,
              created_at: now,
              updated_at: now,
            };
        if (old)
          await tx
            .updateTable('registry_credentials')
            .set({ username: row.username, secret, updated_at: now })
            .where('id', '=', old.id)
            .execute();
        else await tx.insertInto('registry_credentials').values(row).execute();
        await appendAudit(tx, actorOf(ctx.principal), now, [
          {
            action: 'registry-credential.set',
            entityType: 'registry-credential',
            entityId: row.id,
            details: { registry, username: row.username },
          },
        ]);
        return credentialView(row);
      });
    },
  }),
  route({
    id: 'deleteRegistryCredential',
    method: 'DELETE',
    path: '/registry-credentials/{registry}',
    tag: 'jobs',
    summary: 'Delete the stored credentials of one registry',
    access: { kind: 'org', perm: 'admin' },
    handler: async (ctx) => {
      const registry = ctx.params.registry!.toLowerCase();
      const now = ctx.services.now();
      return ctx.services.store.write(async (tx) => {
        const old = await tx
          .selectFrom('registry_credentials')
          .selectAll()
          .where('registry', '=', registry)
          .executeTakeFirst();
        if (!old) throw notFound(`credentials for ${JSON.stringify(registry)}`);
        await tx.deleteFrom('registry_credentials').where('id', '=', old.id).execute();
        await appendAudit(tx, actorOf(ctx.principal), now, [
          {
            action: 'registry-credential.deleted',
            entityType: 'registry-credential',
            entityId: old.id,
            details: { registry },
          },
        ]);
        return { ok: true };
      });
    },
  }),
];
