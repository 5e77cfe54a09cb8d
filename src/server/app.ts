/**
 * The HTTP server: Fastify with the routes of ./routes.ts. Authentication (API token or session cookie),
 * CSRF checking of cookie-authenticated writes, per-route authorisation, input validation and error
 * mapping all happen here, before and after the handlers, so no route can skip them.
 */
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { oneLine } from '../util/errors.js';
import { SYSTEM_ACTOR } from './audit.js';
import {
  canOnProject,
  hasPermission,
  passwordProblem,
  sha256,
  TOKEN_PREFIX,
  type Principal,
} from './auth.js';
import type { ServerConfig } from './config.js';
import { ApiError, forbidden, notFound, ServerConfigError, unauthorized } from './errors.js';
import { buildOpenApi } from './openapi.js';
import { createJobService, vulnDbAccess } from './jobs/index.js';
import { expireAcceptances } from './register.js';
import { API_PREFIX, type LoginLimiter, type RouteDef, type ServerServices } from './route.js';
import { createUser, ROUTES, SESSION_COOKIE, validationError } from './routes.js';
import { migrate, openStore, type Store } from './store/connect.js';
import { startDeliverer } from './webhooks/deliver.js';

export interface ServerOptions {
  readonly config: ServerConfig;
  /** Use this store instead of opening `config.databaseUrl` (closed with the server). */
  readonly store?: Store;
  /** Clock for tests. */
  readonly now?: () => Date;
  /** Extra routes (tests only: the matrix test proves unknown routes fail it). */
  readonly routes?: readonly RouteDef[];
  /** Do not start the expiry timer, the database watch and the update schedule (tests drive them). */
  readonly noTimers?: boolean;
  /** Jobs run in this process at once (default: the `workers` setting; 0: none). */
  readonly workers?: number;
  readonly logger?: boolean;
}

export interface BulwarkServer {
  readonly app: FastifyInstance;
  readonly services: ServerServices;
  readonly routes: readonly RouteDef[];
  readonly openapi: Record<string, unknown>;
  /** Every route Fastify registered (method and URL), as seen by its onRoute hook. */
  readonly registered: readonly { readonly method: string; readonly url: string }[];
  close(): Promise<void>;
}

/** In-memory sign-in limiter (per process): `max` failures per key per window. */
export function createLoginLimiter(max: number, windowMs: number, now: () => number): LoginLimiter {
  const hits = new Map<string, { count: number; resetAt: number }>();
  const get = (k: string) => {
    const h = hits.get(k);
    if (h && h.resetAt <= now()) {
      hits.delete(k);
      return undefined;
    }
    return h;
  };
  return {
    blocked(keys) {
      let wait = 0;
      for (const k of keys) {
        const h = get(k);
        if (h && h.count >= max) wait = Math.max(wait, Math.ceil((h.resetAt - now()) / 1000));
      }
      return wait;
    },
    fail(keys) {
      if (hits.size > 100_000) hits.clear(); // bounded memory under a spray of names
      for (const k of keys) {
        const h = get(k);
        if (h) h.count++;
        else hits.set(k, { count: 1, resetAt: now() + windowMs });
      }
    },
    reset(key) {
      hits.delete(key);
    },
  };
}

const toFastifyPath = (p: string): string => `${API_PREFIX}${p.replace(/\{(\w+)\}/g, ':$1')}`;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

async function authenticate(store: Store, req: FastifyRequest, now: string): Promise<Principal | undefined> {
  const db = store.db;
  const members = async (userId: string) =>
    new Set(
      (
        await db.selectFrom('project_members').select('project_id').where('user_id', '=', userId).execute()
      ).map((r) => r.project_id),
    );
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!m || !m[1]!.startsWith(TOKEN_PREFIX)) throw unauthorized('Authorization must be "Bearer bwk_…"');
    const t = await db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select([
        'api_tokens.id',
        'api_tokens.scope',
        'api_tokens.projects',
        'api_tokens.expires_at',
        'api_tokens.revoked_at',
        'api_tokens.last_used_at',
      ])
      .select(['users.id as user_id', 'users.username', 'users.role', 'users.disabled'])
      .where('api_tokens.token_hash', '=', sha256(m[1]!))
      .executeTakeFirst();
    if (!t || t.revoked_at !== null || t.disabled === 1 || (t.expires_at !== null && t.expires_at <= now))
      throw unauthorized('invalid, expired or revoked token');
    // last-used is kept to the minute: one write per token per minute, not per request.
    if (t.last_used_at === null || t.last_used_at.slice(0, 16) !== now.slice(0, 16))
      await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', t.id).execute();
    return {
      userId: t.user_id,
      username: t.username,
      role: t.role,
      via: 'token',
      tokenId: t.id,
      tokenScope: t.scope,
      tokenProjects: t.projects === null ? null : new Set(JSON.parse(t.projects) as string[]),
      memberOf: await members(t.user_id),
    };
  }
  const sid = req.cookies[SESSION_COOKIE];
  if (!sid) return undefined;
  const hash = sha256(sid);
  const s = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.csrf_token',
      'sessions.expires_at',
      'users.id as user_id',
      'users.username',
      'users.role',
      'users.disabled',
    ])
    .where('sessions.id_hash', '=', hash)
    .executeTakeFirst();
  if (!s || s.disabled === 1 || s.expires_at <= now) return undefined;
  return {
    userId: s.user_id,
    username: s.username,
    role: s.role,
    via: 'session',
    sessionHash: hash,
    csrfToken: s.csrf_token,
    memberOf: await members(s.user_id),
  };
}

/** Build (but do not start) the server; migrates the database and creates the bootstrap admin. */
export async function buildServer(options: ServerOptions): Promise<BulwarkServer> {
  const { config } = options;
  const clock = options.now ?? (() => new Date());
  const store = options.store ?? openStore(config.databaseUrl);
  try {
    await migrate(store);
  } catch (err) {
    await store.close();
    throw err;
  }
  const vulnDb = vulnDbAccess(config.vulnDb);
  const now = () => clock().toISOString();
  // Job failures go to the server log once Fastify (and its logger) exists.
  let logError: (err: unknown, msg: string) => void = () => undefined;
  const services: ServerServices = {
    store,
    config,
    now,
    vulnDb: () => vulnDb.get(),
    loginLimiter: createLoginLimiter(config.loginAttempts, config.loginWindowMs, () => clock().getTime()),
    jobs: createJobService({ store, config, now, onError: (err) => logError(err, 'job failed') }),
  };
  try {
    await bootstrapAdmin(services);
  } catch (err) {
    await store.close();
    throw err;
  }

  const routes = [...ROUTES, ...(options.routes ?? [])];
  const openapi = buildOpenApi(routes);
  const app = Fastify({
    bodyLimit: config.maxBodyBytes,
    logger: options.logger === false || config.logLevel === 'silent' ? false : { level: config.logLevel },
    // X-Forwarded-For is believed only when configured: otherwise any client could pick its own address
    // and escape the sign-in rate limit.
    trustProxy: config.trustProxy,
  });
  logError = (err, msg) => app.log.error({ err }, msg);
  const registered: { method: string; url: string }[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of ([] as string[]).concat(r.method)) registered.push({ method, url: r.url });
  });
  await app.register(cookie);

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof ApiError) {
      return reply.status(err.status).send({ error: { code: err.code, message: err.message } });
    }
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      const message =
        e.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? `request body larger than ${config.maxBodyBytes} bytes (max-body)`
          : oneLine(err);
      return reply.status(e.statusCode).send({ error: { code: e.code ?? 'E_BAD_REQUEST', message } });
    }
    req.log.error({ err }, 'internal error');
    return reply
      .status(500)
      .send({ error: { code: 'E_INTERNAL', message: 'internal error (see the server log)' } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send({ error: { code: 'E_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } }),
  );

  for (const r of routes) {
    app.route({
      method: r.method,
      url: toFastifyPath(r.path),
      handler: async (request, reply) => {
        const now = services.now();
        const params = request.params as Record<string, string>;
        const principal =
          r.access.kind === 'public' && r.id !== 'login'
            ? undefined
            : await authenticate(store, request, now);
        let project;
        if (r.access.kind !== 'public') {
          if (!principal) throw unauthorized();
          if (principal.via === 'session' && !SAFE_METHODS.has(request.method)) {
            if (request.headers['x-csrf-token'] !== principal.csrfToken)
              throw forbidden('missing or wrong x-csrf-token header (see POST /api/v1/auth/login)', 'E_CSRF');
          }
          const a = r.access;
          if (a.kind === 'account' && principal.via === 'token' && principal.tokenScope !== 'admin')
            throw forbidden('managing tokens needs a session or an admin-scope token');
          if (a.kind === 'org' && !canOnProject(principal, a.perm, null))
            throw forbidden(`needs the ${a.perm} permission`);
          if (a.kind === 'project') {
            project = await store.db
              .selectFrom('projects')
              .selectAll()
              .where('name', '=', params.project!)
              .executeTakeFirst();
            // Projects the caller cannot see do not exist for it (no probing for names).
            if (!project || !canOnProject(principal, 'read', project.id))
              throw notFound(`project ${JSON.stringify(params.project)}`);
            if (!canOnProject(principal, a.perm, project.id))
              throw forbidden(`needs the ${a.perm} permission on this project`);
          }
          if (a.kind === 'acceptance') {
            const acc = await store.db
              .selectFrom('risk_acceptances')
              .select('project_id')
              .where('id', '=', params.acceptance!)
              .executeTakeFirst();
            if (!acc || !canOnProject(principal, 'read', acc.project_id)) throw notFound('risk acceptance');
            if (!canOnProject(principal, a.perm, acc.project_id))
              throw forbidden(`needs the ${a.perm} permission here`);
          }
          if (!hasPermission(principal, a.kind === 'user' || a.kind === 'account' ? 'read' : a.perm))
            throw forbidden('not allowed');
        }
        if (r.id === 'openapi') return openapi;
        let query: unknown = request.query;
        if (r.query) {
          const q = r.query.safeParse(request.query);
          if (!q.success) throw validationError(q.error, 'query');
          query = q.data;
        }
        let body: unknown = request.body;
        if (r.body) {
          const b = r.body.safeParse(request.body ?? {});
          if (!b.success) throw validationError(b.error, 'body');
          body = b.data;
        } else if (r.rawBody && (typeof body !== 'object' || body === null)) {
          throw new ApiError(
            400,
            'E_VALIDATION',
            'body: expected a JSON document (Content-Type: application/json)',
          );
        }
        const result = await r.handler({
          services,
          principal,
          params,
          query,
          body,
          ...(project ? { project } : {}),
          request,
          reply,
        });
        if (r.status && reply.statusCode === 200) reply.status(r.status);
        return result;
      },
    });
  }

  const timer = options.noTimers
    ? undefined
    : setInterval(() => {
        expireAcceptances(store, services.now()).catch((err: unknown) =>
          app.log.error({ err }, 'acceptance expiry sweep failed'),
        );
      }, config.sweepIntervalMs);
  timer?.unref();
  try {
    await services.jobs.start(options.workers ?? config.workers, { timers: !options.noTimers });
  } catch (err) {
    if (timer) clearInterval(timer);
    await services.jobs.stop().catch(() => undefined);
    await app.close();
    await store.close();
    throw new ServerConfigError(`cannot start the job queue: ${oneLine(err)}`, { cause: err });
  }
  const stopDeliverer = options.noTimers
    ? undefined
    : startDeliverer({ store, settings: config.webhooks, now: services.now }, (err) =>
        app.log.error({ err }, 'webhook delivery failed'),
      );

  return {
    app,
    services,
    routes,
    openapi,
    registered,
    async close() {
      if (timer) clearInterval(timer);
      stopDeliverer?.();
      await app.close();
      await services.jobs.stop();
      vulnDb.close();
      await store.close();
    },
  };
}

/** With no user at all and BULWARK_SERVER_ADMIN_PASSWORD set, create the first admin. */
async function bootstrapAdmin(services: ServerServices): Promise<void> {
  const { config, store } = services;
  if (!config.adminPassword) return;
  const any = await store.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (any) return;
  const problem = passwordProblem(config.adminPassword);
  if (problem) throw new ServerConfigError(`BULWARK_SERVER_ADMIN_PASSWORD: ${problem}`);
  await createUser(
    store,
    SYSTEM_ACTOR,
    { username: config.adminUser, password: config.adminPassword, role: 'admin' },
    services.now(),
  );
}
