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
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
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
export const MANUAL_STATES = [
  'triaged',
  'fix-planned',
  'not-affected',
  'false-positive',
  'reopened',
] as const;
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

// ---- The dashboard read API (tag "dashboard" in docs/openapi.json) ----

export type Grade = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';
export type SeverityCounts = Partial<Record<Severity, number>>;

export interface ImageRow {
  id: string;
  project: string;
  repository: string;
  tag: string;
  environment: string;
  digest: string | null;
  lastScanId: string | null;
  lastScanAt: string | null;
  grade: Grade | null;
  score: number | null;
  findings: SeverityCounts | null;
  fixable: number | null;
  kev: number | null;
  secrets: number | null;
  packages: number | null;
  os: string | null;
  platform: string | null;
  baseImage: string | null;
  size: number | null;
}

export interface Overview {
  generatedAt: string;
  days: number;
  series: ({ day: string } & SeverityCounts)[];
  totals: {
    open: number;
    fixable: number;
    fixableShare: number;
    kev: number;
    overdue: number;
    bySeverity: Record<Severity, { open: number; fixable: number; kev: number; overdue: number }>;
  };
  kev: { vulnerabilityId: string; openFindings: number }[];
  grades: Record<string, number>;
  riskiestImages: ImageRow[];
  events: {
    at: string;
    kind: 'new' | 'reopened';
    findingId: string;
    vulnerabilityId: string;
    severity: Severity;
    kev: boolean;
    package: { name: string; version: string };
    state: FindingState;
    project: string;
    repository: string;
    imageId: string | null;
    tag: string | null;
    environment: string | null;
    production: boolean;
  }[];
}

export interface LayerSummary {
  index: number;
  digest: string;
  diffId: string;
  size: number;
  mediaType: string;
  createdBy: string | null;
  created: string | null;
  packages: number;
  findings: SeverityCounts & { total: number; fixable: number };
  secrets: number;
  fromBaseImage: boolean;
}

export interface ImageOverview {
  image: {
    id: string;
    project: string;
    repository: string;
    tag: string;
    environment: string;
    digest: string | null;
    createdAt: string;
  };
  scan: {
    id: string;
    kind: string;
    createdAt: string;
    createdBy: string;
    dbBuiltAt: string | null;
    isLatest: boolean;
    scans: number;
  };
  summary: {
    os: string | null;
    platform: string | null;
    size: number | null;
    created: string | null;
    configDigest: string | null;
    baseImage: {
      name: string | null;
      digest: string | null;
      layers: number;
      detectedBy: string | null;
      confidence: string | null;
    } | null;
    packages: number;
    findings: SeverityCounts;
    fixable: number;
    kev: number;
    secrets: number;
  };
  grade: { grade: Grade; score: number; reasons: string[] };
  layers: LayerSummary[];
  secrets: {
    ruleId: string;
    title: string;
    severity: string;
    path: string;
    line: number | null;
    status: string | null;
    layer: number | null;
    removedInLayer: number | null;
    secret: { preview: string; length: number; fingerprint: string };
  }[];
}

export interface ImagePackage {
  id: string;
  name: string;
  version: string;
  type: string;
  purl: string | null;
  licenses: string[];
  layer: number | null;
  locations: string[];
  findings: { total: number; fixable: number; worstSeverity: Severity } | null;
}

export interface ImageVulnGroup {
  package: {
    id: string;
    name: string;
    version: string;
    type: string;
    purl: string;
    layer: number | null;
    location: string;
  };
  worstSeverity: Severity;
  fixable: number;
  upgrade: { to: string; fixes: number } | null;
  vulnerabilities: {
    vulnerabilityId: string;
    aliases: string[];
    severity: Severity;
    cvssScore: number | null;
    fixable: boolean;
    fixedVersion: string | null;
    kev: boolean;
    epss: number | null;
    summary: string | null;
    suppressed: { kind: string | null; reason: string | null } | null;
    finding: {
      id: string;
      state: FindingState;
      slaDueAt: string | null;
      overdue: boolean;
      acceptanceId: string | null;
    } | null;
  }[];
}

export interface ImageVulns {
  scanId: string;
  total: number;
  findings: number;
  upgrades: { package: string; type: string; from: string; to: string; fixes: number }[];
  items: ImageVulnGroup[];
}

export interface ImageScan {
  id: string;
  digest: string | null;
  kind: string;
  createdAt: string;
  createdBy: string;
  packages: number;
  findings: number;
  bySeverity: SeverityCounts;
  grade: Grade | null;
  fixable: number | null;
  kev: number | null;
  isLatest: boolean;
}

export interface CvssView {
  vector: string;
  version: string | null;
  baseScore: number | null;
  metrics: {
    category: string;
    metric: string;
    name: string;
    value: string;
    valueName: string;
    description: string;
  }[];
}

export interface Vulnerability {
  id: string;
  aliases: string[];
  records: string[];
  summary: string | null;
  description: string | null;
  published: string | null;
  modified: string | null;
  severity: Severity;
  severitySource: string | null;
  cvss: CvssView[];
  epss: { score: number | null; percentile: number | null; date: string | null } | null;
  kev: {
    dateAdded: string | null;
    dueDate: string | null;
    ransomware: boolean;
    requiredAction: string | null;
    name: string | null;
  } | null;
  references: string[];
  fixVersions: { ecosystem: string; package: string; fixedVersions: string[] }[];
  fixVersionsInImages: { type: string; package: string; fixedVersions: string[] }[];
  affected: {
    total: number;
    /** Projects with an affected finding (over every page). */
    projects: number;
    items: (Finding & {
      project: string;
      imageId: string | null;
      tag: string | null;
      environment: string | null;
    })[];
  };
}

export interface FindingHistory {
  findingId: string;
  state: FindingState;
  items: {
    seq: number;
    at: string;
    actor: string;
    action: string;
    from: string | null;
    to: string | null;
    reason: string | null;
    scanId: string | null;
    acceptanceId: string | null;
    details: unknown;
  }[];
}

export interface PackageChange {
  type: string;
  name: string;
  before: string[];
  after: string[];
}
export interface VulnChange {
  vulnerabilityId: string;
  severity: Severity;
  package: string;
  version: string;
  type: string;
}
export interface ImageComparison {
  base: { scanId: string; imageId: string; digest: string | null; createdAt: string };
  target: { scanId: string; imageId: string; digest: string | null; createdAt: string };
  packages: { added: PackageChange[]; removed: PackageChange[]; changed: PackageChange[]; unchanged: number };
  vulnerabilities: { added: VulnChange[]; removed: VulnChange[]; unchanged: number };
}
