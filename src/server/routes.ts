/**
 * The API's routes (under /api/v1). Each entry declares who may call it (see route.ts); handlers receive
 * validated input and return plain JSON. Findings, scans and acceptances are reached through their
 * project, so project membership is checked once, before the handler runs.
 */
import type { SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import type { Finding } from '../match/types.js';
import { matchSbom } from '../match/match.js';
import { scanReportToJson } from '../report/scan/json.js';
import { sbomToJson } from '../sbom/format/json.js';
import { parseSbom } from '../sbom/read/index.js';
import { BulwarkError, oneLine } from '../util/errors.js';
import { BULWARK_VERSION } from '../util/tool-version.js';
import { appendAudit, verifyAudit, type Actor } from './audit.js';
import {
  canSeeProject,
  hashPassword,
  newApiToken,
  passwordProblem,
  randomId,
  randomSecret,
  sha256,
  verifyPassword,
  type Principal,
} from './auth.js';
import { ApiError, badRequest, notFound, conflict, unauthorized } from './errors.js';
import {
  decideAcceptance,
  expireAcceptances,
  ingest,
  MANUAL_STATES,
  requestAcceptance,
  transition,
  VEX_JUSTIFICATIONS,
  type ImageRef,
  type ReportFinding,
} from './register.js';
import { cappedTotal, keysetPage, pageQuery, type KeysetSort } from './paging.js';
import { route, type RouteContext, type RouteDef } from './route.js';
import {
  FINDING_STATES,
  OPEN_STATES,
  ROLES,
  type FindingsTable,
  type RegisterSchema,
} from './store/schema.js';
import { DASHBOARD_ROUTES } from './routes-dashboard.js';
import { JOB_ROUTES } from './routes-jobs.js';
import { openVexForImage } from './vex.js';
import { WEBHOOK_ROUTES } from './routes-webhooks.js';
import { DECISION_ROUTES } from './routes-decisions.js';
import { SARIF_ROUTES } from './routes-sarif.js';
import {
  acceptanceView,
  auditView,
  findingView,
  imageView,
  projectView,
  scanView,
  tokenView,
  userView,
} from './views.js';

export const SESSION_COOKIE = 'bulwark_session';

const name = z
  .string()
  .min(1)
  .max(100)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'letters, digits, ".", "_" and "-", starting with a letter or digit',
  );
const reason = z.string().trim().min(3).max(4000);
const isoDate = z
  .string()
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && !Number.isNaN(Date.parse(s)),
    {
      message: 'expected an ISO-8601 date or date-time',
    },
  );
const pagination = {
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
};
const csv = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values)));

const actorOf = (p: Principal | undefined): Actor => ({
  id: p?.userId ?? null,
  name: p?.username ?? 'anonymous',
});
const must = (p: Principal | undefined): Principal => {
  if (!p) throw unauthorized();
  return p;
};

async function visibleProjectIds(ctx: RouteContext): Promise<string[] | 'all'> {
  const p = must(ctx.principal);
  if ((p.role === 'admin' || p.role === 'security') && !p.tokenProjects) return 'all';
  const all = await ctx.services.store.db.selectFrom('projects').select('id').execute();
  return all.map((r) => r.id).filter((id) => canSeeProject(p, id));
}

async function findUser(ctx: RouteContext, username: string) {
  const u = await ctx.services.store.db
    .selectFrom('users')
    .selectAll()
    .where('username', '=', username)
    .executeTakeFirst();
  if (!u) throw notFound(`user ${JSON.stringify(username)}`);
  return u;
}

/** The tables whose rows belong to one project and are addressed by `id` in a project route. */
type ProjectTable = 'scans' | 'findings' | 'images';

/**
 * Run `q` for the row `id` of the route's project, or throw a 404 naming `what`: a row of another
 * project is not found, so ids never leak across projects. `q` is the caller's select (its columns).
 */
async function oneInProject<T extends ProjectTable, O>(
  ctx: RouteContext,
  what: string,
  id: string,
  q: SelectQueryBuilder<RegisterSchema, T, O>,
): Promise<O> {
  // Every ProjectTable has `id` and `project_id`; TypeScript cannot resolve columns of a generic T.
  const row = await (q as unknown as SelectQueryBuilder<RegisterSchema, ProjectTable, O>)
    .where('id', '=', id)
    .where('project_id', '=', ctx.project!.id)
    .executeTakeFirst();
  if (!row) throw notFound(what);
  return row;
}

/** The audit entries about one finding or acceptance, oldest first, as the API shows them. */
async function historyOf(ctx: RouteContext, entityType: 'finding' | 'acceptance', id: string) {
  const rows = await ctx.services.store.db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', id)
    .orderBy('seq')
    .execute();
  return rows.map(auditView);
}

/** The image a pushed document is about: query parameters win over what the document says. */
function imageRef(
  q: { repository: string; tag?: string | undefined; environment: string; digest?: string | undefined },
  source: unknown,
): ImageRef {
  const img = (source as { image?: { repoTags?: unknown; manifestDigest?: unknown } } | undefined)?.image;
  const firstTag =
    Array.isArray(img?.repoTags) && typeof img.repoTags[0] === 'string' ? img.repoTags[0] : undefined;
  const tag = q.tag ?? firstTag?.slice(firstTag.lastIndexOf(':') + 1) ?? 'latest';
  const digest = q.digest ?? (typeof img?.manifestDigest === 'string' ? img.manifestDigest : undefined);
  return { repository: q.repository, tag, environment: q.environment, digest };
}

const pushQuery = z.object({
  repository: z.string().min(1).max(500).describe('image repository, e.g. registry.example.com/team/app'),
  tag: z.string().min(1).max(200).optional().describe('default: the tag the document names, else latest'),
  environment: z.string().min(1).max(100).default('default').describe('e.g. production, staging'),
  digest: z
    .string()
    .regex(/^[a-z0-9]+:[a-f0-9]{32,128}$/)
    .optional()
    .describe('default: the manifest digest the document names'),
});
type PushQuery = z.infer<typeof pushQuery>;

const reportFinding = z.looseObject({
  vulnerabilityId: z.string().min(1).max(300),
  aliases: z.array(z.string().max(300)).max(200).optional(),
  severity: z.string().min(1).max(20),
  cvss: z.looseObject({ score: z.number().optional() }).optional(),
  fixedVersion: z.string().max(500).optional(),
  kev: z.looseObject({}).optional(),
  epss: z.looseObject({ score: z.number().optional() }).optional(),
  summary: z.string().max(20000).optional(),
  package: z.looseObject({
    name: z.string().min(1).max(1000),
    version: z.string().max(1000),
    type: z.string().min(1).max(50),
    purl: z.string().min(1).max(4000),
    locations: z.array(z.looseObject({ path: z.string().max(4096) })).optional(),
  }),
});
const scanReport = z.looseObject({
  schema: z.literal('bulwark-scan/v1'),
  findings: z.array(reportFinding).max(1_000_000),
  database: z.looseObject({ builtAt: z.string().optional() }).optional(),
  sbom: z.record(z.string(), z.unknown()),
});

function sbomFromUpload(doc: unknown, what: string) {
  try {
    return parseSbom(doc, what, what);
  } catch (err) {
    if (err instanceof BulwarkError) throw badRequest(oneLine(err), err.code);
    throw err;
  }
}

function matchUploaded(ctx: RouteContext, sbom: ReturnType<typeof parseSbom>): Finding[] {
  let db;
  try {
    db = ctx.services.vulnDb();
  } catch (err) {
    throw new ApiError(
      503,
      'E_NO_VULN_DB',
      `the server cannot match SBOMs: ${oneLine(err)} (set vuln-db, or run bulwark db update on the server)`,
    );
  }
  return matchSbom(sbom, db).findings;
}

const PAGE_DESCRIPTION =
  "Pages: pass the answer's `next` as `cursor` to get the following page (the same cost at any depth, and rows added meanwhile never repeat or skip a row); `offset` still works but slows down on deep pages. `total` counts matching rows up to 10,000; `totalExact` is false when more match.";

/** Finding orders: SLA due date (soonest first) or first seen (newest first); ties by id. */
const FINDING_SORTS: Readonly<Record<'due' | 'first-seen', KeysetSort>> = {
  due: { name: 'due', columns: ['sla_due_at', 'id'], direction: 'asc', nullableFirst: true },
  'first-seen': { name: 'first-seen', columns: ['first_seen_at', 'id'], direction: 'desc' },
};
const OVERDUE_SORT: KeysetSort = {
  name: 'overdue',
  columns: ['findings.sla_due_at', 'findings.id'],
  direction: 'asc',
  nullableFirst: true,
};
const SCAN_SORT: KeysetSort = { name: 'newest', columns: ['created_at', 'id'], direction: 'desc' };
const IMAGE_SORT: KeysetSort = {
  name: 'image',
  columns: ['repository', 'tag', 'environment', 'id'],
  direction: 'asc',
};
const AUDIT_SORT: KeysetSort = { name: 'newest', columns: ['seq'], direction: 'desc' };

export const ROUTES: readonly RouteDef[] = [
  route({
    id: 'health',
    method: 'GET',
    path: '/health',
    tag: 'meta',
    summary: 'Liveness and version',
    access: { kind: 'public' },
    handler: async (ctx) => ({ status: 'ok', version: BULWARK_VERSION, engine: ctx.services.store.engine }),
  }),
  route({
    id: 'openapi',
    method: 'GET',
    path: '/openapi.json',
    tag: 'meta',
    summary: 'This API as an OpenAPI 3.1 document',
    access: { kind: 'public' },
    // Answered by the server itself (it needs the whole route table); see app.ts.
    handler: async () => undefined,
  }),
  route({
    id: 'login',
    method: 'POST',
    path: '/auth/login',
    tag: 'auth',
    summary: 'Sign in; sets an httpOnly session cookie and returns the CSRF token for writes',
    description:
      'Rate-limited per client address and per user name (login-attempts per login-window). Writes made with the session cookie must send the returned csrfToken in the x-csrf-token header.',
    access: { kind: 'public' },
    body: z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(1024) }),
    handler: async (ctx) => {
      const { services, body, request, reply } = ctx;
      const keys = [`ip:${request.ip}`, `user:${body.username.toLowerCase()}`];
      const wait = services.loginLimiter.blocked(keys);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw new ApiError(429, 'E_RATE_LIMITED', `too many failed sign-ins; try again in ${wait} s`);
      }
      const user = await services.store.db
        .selectFrom('users')
        .selectAll()
        .where('username', '=', body.username)
        .executeTakeFirst();
      const ok = await verifyPassword(body.password, user?.password_hash ?? null);
      if (!user || !ok || user.disabled === 1) {
        services.loginLimiter.fail(keys);
        throw unauthorized('wrong user name or password');
      }
      services.loginLimiter.reset(keys[1]!);
      const sessionId = randomSecret();
      const csrfToken = randomSecret();
      const now = services.now();
      const expires = new Date(Date.parse(now) + services.config.sessionTtlMs).toISOString();
      await services.store.db
        .insertInto('sessions')
        .values({
          id_hash: sha256(sessionId),
          user_id: user.id,
          csrf_token: csrfToken,
          created_at: now,
          expires_at: expires,
        })
        .execute();
      reply.setCookie(SESSION_COOKIE, sessionId, {
        httpOnly: true,
        sameSite: 'strict',
        secure: services.config.secureCookies,
        path: '/',
        expires: new Date(expires),
      });
      return { user: userView(user), csrfToken, expiresAt: expires };
    },
  }),
  route({
    id: 'logout',
    method: 'POST',
    path: '/auth/logout',
    tag: 'auth',
    summary: 'End the current session',
    access: { kind: 'user' },
    handler: async (ctx) => {
      const p = must(ctx.principal);
      if (p.sessionHash)
        await ctx.services.store.db.deleteFrom('sessions').where('id_hash', '=', p.sessionHash).execute();
      ctx.reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true };
    },
  }),
  route({
    id: 'me',
    method: 'GET',
    path: '/me',
    tag: 'auth',
    summary: 'The signed-in user, its projects and (for sessions) the CSRF token',
    access: { kind: 'user' },
    handler: async (ctx) => {
      const p = must(ctx.principal);
      return {
        id: p.userId,
        username: p.username,
        role: p.role,
        via: p.via,
        ...(p.csrfToken ? { csrfToken: p.csrfToken } : {}),
        ...(p.tokenScope ? { tokenScope: p.tokenScope } : {}),
        memberOf: [...p.memberOf].sort(),
      };
    },
  }),
  route({
    id: 'listTokens',
    method: 'GET',
    path: '/tokens',
    tag: 'auth',
    summary: "The caller's API tokens (never their secret)",
    access: { kind: 'account' },
    handler: async (ctx) => {
      const rows = await ctx.services.store.db
        .selectFrom('api_tokens')
        .selectAll()
        .where('user_id', '=', must(ctx.principal).userId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return { items: rows.map(tokenView) };
    },
  }),
  route({
    id: 'createToken',
    method: 'POST',
    path: '/tokens',
    tag: 'auth',
    summary: 'Create an API token; its secret is in this answer only',
    description:
      'A token can only narrow its user: scope read (GET only), write (also push, triage, request and decide acceptances as the user may) or admin (everything the user may); projects limits it to those project names.',
    access: { kind: 'account' },
    status: 201,
    body: z.object({
      name: z.string().trim().min(1).max(100),
      scope: z.enum(['read', 'write', 'admin']),
      projects: z.array(name).max(1000).optional(),
      expiresAt: isoDate.optional(),
    }),
    handler: async (ctx) => {
      const p = must(ctx.principal);
      const { body, services } = ctx;
      let projectIds: string[] | null = null;
      if (body.projects) {
        const rows = body.projects.length
          ? await services.store.db
              .selectFrom('projects')
              .select(['id', 'name'])
              .where('name', 'in', body.projects)
              .execute()
          : [];
        for (const n of body.projects) {
          const row = rows.find((r) => r.name === n);
          if (!row || !canSeeProject(p, row.id))
            throw badRequest(`project ${JSON.stringify(n)} not found or not yours`, 'E_VALIDATION');
        }
        projectIds = rows.map((r) => r.id).sort();
      }
      const now = services.now();
      if (body.expiresAt && Date.parse(body.expiresAt) <= Date.parse(now))
        throw badRequest('expiresAt must be in the future', 'E_VALIDATION');
      const secret = newApiToken();
      const row = {
        id: randomId(),
        user_id: p.userId,
        name: body.name,
        token_hash: sha256(secret),
        scope: body.scope,
        projects: projectIds ? JSON.stringify(projectIds) : null,
        created_at: now,
        expires_at: body.expiresAt ? new Date(Date.parse(body.expiresAt)).toISOString() : null,
        last_used_at: null,
        revoked_at: null,
      };
      await services.store.write(async (tx) => {
        await tx.insertInto('api_tokens').values(row).execute();
        await appendAudit(tx, actorOf(p), now, [
          {
            action: 'token.created',
            entityType: 'token',
            entityId: row.id,
            details: { name: row.name, scope: row.scope, projects: projectIds },
          },
        ]);
      });
      return { ...tokenView(row), token: secret };
    },
  }),
  route({
    id: 'revokeToken',
    method: 'DELETE',
    path: '/tokens/{token}',
    tag: 'auth',
    summary: 'Revoke one of the caller’s tokens (admins: anyone’s)',
    access: { kind: 'account' },
    handler: async (ctx) => {
      const p = must(ctx.principal);
      const now = ctx.services.now();
      return ctx.services.store.write(async (tx) => {
        const t = await tx
          .selectFrom('api_tokens')
          .selectAll()
          .where('id', '=', ctx.params.token!)
          .executeTakeFirst();
        if (!t || (t.user_id !== p.userId && p.role !== 'admin')) throw notFound('token');
        if (t.revoked_at === null) {
          await tx.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', t.id).execute();
          await appendAudit(tx, actorOf(p), now, [
            { action: 'token.revoked', entityType: 'token', entityId: t.id, details: { name: t.name } },
          ]);
        }
        return tokenView({ ...t, revoked_at: t.revoked_at ?? now });
      });
    },
  }),
  route({
    id: 'listUsers',
    method: 'GET',
    path: '/users',
    tag: 'admin',
    summary: 'Every user',
    access: { kind: 'org', perm: 'admin' },
    handler: async (ctx) => ({
      items: (await ctx.services.store.db.selectFrom('users').selectAll().orderBy('username').execute()).map(
        userView,
      ),
    }),
  }),
  route({
    id: 'createUser',
    method: 'POST',
    path: '/users',
    tag: 'admin',
    summary: 'Create a local user',
    access: { kind: 'org', perm: 'admin' },
    status: 201,
    body: z.object({ username: name, password: z.string(), role: z.enum(ROLES as [string, ...string[]]) }),
    handler: async (ctx) => {
      const problem = passwordProblem(ctx.body.password);
      if (problem) throw badRequest(problem, 'E_VALIDATION');
      const user = await createUser(ctx.services.store, actorOf(ctx.principal), ctx.body, ctx.services.now());
      return userView(user);
    },
  }),
  route({
    id: 'updateUser',
    method: 'PATCH',
    path: '/users/{user}',
    tag: 'admin',
    summary: "Change a user's role, password or disabled flag",
    access: { kind: 'org', perm: 'admin' },
    body: z.object({
      role: z.enum(ROLES as [string, ...string[]]).optional(),
      password: z.string().optional(),
      disabled: z.boolean().optional(),
    }),
    handler: async (ctx) => {
      const u = await findUser(ctx, ctx.params.user!);
      const set: { role?: (typeof ROLES)[number]; password_hash?: string; disabled?: number } = {};
      if (ctx.body.role) set.role = ctx.body.role as (typeof ROLES)[number];
      if (ctx.body.disabled !== undefined) set.disabled = ctx.body.disabled ? 1 : 0;
      if (ctx.body.password !== undefined) {
        const problem = passwordProblem(ctx.body.password);
        if (problem) throw badRequest(problem, 'E_VALIDATION');
        set.password_hash = await hashPassword(ctx.body.password);
      }
      const now = ctx.services.now();
      await ctx.services.store.write(async (tx) => {
        await tx.updateTable('users').set(set).where('id', '=', u.id).execute();
        // A disabled user or a new password ends the user's sessions.
        if (set.disabled === 1 || set.password_hash)
          await tx.deleteFrom('sessions').where('user_id', '=', u.id).execute();
        await appendAudit(tx, actorOf(ctx.principal), now, [
          {
            action: 'user.updated',
            entityType: 'user',
            entityId: u.id,
            details: {
              username: u.username,
              role: set.role,
              disabled: ctx.body.disabled,
              passwordChanged: !!set.password_hash,
            },
          },
        ]);
      });
      return userView({ ...u, ...set });
    },
  }),
  route({
    id: 'listProjects',
    method: 'GET',
    path: '/projects',
    tag: 'projects',
    summary: 'The projects the caller can see',
    access: { kind: 'user' },
    handler: async (ctx) => {
      const visible = await visibleProjectIds(ctx);
      const rows = await ctx.services.store.db.selectFrom('projects').selectAll().orderBy('name').execute();
      return { items: rows.filter((r) => visible === 'all' || visible.includes(r.id)).map(projectView) };
    },
  }),
  route({
    id: 'createProject',
    method: 'POST',
    path: '/projects',
    tag: 'projects',
    summary: 'Create a project (a repository or service) with its owners',
    access: { kind: 'org', perm: 'admin' },
    status: 201,
    body: z.object({
      name,
      description: z.string().max(4000).default(''),
      owners: z.array(name).max(100).default([]),
    }),
    handler: async (ctx) => {
      const { body, services } = ctx;
      const now = services.now();
      const owners = await Promise.all(
        body.owners.map((o) =>
          findUser(ctx, o).catch(() => {
            throw badRequest(`owner ${JSON.stringify(o)} is not a user`, 'E_VALIDATION');
          }),
        ),
      );
      const row = { id: randomId(), name: body.name, description: body.description, created_at: now };
      await services.store.write(async (tx) => {
        const clash = await tx
          .selectFrom('projects')
          .select('id')
          .where('name', '=', body.name)
          .executeTakeFirst();
        if (clash) throw conflict(`project ${JSON.stringify(body.name)} exists`);
        await tx.insertInto('projects').values(row).execute();
        for (const o of owners)
          await tx
            .insertInto('project_members')
            .values({ project_id: row.id, user_id: o.id, owner: 1, added_at: now })
            .execute();
        await appendAudit(tx, actorOf(ctx.principal), now, [
          {
            action: 'project.created',
            entityType: 'project',
            entityId: row.id,
            projectId: row.id,
            details: { name: row.name, owners: body.owners },
          },
        ]);
      });
      return projectView(row);
    },
  }),
  route({
    id: 'getProject',
    method: 'GET',
    path: '/projects/{project}',
    tag: 'projects',
    summary: 'A project with its members and counts of open findings by severity',
    access: { kind: 'project', perm: 'read' },
    handler: async (ctx) => {
      const project = ctx.project!;
      const db = ctx.services.store.db;
      const members = await db
        .selectFrom('project_members')
        .innerJoin('users', 'users.id', 'project_members.user_id')
        .select(['users.username', 'users.role', 'project_members.owner'])
        .where('project_members.project_id', '=', project.id)
        .orderBy('users.username')
        .execute();
      const counts = await db
        .selectFrom('findings')
        .select(['severity', (eb) => eb.fn.countAll<number>().as('n')])
        .where('project_id', '=', project.id)
        .where('state', 'in', OPEN_STATES)
        .groupBy('severity')
        .execute();
      return {
        ...projectView(project),
        members: members.map((m) => ({ username: m.username, role: m.role, owner: m.owner === 1 })),
        openFindings: Object.fromEntries(counts.map((c) => [c.severity, Number(c.n)]).sort()),
      };
    },
  }),
  route({
    id: 'putMember',
    method: 'PUT',
    path: '/projects/{project}/members/{user}',
    tag: 'projects',
    summary: 'Add a user to a project (or change whether it is an owner)',
    access: { kind: 'project', perm: 'admin' },
    body: z.object({ owner: z.boolean().default(false) }),
    handler: async (ctx) => {
      const u = await findUser(ctx, ctx.params.user!);
      const project = ctx.project!;
      const now = ctx.services.now();
      await ctx.services.store.write(async (tx) => {
        await tx
          .deleteFrom('project_members')
          .where('project_id', '=', project.id)
          .where('user_id', '=', u.id)
          .execute();
        await tx
          .insertInto('project_members')
          .values({ project_id: project.id, user_id: u.id, owner: ctx.body.owner ? 1 : 0, added_at: now })
          .execute();
        await appendAudit(tx, actorOf(ctx.principal), now, [
          {
            action: 'member.set',
            entityType: 'project',
            entityId: project.id,
            projectId: project.id,
            details: { user: u.username, owner: ctx.body.owner },
          },
        ]);
      });
      return { project: project.name, username: u.username, owner: ctx.body.owner };
    },
  }),
  route({
    id: 'deleteMember',
    method: 'DELETE',
    path: '/projects/{project}/members/{user}',
    tag: 'projects',
    summary: 'Remove a user from a project',
    access: { kind: 'project', perm: 'admin' },
    handler: async (ctx) => {
      const u = await findUser(ctx, ctx.params.user!);
      const project = ctx.project!;
      const now = ctx.services.now();
      await ctx.services.store.write(async (tx) => {
        await tx
          .deleteFrom('project_members')
          .where('project_id', '=', project.id)
          .where('user_id', '=', u.id)
          .execute();
        await appendAudit(tx, actorOf(ctx.principal), now, [
          {
            action: 'member.removed',
            entityType: 'project',
            entityId: project.id,
            projectId: project.id,
            details: { user: u.username },
          },
        ]);
      });
      return { ok: true };
    },
  }),
  route({
    id: 'listImages',
    method: 'GET',
    path: '/projects/{project}/images',
    tag: 'images',
    summary: 'Images of a project (repository, tag, environment, newest digest)',
    access: { kind: 'project', perm: 'read' },
    description: PAGE_DESCRIPTION,
    query: z.object({
      repository: z.string().optional(),
      environment: z.string().optional(),
      ...pageQuery,
      limit: pageQuery.limit.unwrap().default(1000),
    }),
    handler: async (ctx) => {
      let q = ctx.services.store.db
        .selectFrom('images')
        .selectAll()
        .where('project_id', '=', ctx.project!.id);
      if (ctx.query.repository) q = q.where('repository', '=', ctx.query.repository);
      if (ctx.query.environment) q = q.where('environment', '=', ctx.query.environment);
      const page = await keysetPage(q, IMAGE_SORT, ctx.query, ctx.services.store.engine);
      return { items: page.items.map(imageView), next: page.next };
    },
  }),
  route({
    id: 'pushScan',
    method: 'POST',
    path: '/projects/{project}/scans',
    tag: 'scans',
    summary: 'Push a scan report (the output of bulwark scan -f json) into the register',
    rawBody:
      'A Bulwark scan report, schema bulwark-scan/v1 (docs/scan-json.md, schemas/bulwark-scan-v1.schema.json).',
    access: { kind: 'project', perm: 'push' },
    status: 201,
    query: pushQuery,
    handler: async (ctx) => {
      const parsed = scanReport.safeParse(ctx.body);
      if (!parsed.success) throw validationError(parsed.error, 'body');
      const report = parsed.data;
      const sbom = sbomFromUpload(report.sbom, 'scan report sbom');
      const query = ctx.query as PushQuery;
      return ingest(
        ctx.services.store,
        ctx.services.config,
        actorOf(ctx.principal),
        {
          projectId: ctx.project!.id,
          image: imageRef(query, sbom.source),
          kind: 'scan-report',
          sbomJson: JSON.stringify(report.sbom),
          packageCount: sbom.packages.length,
          findings: report.findings as unknown as ReportFinding[],
          findingsJson: JSON.stringify(report.findings),
          dbBuiltAt: report.database?.builtAt,
          document: {
            sbom: report.sbom,
            findings: report.findings,
            secrets: report.secrets,
            baseImage: report.baseImage,
          },
        },
        ctx.services.now(),
      );
    },
  }),
  route({
    id: 'pushSbom',
    method: 'POST',
    path: '/projects/{project}/sboms',
    tag: 'scans',
    summary: 'Upload an SBOM (Bulwark JSON, CycloneDX JSON or SPDX 2.3 JSON); the server matches it',
    rawBody:
      'A Bulwark (bulwark-sbom/v1), CycloneDX 1.4–1.6 JSON or SPDX 2.3 JSON SBOM (docs/sbom-formats.md).',
    access: { kind: 'project', perm: 'push' },
    status: 201,
    query: pushQuery,
    handler: async (ctx) => {
      const sbom = sbomFromUpload(ctx.body, 'uploaded SBOM');
      const findings = matchUploaded(ctx, sbom);
      const json = scanReportToJson({
        schema: 'bulwark-scan/v1',
        tool: { name: 'bulwark', version: BULWARK_VERSION },
        sbom,
        findings,
        expiredSuppressions: [],
        filters: {},
      }) as unknown as { findings: ReportFinding[] };
      const query = ctx.query as PushQuery;
      const sbomDoc = sbomToJson(sbom);
      return ingest(
        ctx.services.store,
        ctx.services.config,
        actorOf(ctx.principal),
        {
          projectId: ctx.project!.id,
          image: imageRef(query, sbom.source),
          kind: 'sbom',
          sbomJson: JSON.stringify(sbomDoc),
          packageCount: sbom.packages.length,
          findings: json.findings,
          findingsJson: JSON.stringify(json.findings),
          dbBuiltAt: ctx.services.vulnDb().status().builtAt,
          document: { sbom: sbomDoc, findings: json.findings },
        },
        ctx.services.now(),
      );
    },
  }),
  route({
    id: 'listScans',
    method: 'GET',
    path: '/projects/{project}/scans',
    tag: 'scans',
    summary: 'Scan history of a project, newest first',
    access: { kind: 'project', perm: 'read' },
    description: PAGE_DESCRIPTION,
    query: z.object({ image: z.string().optional(), ...pageQuery }),
    handler: async (ctx) => {
      let q = ctx.services.store.db
        .selectFrom('scans')
        .select([
          'id',
          'project_id',
          'image_id',
          'repository',
          'digest',
          'kind',
          'package_count',
          'finding_count',
          'summary',
          'db_built_at',
          'created_by',
          'created_at',
        ])
        .where('project_id', '=', ctx.project!.id);
      if (ctx.query.image) q = q.where('image_id', '=', ctx.query.image);
      const page = await keysetPage(q, SCAN_SORT, ctx.query, ctx.services.store.engine);
      return { items: page.items.map(scanView), next: page.next };
    },
  }),
  route({
    id: 'getScan',
    method: 'GET',
    path: '/projects/{project}/scans/{scan}',
    tag: 'scans',
    summary: 'One scan with its findings as reported (scan JSON findings)',
    access: { kind: 'project', perm: 'read' },
    handler: async (ctx) => {
      const s = await oneInProject(
        ctx,
        'scan',
        ctx.params.scan!,
        ctx.services.store.db.selectFrom('scans').selectAll(),
      );
      return { ...scanView(s), reportFindings: JSON.parse(s.findings) as unknown };
    },
  }),
  route({
    id: 'getScanSbom',
    method: 'GET',
    path: '/projects/{project}/scans/{scan}/sbom',
    tag: 'scans',
    summary: 'The SBOM stored with a scan (Bulwark SBOM JSON)',
    access: { kind: 'project', perm: 'read' },
    handler: async (ctx) => {
      const s = await oneInProject(
        ctx,
        'scan',
        ctx.params.scan!,
        ctx.services.store.db.selectFrom('scans').select('sbom'),
      );
      ctx.reply.type('application/json');
      return s.sbom;
    },
  }),
  route({
    id: 'listFindings',
    method: 'GET',
    path: '/projects/{project}/findings',
    tag: 'findings',
    summary: 'Findings of a project, filtered and paginated',
    description: PAGE_DESCRIPTION,
    access: { kind: 'project', perm: 'read' },
    query: z.object({
      state: csv(FINDING_STATES as [string, ...string[]])
        .optional()
        .describe('comma-separated states'),
      severity: csv(['critical', 'high', 'medium', 'low', 'negligible', 'unknown']).optional(),
      repository: z.string().optional(),
      vulnerability: z.string().optional().describe('a vulnerability id (CVE, GHSA, …)'),
      kev: z.enum(['true', 'false']).optional(),
      fixable: z
        .enum(['true', 'false'])
        .optional()
        .describe('true: a fixed version exists; false: no fix yet'),
      package: z.string().min(1).max(1000).optional().describe('a package name (exact)'),
      overdue: z.enum(['true', 'false']).optional(),
      sort: z.enum(['due', 'first-seen']).default('due'),
      ...pageQuery,
    }),
    handler: async (ctx) => {
      const { query } = ctx;
      const { store } = ctx.services;
      const now = ctx.services.now();
      await expireAcceptances(store, now);
      let q = store.db.selectFrom('findings').where('project_id', '=', ctx.project!.id);
      if (query.state?.length) q = q.where('state', 'in', query.state as FindingsTable['state'][]);
      if (query.severity?.length) q = q.where('severity', 'in', query.severity);
      if (query.repository) q = q.where('repository', '=', query.repository);
      if (query.vulnerability) q = q.where('vulnerability_id', '=', query.vulnerability);
      if (query.kev) q = q.where('kev', '=', query.kev === 'true' ? 1 : 0);
      if (query.fixable) q = q.where('fixed_version', query.fixable === 'true' ? 'is not' : 'is', null);
      if (query.package) q = q.where('package_name', '=', query.package);
      if (query.overdue === 'true') q = q.where('state', 'in', OPEN_STATES).where('sla_due_at', '<', now);
      const page = await keysetPage(q.selectAll(), FINDING_SORTS[query.sort], query, store.engine);
      return {
        ...(await cappedTotal(store.db, q)),
        items: page.items.map((r) => findingView(r, now)),
        next: page.next,
      };
    },
  }),
  route({
    id: 'getFinding',
    method: 'GET',
    path: '/projects/{project}/findings/{finding}',
    tag: 'findings',
    summary: 'One finding with its history (audit entries) and the scans that saw it',
    access: { kind: 'project', perm: 'read' },
    handler: async (ctx) => {
      const db = ctx.services.store.db;
      const f = await oneInProject(
        ctx,
        'finding',
        ctx.params.finding!,
        db.selectFrom('findings').selectAll(),
      );
      const history = await historyOf(ctx, 'finding', f.id);
      const scans = await db
        .selectFrom('scan_findings')
        .innerJoin('scans', 'scans.id', 'scan_findings.scan_id')
        .select(['scans.id', 'scans.created_at', 'scans.digest', 'scans.image_id'])
        .where('scan_findings.finding_id', '=', f.id)
        .orderBy('scans.created_at')
        .orderBy('scans.id')
        .execute();
      return {
        ...findingView(f, ctx.services.now()),
        history,
        scans: scans.map((s) => ({
          id: s.id,
          createdAt: s.created_at,
          digest: s.digest,
          imageId: s.image_id,
        })),
      };
    },
  }),
  route({
    id: 'setFindingState',
    method: 'POST',
    path: '/projects/{project}/findings/{finding}/state',
    tag: 'findings',
    summary:
      'Triage a finding: triaged, fix-planned (with a date), not-affected (with a VEX justification), false-positive, reopened',
    description:
      'fixed is set by scans and risk-accepted by an approved risk acceptance; neither can be set by hand. Every change needs a reason and is audited.',
    access: { kind: 'project', perm: 'triage' },
    body: z.object({
      state: z.enum(MANUAL_STATES),
      reason,
      plannedFixAt: isoDate.optional(),
      justification: z.enum(VEX_JUSTIFICATIONS).optional(),
    }),
    handler: async (ctx) => {
      const f = await oneInProject(
        ctx,
        'finding',
        ctx.params.finding!,
        ctx.services.store.db.selectFrom('findings').select('id'),
      );
      const now = ctx.services.now();
      return findingView(
        await transition(ctx.services.store, actorOf(ctx.principal), f.id, ctx.body, now),
        now,
      );
    },
  }),
  route({
    id: 'overdue',
    method: 'GET',
    path: '/findings/overdue',
    tag: 'findings',
    summary: 'Open findings past their SLA (or planned fix date) in every project the caller can see',
    description: PAGE_DESCRIPTION,
    access: { kind: 'user' },
    query: z.object({ ...pageQuery }),
    handler: async (ctx) => {
      const now = ctx.services.now();
      await expireAcceptances(ctx.services.store, now);
      const visible = await visibleProjectIds(ctx);
      if (visible !== 'all' && visible.length === 0)
        return { total: 0, totalExact: true, items: [], next: null };
      let q = ctx.services.store.db
        .selectFrom('findings')
        .innerJoin('projects', 'projects.id', 'findings.project_id')
        .where('findings.state', 'in', OPEN_STATES)
        .where((eb) =>
          eb.or([
            eb('findings.sla_due_at', '<', now),
            eb.and([eb('findings.state', '=', 'fix-planned'), eb('findings.planned_fix_at', '<', now)]),
          ]),
        );
      if (visible !== 'all') q = q.where('findings.project_id', 'in', visible);
      const page = await keysetPage(
        q.selectAll('findings').select('projects.name as project_name'),
        OVERDUE_SORT,
        ctx.query,
        ctx.services.store.engine,
      );
      return {
        ...(await cappedTotal(ctx.services.store.db, q)),
        items: page.items.map((r) => ({ project: r.project_name, ...findingView(r, now) })),
        next: page.next,
      };
    },
  }),
  route({
    id: 'requestProjectAcceptance',
    method: 'POST',
    path: '/projects/{project}/acceptances',
    tag: 'acceptances',
    summary: 'Request a risk acceptance for an image or an image repository of the project',
    description:
      'It applies only after another user with the security or admin role approves it (four-eyes). expiresAt is required and capped by max-acceptance-days.',
    access: { kind: 'project', perm: 'triage' },
    status: 201,
    body: z.object({
      scope: z.enum(['image', 'repository']),
      repository: z.string().min(1).max(500),
      imageId: z.string().optional().describe('for scope image: the image (see listImages)'),
      vulnerabilityId: z.string().min(1).max(300).optional(),
      packagePattern: z
        .string()
        .min(5)
        .max(500)
        .optional()
        .describe('PURL pattern, e.g. pkg:deb/debian/openssl*'),
      reason,
      expiresAt: isoDate,
    }),
    handler: async (ctx) => {
      const { body } = ctx;
      let imageId: string | null = null;
      if (body.scope === 'image') {
        if (!body.imageId) throw badRequest('scope image needs imageId', 'E_VALIDATION');
        const img = await ctx.services.store.db
          .selectFrom('images')
          .select(['id', 'repository'])
          .where('id', '=', body.imageId)
          .where('project_id', '=', ctx.project!.id)
          .executeTakeFirst();
        if (!img || img.repository !== body.repository)
          throw badRequest('imageId is not an image of that repository in this project', 'E_VALIDATION');
        imageId = img.id;
      }
      const now = ctx.services.now();
      const row = await requestAcceptance(
        ctx.services.store,
        ctx.services.config,
        actorOf(ctx.principal),
        {
          scope: body.scope,
          projectId: ctx.project!.id,
          repository: body.repository,
          imageId,
          vulnerabilityId: body.vulnerabilityId ?? null,
          packagePattern: body.packagePattern ?? null,
          reason: body.reason,
          expiresAt: body.expiresAt,
        },
        now,
      );
      return acceptanceView(row, now);
    },
  }),
  route({
    id: 'requestOrganisationAcceptance',
    method: 'POST',
    path: '/acceptances',
    tag: 'acceptances',
    summary: 'Request an organisation-wide risk acceptance for a vulnerability and/or a package pattern',
    access: { kind: 'org', perm: 'approve' },
    status: 201,
    body: z.object({
      vulnerabilityId: z.string().min(1).max(300).optional(),
      packagePattern: z.string().min(5).max(500).optional(),
      reason,
      expiresAt: isoDate,
    }),
    handler: async (ctx) => {
      const now = ctx.services.now();
      const row = await requestAcceptance(
        ctx.services.store,
        ctx.services.config,
        actorOf(ctx.principal),
        {
          scope: 'organisation',
          projectId: null,
          repository: null,
          imageId: null,
          vulnerabilityId: ctx.body.vulnerabilityId ?? null,
          packagePattern: ctx.body.packagePattern ?? null,
          reason: ctx.body.reason,
          expiresAt: ctx.body.expiresAt,
        },
        now,
      );
      return acceptanceView(row, now);
    },
  }),
  route({
    id: 'listAcceptances',
    method: 'GET',
    path: '/acceptances',
    tag: 'acceptances',
    summary: 'Risk acceptances the caller can see (organisation-wide ones and those of its projects)',
    access: { kind: 'user' },
    query: z.object({
      status: z.enum(['requested', 'approved', 'rejected', 'expired', 'revoked']).optional(),
      ...pagination,
    }),
    handler: async (ctx) => {
      const now = ctx.services.now();
      await expireAcceptances(ctx.services.store, now);
      const visible = await visibleProjectIds(ctx);
      let q = ctx.services.store.db.selectFrom('risk_acceptances').selectAll();
      if (ctx.query.status) q = q.where('status', '=', ctx.query.status);
      if (visible !== 'all')
        q = q.where((eb) =>
          visible.length
            ? eb.or([eb('project_id', 'is', null), eb('project_id', 'in', visible)])
            : eb('project_id', 'is', null),
        );
      const rows = await q
        .orderBy('requested_at', 'desc')
        .orderBy('id')
        .limit(ctx.query.limit)
        .offset(ctx.query.offset)
        .execute();
      return { items: rows.map((r) => acceptanceView(r, now)) };
    },
  }),
  route({
    id: 'getAcceptance',
    method: 'GET',
    path: '/acceptances/{acceptance}',
    tag: 'acceptances',
    summary: 'One risk acceptance with its history',
    access: { kind: 'acceptance', perm: 'read' },
    handler: async (ctx) => {
      const db = ctx.services.store.db;
      const a = await db
        .selectFrom('risk_acceptances')
        .selectAll()
        .where('id', '=', ctx.params.acceptance!)
        .executeTakeFirstOrThrow();
      const history = await historyOf(ctx, 'acceptance', a.id);
      return { ...acceptanceView(a, ctx.services.now()), history };
    },
  }),
  route({
    id: 'approveAcceptance',
    method: 'POST',
    path: '/acceptances/{acceptance}/approve',
    tag: 'acceptances',
    summary: 'Approve a requested risk acceptance (security or admin; never the requester)',
    access: { kind: 'acceptance', perm: 'approve' },
    body: z.object({ comment: reason }),
    handler: async (ctx) => {
      const now = ctx.services.now();
      const r = await decideAcceptance(
        ctx.services.store,
        actorOf(ctx.principal),
        ctx.params.acceptance!,
        'approved',
        ctx.body.comment,
        now,
      );
      return { ...acceptanceView(r.acceptance, now), findingsAccepted: r.findings };
    },
  }),
  route({
    id: 'rejectAcceptance',
    method: 'POST',
    path: '/acceptances/{acceptance}/reject',
    tag: 'acceptances',
    summary: 'Reject a requested risk acceptance (kept, with the reason, in its history)',
    access: { kind: 'acceptance', perm: 'approve' },
    body: z.object({ comment: reason }),
    handler: async (ctx) => {
      const now = ctx.services.now();
      const r = await decideAcceptance(
        ctx.services.store,
        actorOf(ctx.principal),
        ctx.params.acceptance!,
        'rejected',
        ctx.body.comment,
        now,
      );
      return acceptanceView(r.acceptance, now);
    },
  }),
  route({
    id: 'imageVex',
    method: 'GET',
    path: '/projects/{project}/images/{image}/vex',
    tag: 'images',
    summary: "The register's decisions for an image as an OpenVEX document (for bulwark scan --vex)",
    access: { kind: 'project', perm: 'read' },
    handler: async (ctx) => {
      const img = await oneInProject(
        ctx,
        'image',
        ctx.params.image!,
        ctx.services.store.db.selectFrom('images').selectAll(),
      );
      return openVexForImage(ctx.services.store, ctx.project!, img, ctx.services.now());
    },
  }),
  route({
    id: 'listAudit',
    method: 'GET',
    path: '/audit',
    tag: 'admin',
    summary: 'The audit log, newest first, filterable',
    access: { kind: 'org', perm: 'admin' },
    query: z.object({
      actor: z.string().optional(),
      action: z.string().optional(),
      entityType: z.string().optional(),
      entityId: z.string().optional(),
      ...pageQuery,
    }),
    handler: async (ctx) => {
      let q = ctx.services.store.db.selectFrom('audit_log').selectAll();
      if (ctx.query.actor) q = q.where('actor', '=', ctx.query.actor);
      if (ctx.query.action) q = q.where('action', '=', ctx.query.action);
      if (ctx.query.entityType) q = q.where('entity_type', '=', ctx.query.entityType);
      if (ctx.query.entityId) q = q.where('entity_id', '=', ctx.query.entityId);
      const page = await keysetPage(q, AUDIT_SORT, ctx.query, ctx.services.store.engine);
      return { items: page.items.map(auditView), next: page.next };
    },
  }),
  route({
    id: 'verifyAudit',
    method: 'GET',
    path: '/audit/verify',
    tag: 'admin',
    summary: "Check the audit log's hash chain; names the first row that does not verify",
    access: { kind: 'org', perm: 'admin' },
    handler: async (ctx) => verifyAudit(ctx.services.store.db),
  }),
  ...DASHBOARD_ROUTES,
  ...JOB_ROUTES,
  ...WEBHOOK_ROUTES,
  ...DECISION_ROUTES,
  ...SARIF_ROUTES,
];

/** Turn a zod error into the API's one-line 400. */
export function validationError(err: z.ZodError, where: string): ApiError {
  const issue = err.issues[0];
  const path = [where, ...(issue?.path ?? []).map(String)].join('.');
  return new ApiError(400, 'E_VALIDATION', `${path}: ${issue?.message ?? 'invalid'}`);
}

/** Create a user (admin API, `bulwark server create-user`, the bootstrap admin); audited. */
export async function createUser(
  store: import('./store/connect.js').Store,
  actor: Actor,
  input: { username: string; password: string; role: string },
  now: string,
) {
  const row = {
    id: randomId(),
    username: input.username,
    password_hash: await hashPassword(input.password),
    role: input.role as (typeof ROLES)[number],
    disabled: 0,
    created_at: now,
  };
  await store.write(async (tx) => {
    const clash = await tx
      .selectFrom('users')
      .select('id')
      .where('username', '=', input.username)
      .executeTakeFirst();
    if (clash) throw conflict(`user ${JSON.stringify(input.username)} exists`);
    await tx.insertInto('users').values(row).execute();
    await appendAudit(tx, actor, now, [
      {
        action: 'user.created',
        entityType: 'user',
        entityId: row.id,
        details: { username: row.username, role: row.role },
      },
    ]);
  });
  return row;
}
