/**
 * The dashboard's only way to the server: JSON over fetch to /api/v1 on the same origin, with the session
 * cookie, and the CSRF token on every write. Errors become {@link ApiError} carrying the server's one-line
 * message, which the pages show as is.
 */

export const API = '/api/v1';

/** An error answer of the API (`{"error": {"code", "message"}}`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | undefined;
let onUnauthorized: (() => void) | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when a request answers 401 (the session ended): the app shows the sign-in page. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

type Query = Record<string, string | number | boolean | undefined | null>;

/** `/path?a=1&b=2` with empty values left out. */
export function withQuery(path: string, query: Query = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

/** Call the API; resolves with the decoded JSON body, rejects with an {@link ApiError}. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(API + path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(0, 'E_NETWORK', 'the server cannot be reached; check that bulwark server is running');
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    const e = new ApiError(
      res.status,
      err?.code ?? `HTTP_${res.status}`,
      err?.message ?? `the server answered ${res.status} ${res.statusText}`,
    );
    if (res.status === 401 && path !== '/auth/login') onUnauthorized?.();
    throw e;
  }
  return json as T;
}

export const get = <T>(path: string, query?: Query): Promise<T> => api<T>('GET', withQuery(path, query));
export const post = <T>(path: string, body: unknown = {}): Promise<T> => api<T>('POST', path, body);

/** A readable one-line message for anything thrown. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 403) return `Not allowed: ${err.message}`;
    if (err.status === 404) return `Not found: ${err.message}`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

// ---- The shapes the API answers (see docs/openapi.json) ----

export type Role = 'admin' | 'security' | 'developer' | 'viewer';
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'negligible' | 'unknown';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'];
export const FINDING_STATES = [
  'new',
  'triaged',
  'fix-planned',
  'not-affected',
  'false-positive',
  'risk-accepted',
  'fixed',
  'reopened',
] as const;
export type FindingState = (typeof FINDING_STATES)[number];
export const OPEN_STATES: readonly FindingState[] = ['new', 'triaged', 'fix-planned', 'reopened'];
export const MANUAL_STATES = ['triaged', 'fix-planned', 'not-affected', 'false-positive', 'reopened'] as const;
export const VEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;

export interface Me {
  id: string;
  username: string;
  role: Role;
  via: 'session' | 'token';
  csrfToken?: string;
  memberOf: string[];
}
export interface User {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}
export interface Project {
  id: string;
  name: string;
  description: string;
  createdAt: string;
}
export interface ProjectDetail extends Project {
  members: { username: string; role: Role; owner: boolean }[];
  openFindings: Partial<Record<Severity, number>>;
}
export interface Image {
  id: string;
  repository: string;
  tag: string;
  environment: string;
  digest: string | null;
  createdAt: string;
  lastScanId: string | null;
  lastScanAt: string | null;
}
export interface Scan {
  id: string;
  imageId: string;
  repository: string;
  digest: string | null;
  kind: string;
  packages: number;
  findings: number;
  bySeverity: Partial<Record<Severity, number>>;
  dbBuiltAt: string | null;
  createdBy: string;
  createdAt: string;
}
export interface Finding {
  id: string;
  project?: string;
  repository: string;
  vulnerabilityId: string;
  aliases: string[];
  package: { name: string; type: string; purl: string; version: string; location: string };
  severity: Severity;
  cvssScore: number | null;
  fixedVersion: string | null;
  kev: boolean;
  epss: number | null;
  summary: string | null;
  state: FindingState;
  stateReason: string | null;
  justification: string | null;
  plannedFixAt: string | null;
  acceptanceId: string | null;
  slaDueAt: string | null;
  overdue: boolean;
  firstSeenAt: string;
  lastSeenAt: string;
  lastScanId: string | null;
  fixedAt: string | null;
}
export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  actorId: string | null;
  action: string;
  entityType: string;
  entityId: string;
  projectId: string | null;
  reason: string | null;
  details: unknown;
  prevHash: string;
  hash: string;
}
export interface FindingDetail extends Finding {
  history: AuditEntry[];
  scans: { id: string; createdAt: string; digest: string | null; imageId: string }[];
}
export type AcceptanceStatus = 'requested' | 'approved' | 'rejected' | 'expired' | 'revoked';
export interface Acceptance {
  id: string;
  scope: 'image' | 'repository' | 'organisation';
  projectId: string | null;
  repository: string | null;
  imageId: string | null;
  vulnerabilityId: string | null;
  packagePattern: string | null;
  reason: string;
  expiresAt: string;
  status: AcceptanceStatus;
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionComment: string | null;
  history?: AuditEntry[];
}
export interface Token {
  id: string;
  name: string;
  scope: 'read' | 'write' | 'admin';
  projects: string[] | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
export interface AuditVerify {
  ok: boolean;
  rows: number;
  head?: string;
  firstBad?: { seq: number; problem: string };
}
export interface Page<T> {
  items: T[];
  total?: number;
}

/** What a role may do (mirrors the server's rules; the server checks again on every call). */
export const can = {
  /** Triage and request acceptances in the project with this id. */
  triage: (me: Me | undefined, projectId: string | undefined) =>
    !!me &&
    (me.role === 'admin' ||
      me.role === 'security' ||
      (me.role === 'developer' && projectId !== undefined && me.memberOf.includes(projectId))),
  approve: (me: Me | undefined) => !!me && (me.role === 'admin' || me.role === 'security'),
  admin: (me: Me | undefined) => !!me && me.role === 'admin',
};
