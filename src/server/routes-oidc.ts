/**
 * OIDC sign-in routes (when `oidc-issuer` is set): `GET /auth/oidc/login` redirects the browser to the
 * provider; the provider sends it back to `GET /auth/oidc/callback`, which signs the user in with the
 * same session cookie as a password sign-in and redirects to `returnTo` (a path on this server). The
 * CSRF token for writes then comes from `GET /me`.
 */
import { z } from 'zod';
import { randomSecret, sha256 } from './auth.js';
import { notFound } from './errors.js';
import { beginOidcLogin, finishOidcLogin } from './oidc.js';
import { route, type RouteContext, type RouteDef } from './route.js';
import type { OidcSettings } from './config.js';

/** The session cookie of routes.ts (not imported from there: routes.ts imports this file). */
const SESSION_COOKIE = 'bulwark_session';

function settings(ctx: RouteContext): OidcSettings {
  const s = ctx.services.config.oidc;
  if (!s) throw notFound('OIDC sign-in (not configured: oidc-issuer)');
  return s;
}

export const OIDC_ROUTES: readonly RouteDef[] = [
  route({
    id: 'oidcLogin',
    method: 'GET',
    path: '/auth/oidc/login',
    tag: 'auth',
    summary: 'Start an OIDC sign-in: redirects (302) to the provider (authorization code with PKCE)',
    description: '404 when OIDC sign-in is not configured.',
    access: { kind: 'public' },
    query: z.object({
      returnTo: z.string().max(2000).optional().describe('a path on this server (default /)'),
    }),
    handler: async (ctx) => {
      const s = settings(ctx);
      const url = await beginOidcLogin(ctx.services.store, s, ctx.services.now(), ctx.query.returnTo);
      ctx.reply.header('cache-control', 'no-store');
      return ctx.reply.redirect(url.href, 302);
    },
  }),
  route({
    id: 'oidcCallback',
    method: 'GET',
    path: '/auth/oidc/callback',
    tag: 'auth',
    summary: 'Where the OIDC provider sends the browser back: signs in (session cookie) and redirects',
    description:
      'Checks state, PKCE and the ID token (signature, issuer, audience, expiry, nonce). A first sign-in creates the local user (role from oidc-role-map, else oidc-default-role). 401 for a failed or replayed sign-in, 403 outside oidc-allowed-domains or for a disabled user, 409 when the user name belongs to an unlinked local account.',
    access: { kind: 'public' },
    query: z.looseObject({
      code: z.string().max(4000).optional(),
      state: z.string().max(1000).optional(),
      error: z.string().max(1000).optional(),
      error_description: z.string().max(4000).optional(),
    }),
    handler: async (ctx) => {
      const s = settings(ctx);
      const { services, reply } = ctx;
      const now = services.now();
      const query = Object.fromEntries(
        Object.entries(ctx.query as Record<string, unknown>).filter(
          (e): e is [string, string] => typeof e[1] === 'string',
        ),
      );
      const { user, returnTo } = await finishOidcLogin(services.store, s, query, now);
      const sessionId = randomSecret();
      const expires = new Date(Date.parse(now) + services.config.sessionTtlMs).toISOString();
      await services.store.db
        .insertInto('sessions')
        .values({
          id_hash: sha256(sessionId),
          user_id: user.id,
          csrf_token: randomSecret(),
          created_at: now,
          expires_at: expires,
        })
        .execute();
      reply.setCookie(SESSION_COOKIE, sessionId, {
        httpOnly: true,
        sameSite: 'lax', // the provider's redirect back is a cross-site navigation
        secure: services.config.secureCookies,
        path: '/',
        expires: new Date(expires),
      });
      reply.header('cache-control', 'no-store');
      return reply.redirect(returnTo, 302);
    },
  }),
];
