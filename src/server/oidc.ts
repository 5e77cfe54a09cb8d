/**
 * OIDC sign-in (optional, `oidc-*` settings) with `openid-client`: the authorization-code flow with PKCE
 * (S256), `state` and `nonce`. `begin` stores what the callback must check (the state only as its
 * sha256, for ten minutes, in the database so any server of a cluster can finish the sign-in) and
 * returns the provider's URL; `finish` exchanges the code, lets openid-client verify the ID token
 * (signature against the provider's JWKS, issuer, audience, expiry, nonce) and maps the identity to a
 * local user: the same (issuer, subject) is always the same user; a new one is created with the role its
 * claims map to (else `oidc-default-role`). With `oidc-role-claim` the role follows the claims at every
 * sign-in. A local account with the same name is never taken over.
 */
import * as client from 'openid-client';
import { appendAudit, SYSTEM_ACTOR } from './audit.js';
import { randomId, sha256 } from './auth.js';
import type { OidcSettings } from './config.js';
import { ApiError, badRequest, conflict, forbidden } from './errors.js';
import type { Store } from './store/connect.js';
import { ROLES, type Role, type UsersTable } from './store/schema.js';

const LOGIN_TTL_MS = 10 * 60_000;

/** Discovery results per issuer, fetched once per process (retried after a failure). */
const configurations = new Map<string, Promise<client.Configuration>>();

function configuration(s: OidcSettings): Promise<client.Configuration> {
  const key = `${s.issuer}\u0000${s.clientId}\u0000${sha256(s.clientSecret)}`;
  let c = configurations.get(key);
  if (!c) {
    const insecure = new URL(s.issuer).protocol === 'http:'; // loopback only (config.ts checks)
    c = client
      .discovery(new URL(s.issuer), s.clientId, undefined, client.ClientSecretBasic(s.clientSecret), {
        // Verify ID token signatures against the provider's JWKS even though the token comes straight
        // from the token endpoint (OIDC allows relying on TLS alone; we do not).
        execute: insecure
          ? [client.allowInsecureRequests, client.enableNonRepudiationChecks]
          : [client.enableNonRepudiationChecks],
        timeout: 10,
      })
      .catch((err: unknown) => {
        configurations.delete(key);
        throw new ApiError(
          502,
          'E_OIDC_PROVIDER',
          `cannot reach the OIDC provider ${s.issuer}: ${(err as Error).message}`,
        );
      });
    configurations.set(key, c);
  }
  return c;
}

/** Only paths on this server (never another origin) after sign-in. */
function safeReturnTo(returnTo: string | undefined): string {
  return returnTo && /^\/(?![/\\])/.test(returnTo) ? returnTo : '/';
}

/** Start a sign-in: the provider's authorization URL (the caller redirects the browser there). */
export async function beginOidcLogin(
  store: Store,
  s: OidcSettings,
  now: string,
  returnTo?: string,
): Promise<URL> {
  const config = await configuration(s);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  await store.db.deleteFrom('oidc_logins').where('expires_at', '<=', now).execute();
  await store.db
    .insertInto('oidc_logins')
    .values({
      state_hash: sha256(state),
      nonce,
      code_verifier: codeVerifier,
      return_to: safeReturnTo(returnTo),
      created_at: now,
      expires_at: new Date(Date.parse(now) + LOGIN_TTL_MS).toISOString(),
    })
    .execute();
  return client.buildAuthorizationUrl(config, {
    redirect_uri: s.redirectUrl,
    scope: s.scopes,
    response_type: 'code',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
}

const RANK: Readonly<Record<Role, number>> = { admin: 3, security: 2, developer: 1, viewer: 0 };

/** The role the claims map to (highest wins), or undefined when none maps. */
export function mappedRole(s: OidcSettings, claims: Readonly<Record<string, unknown>>): Role | undefined {
  if (!s.roleClaim) return undefined;
  const raw = claims[s.roleClaim];
  const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
  let best: Role | undefined;
  for (const v of values) {
    const r = s.roleMap[v];
    if (r && (best === undefined || RANK[r] > RANK[best])) best = r;
  }
  return best;
}

export interface OidcLoginResult {
  readonly user: UsersTable;
  readonly created: boolean;
  readonly returnTo: string;
}

/**
 * Finish a sign-in from the callback's query string: check state, exchange the code (PKCE), verify the
 * ID token and nonce, map the identity to a local user. Throws a 4xx ApiError with a one-line reason.
 */
export async function finishOidcLogin(
  store: Store,
  s: OidcSettings,
  query: Readonly<Record<string, string>>,
  now: string,
): Promise<OidcLoginResult> {
  if (query.error)
    throw new ApiError(
      401,
      'E_OIDC',
      `the provider refused the sign-in: ${query.error_description ?? query.error}`,
    );
  if (!query.state || !query.code) throw badRequest('the callback needs code and state', 'E_OIDC');
  const hash = sha256(query.state);
  const pending = await store.db
    .selectFrom('oidc_logins')
    .selectAll()
    .where('state_hash', '=', hash)
    .executeTakeFirst();
  // One use only, whatever happens next.
  await store.db.deleteFrom('oidc_logins').where('state_hash', '=', hash).execute();
  if (!pending || pending.expires_at <= now)
    throw new ApiError(401, 'E_OIDC', 'unknown or expired sign-in (state); start again');
  const config = await configuration(s);
  const current = new URL(s.redirectUrl);
  for (const [k, v] of Object.entries(query)) current.searchParams.set(k, v);
  let claims: Record<string, unknown>;
  try {
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: pending.code_verifier,
      expectedState: query.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    claims = { ...tokens.claims() };
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(401, 'E_OIDC', `sign-in failed: ${(err as Error).message}`);
  }
  const subject = String(claims.sub ?? '');
  const issuer = String(claims.iss ?? s.issuer);
  const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : null;
  if (s.allowedDomains) {
    const domain = email?.slice(email.lastIndexOf('@') + 1);
    if (!email || claims.email_verified === false || !domain || !s.allowedDomains.includes(domain))
      throw forbidden(
        `sign-in is limited to verified e-mail addresses of ${s.allowedDomains.join(', ')}`,
        'E_OIDC_DOMAIN',
      );
  }
  const claimed = claims[s.usernameClaim];
  const username = (typeof claimed === 'string' && claimed) || email || `oidc-${subject}`;
  const role = mappedRole(s, claims);
  return store.write(async (tx) => {
    const link = await tx
      .selectFrom('oidc_identities')
      .selectAll()
      .where('issuer', '=', issuer)
      .where('subject', '=', subject)
      .executeTakeFirst();
    let user: UsersTable;
    let created = false;
    if (link) {
      user = await tx
        .selectFrom('users')
        .selectAll()
        .where('id', '=', link.user_id)
        .executeTakeFirstOrThrow();
      await tx
        .updateTable('oidc_identities')
        .set({ last_login_at: now, email })
        .where('issuer', '=', issuer)
        .where('subject', '=', subject)
        .execute();
      if (role && role !== user.role) {
        await tx.updateTable('users').set({ role }).where('id', '=', user.id).execute();
        await appendAudit(tx, SYSTEM_ACTOR, now, [
          {
            action: 'user.updated',
            entityType: 'user',
            entityId: user.id,
            reason: `role from OIDC claim ${s.roleClaim}`,
            details: { username: user.username, role, from: user.role },
          },
        ]);
        user = { ...user, role };
      }
    } else {
      const clash = await tx
        .selectFrom('users')
        .select('id')
        .where('username', '=', username)
        .executeTakeFirst();
      if (clash)
        throw conflict(
          `user name ${JSON.stringify(username)} belongs to an account not linked to this sign-in; an admin must resolve it`,
          'E_OIDC_USER_EXISTS',
        );
      user = {
        id: randomId(),
        username,
        password_hash: null,
        role: role ?? s.defaultRole,
        disabled: 0,
        created_at: now,
      };
      if (!(ROLES as readonly string[]).includes(user.role)) throw new Error('unreachable: role');
      await tx.insertInto('users').values(user).execute();
      await tx
        .insertInto('oidc_identities')
        .values({ issuer, subject, user_id: user.id, email, created_at: now, last_login_at: now })
        .execute();
      await appendAudit(tx, SYSTEM_ACTOR, now, [
        {
          action: 'user.created',
          entityType: 'user',
          entityId: user.id,
          reason: 'first OIDC sign-in',
          details: { username, role: user.role, issuer, subject },
        },
      ]);
      created = true;
    }
    if (user.disabled === 1) throw forbidden('this user is disabled', 'E_DISABLED');
    return { user, created, returnTo: pending.return_to };
  });
}
