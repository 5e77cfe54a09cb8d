/**
 * A minimal OpenID Connect provider for tests, on 127.0.0.1: discovery, JWKS, an authorization endpoint
 * that signs in whichever user the test chose (no login page) and redirects back with a code, and a
 * token endpoint that checks the client's credentials (client_secret_basic), the redirect URI and the
 * PKCE verifier (S256) before returning an ID token signed RS256 with a key generated at start. Knobs let
 * a test break one thing at a time (nonce, signature, audience, expiry).
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestUser {
  readonly sub: string;
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly preferred_username?: string;
  readonly groups?: readonly string[];
}

export interface Tamper {
  nonce?: boolean;
  signature?: boolean;
  audience?: boolean;
  expired?: boolean;
}

export interface TestOidcProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The user the next authorization signs in. */
  user: TestUser;
  /** What the next token response breaks (reset after use). */
  tamper: Tamper;
  /** Authorization requests received (their query parameters). */
  readonly authorizations: Record<string, string>[];
  /** Token requests refused, with the reason. */
  readonly refused: string[];
  /** Follow the server's redirect to the provider as a browser would; returns the callback's query. */
  authorize(location: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

const b64u = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

function jwt(key: KeyObject, kid: string, payload: Record<string, unknown>): string {
  const head = b64u(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const body = b64u(JSON.stringify(payload));
  const sig = sign('sha256', Buffer.from(`${head}.${body}`), key);
  return `${head}.${body}.${b64u(sig)}`;
}

export async function startOidcProvider(): Promise<TestOidcProvider> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(6).toString('hex');
  const clientId = 'bulwark-test';
  const clientSecret = randomBytes(18).toString('base64url');
  const codes = new Map<
    string,
    { user: TestUser; nonce: string; challenge: string; redirectUri: string; clientId: string }
  >();
  const authorizations: Record<string, string>[] = [];
  const refused: string[] = [];
  let issuer = '';
  const provider: TestOidcProvider = {
    get issuer() {
      return issuer;
    },
    clientId,
    clientSecret,
    user: { sub: 'u-1' },
    tamper: {},
    authorizations,
    refused,
    async authorize(location) {
      const res = await fetch(location, { redirect: 'manual' });
      const back = res.headers.get('location');
      if (res.status !== 302 || !back) throw new Error(`authorize: ${res.status} ${await res.text()}`);
      return Object.fromEntries(new URL(back).searchParams);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (url.pathname === '/.well-known/openid-configuration')
        return json(res, 200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['client_secret_basic'],
          scopes_supported: ['openid', 'email', 'profile'],
        });
      if (url.pathname === '/jwks')
        return json(res, 200, {
          keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }],
        });
      if (url.pathname === '/authorize') {
        const q = Object.fromEntries(url.searchParams);
        authorizations.push(q);
        const code = randomBytes(16).toString('base64url');
        codes.set(code, {
          user: provider.user,
          nonce: q.nonce ?? '',
          challenge: q.code_challenge ?? '',
          redirectUri: q.redirect_uri ?? '',
          clientId: q.client_id ?? '',
        });
        const back = new URL(q.redirect_uri!);
        back.searchParams.set('code', code);
        back.searchParams.set('state', q.state ?? '');
        back.searchParams.set('iss', issuer);
        res.writeHead(302, { location: back.href });
        return res.end();
      }
      if (url.pathname === '/token' && req.method === 'POST') {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const refuse = (why: string) => {
          refused.push(why);
          json(res, 400, { error: 'invalid_grant', error_description: why });
        };
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        const [id, secret] = basic
          ? Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent)
          : [];
        if (id !== clientId || secret !== clientSecret) return refuse('client authentication failed');
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (!grant) return refuse('unknown or used code');
        if (form.get('redirect_uri') !== grant.redirectUri) return refuse('redirect_uri differs');
        const verifier = form.get('code_verifier') ?? '';
        if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge)
          return refuse('PKCE verifier does not match');
        const t = provider.tamper;
        provider.tamper = {};
        const now = Math.floor(Date.now() / 1000);
        const idToken = jwt(privateKey, kid, {
          iss: issuer,
          sub: grant.user.sub,
          aud: t.audience ? 'someone-else' : clientId,
          iat: now - (t.expired ? 7200 : 0),
          exp: now + (t.expired ? -3600 : 300),
          nonce: t.nonce ? 'another-nonce' : grant.nonce,
          ...(grant.user.email !== undefined ? { email: grant.user.email } : {}),
          ...(grant.user.email_verified !== undefined ? { email_verified: grant.user.email_verified } : {}),
          ...(grant.user.preferred_username ? { preferred_username: grant.user.preferred_username } : {}),
          ...(grant.user.groups ? { groups: grant.user.groups } : {}),
        });
        const token = t.signature
          ? idToken.slice(0, -4) + (idToken.endsWith('AAAA') ? 'BBBB' : 'AAAA')
          : idToken;
        return json(res, 200, {
          access_token: randomBytes(16).toString('base64url'),
          token_type: 'Bearer',
          expires_in: 300,
          id_token: token,
        });
      }
      json(res, 404, { error: 'not_found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return provider;
}

/** The server settings (environment) for this provider. */
export function oidcEnv(p: TestOidcProvider, extra: Record<string, string> = {}): Record<string, string> {
  return {
    BULWARK_SERVER_OIDC_ISSUER: p.issuer,
    BULWARK_SERVER_OIDC_CLIENT_ID: p.clientId,
    BULWARK_SERVER_OIDC_CLIENT_SECRET: p.clientSecret,
    BULWARK_SERVER_OIDC_REDIRECT_URL: 'http://127.0.0.1:9/api/v1/auth/oidc/callback',
    ...extra,
  };
}
