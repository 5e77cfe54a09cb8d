/**
 * Who is calling and what they may do. Passwords are hashed with scrypt (node:crypto); sessions and API
 * tokens are random 256-bit values of which only the sha256 is stored. Roles give permissions; admin and
 * security act on every project (the organisation's security team), developer and viewer only on the
 * projects they are members of. An API token can only narrow its user's rights: by scope (read, write,
 * admin) and by a list of projects.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Role, TokenScope } from './store/schema.js';

const scrypt = promisify(scryptCb) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: object,
) => Promise<Buffer>;

/** scrypt cost: N=2^15, r=8, p=1 (about 32 MiB and tens of milliseconds per hash). */
const SCRYPT = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LEN = 32;

/** `scrypt$N$r$p$salt$key` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LEN, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = stored?.split('$') ?? [];
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    // Same work as a real check, so a missing user is not told apart by timing.
    await scrypt(password, Buffer.alloc(16), KEY_LEN, SCRYPT);
    return false;
  }
  const [, n, r, p, salt, key] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(key, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Passwords: at least 12 characters (long passphrases beat composition rules). */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 12) return 'password must be at least 12 characters';
  if (password.length > 1024) return 'password must be at most 1024 characters';
  return undefined;
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
export const randomId = (): string => randomBytes(12).toString('base64url');
export const randomSecret = (): string => randomBytes(32).toString('base64url');

/** API tokens start with `bwk_` so secret scanners (ours included) can recognise them. */
export const TOKEN_PREFIX = 'bwk_';
export const newApiToken = (): string => `${TOKEN_PREFIX}${randomSecret()}`;

/** What a route needs. */
export type Permission = 'read' | 'triage' | 'push' | 'approve' | 'admin';
export const PERMISSIONS: readonly Permission[] = ['read', 'triage', 'push', 'approve', 'admin'];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: ['read', 'triage', 'push', 'approve', 'admin'],
  security: ['read', 'triage', 'push', 'approve'],
  developer: ['read', 'triage', 'push'],
  viewer: ['read'],
};

/** Roles that see every project without membership. */
export const ORGANISATION_ROLES: readonly Role[] = ['admin', 'security'];

export const TOKEN_SCOPE_PERMISSIONS: Readonly<Record<TokenScope, readonly Permission[]>> = {
  read: ['read'],
  write: ['read', 'triage', 'push', 'approve'],
  admin: ['read', 'triage', 'push', 'approve', 'admin'],
};

export interface Principal {
  readonly userId: string;
  readonly username: string;
  readonly role: Role;
  readonly via: 'session' | 'token';
  /** Session only: the value the client must echo in `x-csrf-token` on writes. */
  readonly csrfToken?: string;
  readonly sessionHash?: string;
  readonly tokenId?: string;
  readonly tokenScope?: TokenScope;
  /** Token only: the projects it is limited to (null: no limit). */
  readonly tokenProjects?: ReadonlySet<string> | null;
  /** Projects the user is a member of. */
  readonly memberOf: ReadonlySet<string>;
}

/** May `who` use `perm` at all (role and token scope), regardless of project? */
export function hasPermission(who: Principal, perm: Permission): boolean {
  if (!ROLE_PERMISSIONS[who.role].includes(perm)) return false;
  if (who.via === 'token' && !TOKEN_SCOPE_PERMISSIONS[who.tokenScope ?? 'read'].includes(perm)) return false;
  return true;
}

/** May `who` see project `projectId` at all? */
export function canSeeProject(who: Principal, projectId: string): boolean {
  if (who.tokenProjects && !who.tokenProjects.has(projectId)) return false;
  return ORGANISATION_ROLES.includes(who.role) || who.memberOf.has(projectId);
}

/** May `who` use `perm` on project `projectId` (null: an organisation-wide object)? */
export function canOnProject(who: Principal, perm: Permission, projectId: string | null): boolean {
  if (!hasPermission(who, perm)) return false;
  // Organisation-wide objects (e.g. an acceptance for every project) are visible to everyone signed in;
  // changing them takes an organisation role and a token not limited to some projects.
  if (projectId === null)
    return perm === 'read' || (ORGANISATION_ROLES.includes(who.role) && !who.tokenProjects);
  return canSeeProject(who, projectId);
}
