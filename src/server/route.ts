/**
 * A route of the API, declared once: method, path, who may call it, the zod schemas of its query and body,
 * and its handler. The server registers routes from this table, the OpenAPI document is generated from
 * it, and the authorisation-matrix test walks it — so a route cannot exist without all three.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Principal, Permission } from './auth.js';
import type { ServerConfig } from './config.js';
import type { Store } from './store/connect.js';
import type { ProjectsTable } from './store/schema.js';
import type { VulnDatabase } from '../db/store.js';
import type { JobService } from './jobs/index.js';

/**
 * - `public`: anyone;
 * - `user`: anyone signed in (results are filtered to what the caller may see);
 * - `account`: the caller's own account (a session, or a token with the `admin` scope);
 * - `org`: a permission independent of projects (e.g. `admin` to manage users);
 * - `project`: a permission on the project named by the `{project}` path parameter;
 * - `acceptance`: a permission on the project of the risk acceptance named by `{acceptance}`
 *   (organisation-wide acceptances need an organisation role).
 */
export type Access =
  | { readonly kind: 'public' }
  | { readonly kind: 'user' }
  | { readonly kind: 'account' }
  | { readonly kind: 'org'; readonly perm: Permission }
  | { readonly kind: 'project'; readonly perm: Permission }
  | { readonly kind: 'acceptance'; readonly perm: Permission };

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ServerServices {
  readonly store: Store;
  readonly config: ServerConfig;
  /** The current time as ISO-8601 (injectable for tests). */
  now(): string;
  /** The vulnerability database for server-side matching (opened on first use). */
  vulnDb(): VulnDatabase;
  readonly loginLimiter: LoginLimiter;
  /** The job queue (registry scans, rematch, database updates): route handlers enqueue through it. */
  readonly jobs: JobService;
}

export interface LoginLimiter {
  /** Seconds to wait when `keys` are over the limit, else 0. */
  blocked(keys: readonly string[]): number;
  fail(keys: readonly string[]): void;
  reset(key: string): void;
}

export interface RouteContext<Q = unknown, B = unknown> {
  readonly services: ServerServices;
  readonly principal: Principal | undefined;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Q;
  readonly body: B;
  /** Set for `project` routes. */
  readonly project?: ProjectsTable;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

export interface RouteDef<Q = unknown, B = unknown> {
  /** OpenAPI operationId, unique. */
  readonly id: string;
  readonly method: Method;
  /** OpenAPI-style path under /api/v1, e.g. `/projects/{project}/findings`. */
  readonly path: string;
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  readonly access: Access;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  /** When the body is a document validated by the handler (scan report, SBOM): its description. */
  readonly rawBody?: string;
  readonly status?: number;
  readonly handler: (ctx: RouteContext<Q, B>) => Promise<unknown>;
}

/** Keeps the generic parameters of each route while collecting them in one array. */
export function route<Q, B>(def: RouteDef<Q, B>): RouteDef {
  return def as unknown as RouteDef;
}

export const API_PREFIX = '/api/v1';
