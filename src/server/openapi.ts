/**
 * The OpenAPI 3.1 document of the API, generated from the route table (./routes.ts) and the zod schemas
 * of each route, so it cannot drift from what the server does. Served at /api/v1/openapi.json and kept
 * in the repository as docs/openapi.json (a test checks the two are equal; regenerate with
 * `bulwark server openapi > docs/openapi.json`).
 */
import { z } from 'zod';
import { BULWARK_VERSION } from '../util/tool-version.js';
import { API_PREFIX, type Access, type RouteDef } from './route.js';

type Json = Record<string, unknown>;

function accessText(a: Access): string {
  switch (a.kind) {
    case 'public':
      return 'Access: anyone.';
    case 'user':
      return 'Access: any signed-in user; results are limited to what the caller can see.';
    case 'account':
      return "Access: the caller's own account (session, or an admin-scope token).";
    case 'org':
      return `Access: permission \`${a.perm}\` (roles: ${rolesWith(a.perm)}).`;
    case 'project':
      return `Access: permission \`${a.perm}\` on the project (roles: ${rolesWith(a.perm)}; developer and viewer only as project members).`;
    case 'acceptance':
      return `Access: permission \`${a.perm}\` on the acceptance's project (organisation-wide ones: admin, security).`;
  }
}

function rolesWith(perm: string): string {
  const table: Record<string, string> = {
    read: 'admin, security, developer, viewer',
    triage: 'admin, security, developer',
    push: 'admin, security, developer',
    approve: 'admin, security',
    admin: 'admin',
  };
  return table[perm] ?? perm;
}

function schemaOf(s: z.ZodType): Json {
  const json = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Json;
  delete json.$schema;
  return json;
}

const errorRef = { $ref: '#/components/responses/Error' };

export function buildOpenApi(routes: readonly RouteDef[]): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const params: Json[] = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (r.query) {
      const q = schemaOf(r.query) as { properties?: Record<string, Json>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) {
        const { description, ...rest } = schema;
        params.push({
          name,
          in: 'query',
          required: q.required?.includes(name) ?? false,
          ...(description ? { description } : {}),
          schema: rest,
        });
      }
    }
    const op: Json = {
      operationId: r.id,
      tags: [r.tag],
      summary: r.summary,
      description: [r.description, accessText(r.access)].filter(Boolean).join('\n\n'),
      ...(r.access.kind === 'public' ? { security: [] } : {}),
      ...(params.length ? { parameters: params } : {}),
    };
    if (r.body)
      op.requestBody = { required: true, content: { 'application/json': { schema: schemaOf(r.body) } } };
    else if (r.rawBody)
      op.requestBody = {
        required: true,
        description: r.rawBody,
        content: { 'application/json': { schema: { type: 'object' } } },
      };
    const status = String(r.status ?? 200);
    op.responses = {
      [status]: { description: 'success', content: { 'application/json': { schema: { type: 'object' } } } },
      ...(r.body || r.query || r.rawBody ? { '400': errorRef } : {}),
      ...(r.access.kind === 'public' ? {} : { '401': errorRef, '403': errorRef }),
      ...(r.path.includes('{') ? { '404': errorRef } : {}),
      ...(r.method !== 'GET' && r.access.kind !== 'public' ? { '409': errorRef } : {}),
      ...(r.rawBody ? { '413': errorRef } : {}),
      ...(r.id === 'login' ? { '429': errorRef } : {}),
    };
    (paths[`${API_PREFIX}${r.path}`] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bulwark register API',
      version: BULWARK_VERSION,
      description:
        'The vulnerability register of `bulwark server`: projects, images, scans, findings and their lifecycle, risk acceptances, audit log. See docs/server.md.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { session: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token (bwk_…) from POST /api/v1/tokens.',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'bulwark_session',
          description: 'From POST /api/v1/auth/login; writes also need the x-csrf-token header.',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', examples: ['E_VALIDATION'] },
                message: { type: 'string' },
              },
            },
          },
        },
      },
      responses: {
        Error: {
          description: 'An error: a stable code and a one-line message',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
  };
}
