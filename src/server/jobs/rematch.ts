/**
 * Continuous re-evaluation: when the vulnerability database changes, every stored SBOM is matched again
 * — no image is pulled — and the register follows: findings the new data adds open (or reopen), findings
 * whose advisory was withdrawn or no longer matches are fixed, changed severities, fix versions, KEV and
 * EPSS are updated; every change is audited (actor `system`).
 *
 * What is re-matched is what the register's findings reflect: the newest scan of each image repository
 * of each project (a newer scan of a repository fixes what it no longer has, so older scans do not
 * count). Packages the server's database cannot evaluate (no advisory data for their ecosystem, an
 * unparseable version) keep their findings: no data is not "fixed".
 *
 * Speed: one database handle for the whole run, identical SBOMs matched once (cache by content hash),
 * repositories handled in batches — one read of their findings and one write transaction per batch, with
 * bulk inserts and updates — so a rematch costs a few statements per batch, not per finding.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { openDatabase, type VulnDatabase } from '../../db/store.js';
import { matchSbom } from '../../match/match.js';
import type { Finding } from '../../match/types.js';
import { parseSbom } from '../../sbom/read/index.js';
import { appendAudit, SYSTEM_ACTOR, type AuditEntry } from '../audit.js';
import { randomId } from '../auth.js';
import type { ServerConfig } from '../config.js';
import { findingIdentity, versionlessPurl } from '../identity.js';
import { acceptanceCovers, slaDue } from '../register.js';
import type { Store, Tx } from '../store/connect.js';
import type { FindingsTable, FindingState, RiskAcceptancesTable } from '../store/schema.js';
import { recordEvent } from '../webhooks/outbox.js';

export interface RematchOptions {
  readonly store: Store;
  readonly config: ServerConfig;
  /** The register's clock (finding and audit times). */
  readonly now: () => string;
  /** Vulnerability database file (default: `config.vulnDb`). */
  readonly vulnDb?: string;
  /** Repositories per batch (default 25). */
  readonly batchSize?: number;
  /** Why (recorded in the audit log), e.g. `db-import`. */
  readonly reason?: string;
  readonly onProgress?: (done: number, total: number) => Promise<void> | void;
}

export interface RematchResult {
  readonly repositories: number;
  /** Distinct SBOMs matched (identical SBOMs are matched once). */
  readonly distinctSboms: number;
  readonly opened: number;
  readonly reopened: number;
  readonly fixed: number;
  readonly updated: number;
  /** Stored SBOMs that could not be read (reported, skipped). */
  readonly unreadable: number;
  readonly dbBuiltAt: string;
  readonly ms: number;
}

/** What one SBOM matches, in register terms. */
interface Matched {
  readonly findings: readonly MatchedFinding[];
  /**
   * `versionless purl \0 location` of the packages the database fully evaluated: only their findings
   * can be closed (a package it could not evaluate, or could not even read, keeps its findings).
   */
  readonly evaluated: ReadonlySet<string>;
}

interface MatchedFinding {
  readonly vulnerabilityId: string;
  readonly packageName: string;
  readonly packageType: string;
  readonly packagePurl: string;
  readonly location: string;
  readonly fields: {
    readonly aliases: string;
    readonly version: string;
    readonly severity: string;
    readonly cvss_score: number | null;
    readonly fixed_version: string | null;
    readonly kev: number;
    readonly epss: number | null;
    readonly summary: string | null;
  };
}

const CHUNK = 200;
const CACHE_MAX = 64;
function remember(cache: Map<string, Matched>, key: string, value: Matched): void {
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
}

const packageKey = (purl: string, location: string): string => `${purl}\u0000${location}`;

function toMatched(findings: readonly Finding[], evaluated: Matched['evaluated']): Matched {
  return {
    evaluated,
    findings: findings.map((f) => ({
      vulnerabilityId: f.vulnerabilityId,
      packageName: f.package.name,
      packageType: f.package.type,
      packagePurl: versionlessPurl(f.package.purl),
      location: f.package.locations[0]?.path ?? '',
      fields: {
        aliases: JSON.stringify([...new Set(f.aliases)].sort()),
        version: f.package.version,
        severity: f.severity,
        cvss_score: f.cvss?.score ?? null,
        fixed_version: f.fixedVersion ?? null,
        kev: f.kev ? 1 : 0,
        epss: f.epss?.score ?? null,
        summary: f.summary ?? null,
      },
    })),
  };
}

const MEMO_MAX = 100_000;

/**
 * The database with its answers remembered for one rematch run (the data cannot change under it: the
 * handle keeps the file it opened). Stored SBOMs share most of their packages, so after the first few
 * SBOMs nearly every lookup is answered from memory instead of SQLite.
 */
export function memoDatabase(db: VulnDatabase): VulnDatabase {
  const memo = <A extends string[], T>(fn: (...a: A) => T): ((...a: A) => T) => {
    const cache = new Map<string, T>();
    return (...a: A) => {
      const key = a.join('\u0000');
      if (cache.has(key)) return cache.get(key)!;
      const v = fn(...a);
      if (cache.size >= MEMO_MAX) cache.clear();
      cache.set(key, v);
      return v;
    };
  };
  return {
    path: db.path,
    lookup: memo((eco: string, name: string) => db.lookup(eco, name)),
    hasEcosystem: memo((eco: string) => db.hasEcosystem(eco)),
    byId: memo((id: string) => db.byId(id)),
    searchPackage: (name) => db.searchPackage(name),
    kev: memo((cve: string) => db.kev(cve)),
    epss: memo((cve: string) => db.epss(cve)),
    status: () => db.status(),
    close: () => db.close(),
  };
}

/** Match one stored SBOM (Bulwark SBOM JSON text). */
function matchStored(doc: unknown, includeOsOwned: boolean, db: VulnDatabase): Matched {
  const sbom = parseSbom(doc, 'stored SBOM', 'stored SBOM');
  const result = matchSbom(sbom, db, { includeOsOwned });
  const key = (p: { purl: string; locations: readonly { path: string }[] }) =>
    packageKey(versionlessPurl(p.purl), p.locations[0]?.path ?? '');
  const notEvaluated = new Set(result.notEvaluated.map((n) => key(n.package)));
  const evaluated = new Set(sbom.packages.map(key).filter((k) => !notEvaluated.has(k)));
  return toMatched(result.findings, evaluated);
}

/**
 * What matching an SBOM depends on: its distro, packages and relationships — not where it came from
 * (`source`: target, digests, image metadata) nor which layer added each package. Rebuilt images and
 * the same image in several repositories share one key, so they are matched once.
 */
function matchKey(doc: unknown, owned: boolean): string {
  const d = doc as { distro?: unknown; packages?: unknown; relationships?: unknown };
  const packages = Array.isArray(d.packages)
    ? d.packages.map((p: unknown) => {
        if (p === null || typeof p !== 'object') return p;
        const { layer: _layer, ...rest } = p as Record<string, unknown>;
        return rest;
      })
    : d.packages;
  return `${owned ? 1 : 0}${createHash('sha256')
    .update(JSON.stringify([d.distro ?? null, packages ?? null, d.relationships ?? null]))
    .digest('hex')}`;
}

interface Target {
  readonly projectId: string;
  readonly repository: string;
  readonly scanId: string;
  readonly imageId: string;
}

/** The newest scan of every (project, repository), oldest repository first (a stable order). */
async function targets(store: Store): Promise<Target[]> {
  const rows = await store.db
    .selectFrom('images')
    .select(['id', 'project_id', 'repository', 'last_scan_id', 'last_scan_at'])
    .where('last_scan_id', 'is not', null)
    .execute();
  const newest = new Map<string, (typeof rows)[number]>();
  for (const r of rows) {
    const key = `${r.project_id}\u0000${r.repository}`;
    const cur = newest.get(key);
    if (!cur || (r.last_scan_at ?? '') > (cur.last_scan_at ?? '')) newest.set(key, r);
  }
  return [...newest.values()]
    .map((r) => ({
      projectId: r.project_id,
      repository: r.repository,
      scanId: r.last_scan_id!,
      imageId: r.id,
    }))
    .sort((a, b) => (a.projectId + a.repository < b.projectId + b.repository ? -1 : 1));
}

/**
 * Re-match every stored SBOM against the vulnerability database and bring the register up to date.
 * Idempotent: a second run against the same database changes nothing, and a run interrupted half way
 * (its worker killed) is completed by running it again — each batch is one transaction and the
 * differences are computed inside it.
 */
export async function rematchAll(options: RematchOptions): Promise<RematchResult> {
  const t0 = performance.now();
  const { store, config } = options;
  const db = memoDatabase(openDatabase(options.vulnDb ?? config.vulnDb));
  try {
    const builtAt = db.status().builtAt;
    const reason = `vulnerability database changed (built ${builtAt})${options.reason ? `: ${options.reason}` : ''}`;
    const all = await targets(store);
    const batchSize = options.batchSize ?? 25;
    const cache = new Map<string, Matched>();
    const byText = new Map<string, Matched>();
    const totals = { opened: 0, reopened: 0, fixed: 0, updated: 0, unreadable: 0 };
    let distinct = 0;
    for (let i = 0; i < all.length; i += batchSize) {
      const batch = all.slice(i, i + batchSize);
      const scans = await store.db
        .selectFrom('scans')
        .select([
          'id',
          'sbom',
          sql<number>`case when findings like '%"ownedBy"%' then 1 else 0 end`.as('owned'),
        ])
        .where(
          'id',
          'in',
          batch.map((t) => t.scanId),
        )
        .execute();
      const byScan = new Map(scans.map((s) => [s.id, s]));
      const work: { target: Target; matched: Matched }[] = [];
      for (const t of batch) {
        const s = byScan.get(t.scanId);
        if (!s) continue;
        // A report pushed with --include-os-owned has owned-package findings: match it the same way.
        const owned = Number(s.owned) === 1;
        // The very same stored text (the same SBOM pushed to several repositories) is not even parsed again.
        const textKey = `${owned ? 1 : 0}${createHash('sha256').update(s.sbom).digest('hex')}`;
        let matched = byText.get(textKey);
        if (!matched) {
          let doc: unknown;
          let key: string;
          try {
            doc = JSON.parse(s.sbom);
            key = matchKey(doc, owned);
          } catch {
            totals.unreadable++;
            continue;
          }
          matched = cache.get(key);
          if (!matched) {
            try {
              matched = matchStored(doc, owned, db);
            } catch {
              // A stored SBOM this version cannot read (damaged, or from a future format): counted, skipped.
              totals.unreadable++;
              continue;
            }
            distinct++;
            remember(cache, key, matched);
          }
          remember(byText, textKey, matched);
        }
        work.push({ target: t, matched });
      }
      if (work.length > 0) {
        const r = await applyBatch(store, config, work, options.now(), reason, builtAt);
        totals.opened += r.opened;
        totals.reopened += r.reopened;
        totals.fixed += r.fixed;
        totals.updated += r.updated;
      }
      await options.onProgress?.(Math.min(i + batchSize, all.length), all.length);
    }
    const result: RematchResult = {
      repositories: all.length,
      distinctSboms: distinct,
      ...totals,
      dbBuiltAt: builtAt,
      ms: Math.round(performance.now() - t0),
    };
    const now = options.now();
    await store.write(async (tx) => {
      await appendAudit(tx, SYSTEM_ACTOR, now, [
        {
          action: 'rematch.completed',
          entityType: 'vulnerability-database',
          entityId: builtAt,
          reason,
          details: { ...result },
        },
      ]);
      await setMeta(tx, 'rematch.db-built-at', builtAt);
      // The run's summary has no finding of its own: one organisation-wide event.
      await recordEvent(
        tx,
        { type: 'rematch.completed', projectId: null, actor: SYSTEM_ACTOR.name, data: { ...result } },
        now,
      );
    });
    return result;
  } finally {
    db.close();
  }
}

/** Record `builtAt` as matched without re-matching (a fresh register: its scans were just matched). */
export async function recordRematchedBuild(store: Store, builtAt: string): Promise<void> {
  await store.write((tx) => setMeta(tx, 'rematch.db-built-at', builtAt));
}

async function setMeta(tx: Tx, key: string, value: string): Promise<void> {
  await tx.deleteFrom('server_meta').where('key', '=', key).execute();
  await tx.insertInto('server_meta').values({ key, value }).execute();
}

/** The database build the last completed rematch used, if any. */
export async function lastRematchedBuild(store: Store): Promise<string | undefined> {
  const row = await store.db
    .selectFrom('server_meta')
    .select('value')
    .where('key', '=', 'rematch.db-built-at')
    .executeTakeFirst();
  return row?.value;
}

type Counts = { opened: number; reopened: number; fixed: number; updated: number };

/** Diff and write one batch of repositories in one transaction. */
async function applyBatch(
  store: Store,
  config: ServerConfig,
  work: readonly { target: Target; matched: Matched }[],
  now: string,
  reason: string,
  builtAt: string,
): Promise<Counts> {
  return store.write(async (tx) => {
    const projects = [...new Set(work.map((w) => w.target.projectId))];
    const repos = [...new Set(work.map((w) => w.target.repository))];
    const rows = await tx
      .selectFrom('findings')
      .selectAll()
      .where('project_id', 'in', projects)
      .where('repository', 'in', repos)
      .execute();
    const byRepo = new Map<string, FindingsTable[]>();
    for (const f of rows) {
      const k = `${f.project_id}\u0000${f.repository}`;
      let list = byRepo.get(k);
      if (!list) byRepo.set(k, (list = []));
      list.push(f);
    }
    const acceptances: RiskAcceptancesTable[] = await tx
      .selectFrom('risk_acceptances')
      .selectAll()
      .where('status', '=', 'approved')
      .where('expires_at', '>', now)
      .orderBy('decided_at')
      .orderBy('id')
      .execute();

    const counts: Counts = { opened: 0, reopened: 0, fixed: 0, updated: 0 };
    const inserts: FindingsTable[] = [];
    const links: { scan_id: string; finding_id: string }[] = [];
    const updates: (MatchedFinding['fields'] & { id: string; sla_due_at: string })[] = [];
    const fixedIds: string[] = [];
    const audit: AuditEntry[] = [];

    for (const { target, matched } of work) {
      const existing = new Map(
        (byRepo.get(`${target.projectId}\u0000${target.repository}`) ?? []).map((f) => [f.identity, f]),
      );
      const seen = new Set<string>();
      for (const m of matched.findings) {
        const identity = findingIdentity({
          projectId: target.projectId,
          repository: target.repository,
          vulnerabilityId: m.vulnerabilityId,
          packagePurl: m.packagePurl,
          location: m.location,
        });
        if (seen.has(identity)) continue;
        seen.add(identity);
        const old = existing.get(identity);
        const f = m.fields;
        if (!old) {
          const row: FindingsTable = {
            id: randomId(),
            project_id: target.projectId,
            repository: target.repository,
            identity,
            vulnerability_id: m.vulnerabilityId,
            package_name: m.packageName,
            package_type: m.packageType,
            package_purl: m.packagePurl,
            location: m.location,
            ...f,
            state: 'new',
            state_reason: reason,
            justification: null,
            planned_fix_at: null,
            acceptance_id: null,
            sla_due_at: slaDue(config, f.severity, f.kev === 1, now),
            first_seen_at: now,
            first_scan_id: target.scanId,
            last_seen_at: now,
            last_scan_id: target.scanId,
            last_image_id: target.imageId,
            fixed_at: null,
            updated_at: now,
          };
          const cover = acceptances.find((a) => acceptanceCovers(a, row));
          if (cover) {
            row.state = 'risk-accepted';
            row.acceptance_id = cover.id;
            row.state_reason = `covered by risk acceptance ${cover.id}`;
          }
          inserts.push(row);
          links.push({ scan_id: target.scanId, finding_id: row.id });
          counts.opened++;
          audit.push({
            action: 'finding.opened',
            entityType: 'finding',
            entityId: row.id,
            projectId: row.project_id,
            reason,
            details: {
              state: row.state,
              scan: target.scanId,
              vulnerability: row.vulnerability_id,
              package: row.package_purl,
              rematch: builtAt,
              ...(cover ? { acceptance: cover.id } : {}),
            },
          });
          continue;
        }
        if (old.state === 'fixed') {
          const merged = { ...old, ...f, last_image_id: target.imageId };
          const cover = acceptances.find((a) => acceptanceCovers(a, merged));
          const state: FindingState = cover ? 'risk-accepted' : 'reopened';
          await tx
            .updateTable('findings')
            .set({
              ...f,
              state,
              state_reason: cover ? `covered by risk acceptance ${cover.id}` : reason,
              acceptance_id: cover?.id ?? null,
              fixed_at: null,
              sla_due_at: slaDue(config, f.severity, f.kev === 1, old.first_seen_at),
              last_scan_id: target.scanId,
              last_image_id: target.imageId,
              updated_at: now,
            })
            .where('id', '=', old.id)
            .execute();
          links.push({ scan_id: target.scanId, finding_id: old.id });
          counts.reopened++;
          audit.push({
            action: 'finding.reopened',
            entityType: 'finding',
            entityId: old.id,
            projectId: old.project_id,
            reason,
            details: {
              from: 'fixed',
              to: state,
              rematch: builtAt,
              ...(cover ? { acceptance: cover.id } : {}),
            },
          });
          continue;
        }
        if (
          old.version !== f.version ||
          old.severity !== f.severity ||
          old.fixed_version !== f.fixed_version ||
          old.kev !== f.kev ||
          old.aliases !== f.aliases ||
          old.epss !== f.epss ||
          old.cvss_score !== f.cvss_score ||
          old.summary !== f.summary
        ) {
          updates.push({
            id: old.id,
            ...f,
            sla_due_at: slaDue(config, f.severity, f.kev === 1, old.first_seen_at),
          });
        }
      }
      // Open findings the new data no longer has: the advisory was withdrawn or no longer matches.
      for (const old of existing.values()) {
        if (old.state === 'fixed' || seen.has(old.identity)) continue;
        if (!matched.evaluated.has(packageKey(old.package_purl, old.location))) continue;
        fixedIds.push(old.id);
        counts.fixed++;
        audit.push({
          action: 'finding.fixed',
          entityType: 'finding',
          entityId: old.id,
          projectId: old.project_id,
          reason: `${reason}: the advisory was withdrawn or no longer matches`,
          details: { from: old.state, to: 'fixed', rematch: builtAt },
        });
      }
    }

    for (let i = 0; i < inserts.length; i += CHUNK)
      await tx
        .insertInto('findings')
        .values(inserts.slice(i, i + CHUNK))
        .execute();
    for (let i = 0; i < links.length; i += CHUNK)
      await tx
        .insertInto('scan_findings')
        .values(links.slice(i, i + CHUNK))
        .onConflict((oc) => oc.doNothing())
        .execute();
    for (let i = 0; i < fixedIds.length; i += CHUNK)
      await tx
        .updateTable('findings')
        .set({
          state: 'fixed',
          fixed_at: now,
          updated_at: now,
          state_reason: `${reason}: the advisory was withdrawn or no longer matches`,
        })
        .where('id', 'in', fixedIds.slice(i, i + CHUNK))
        .execute();
    for (let i = 0; i < updates.length; i += CHUNK) await bulkUpdate(tx, updates.slice(i, i + CHUNK), now);
    counts.updated = updates.length;
    // The audit entries also become the webhook events of these findings (webhooks/outbox.ts), in this
    // transaction, after the rows they describe are written.
    await appendAudit(tx, SYSTEM_ACTOR, now, audit);
    return counts;
  });
}

/**
 * One UPDATE for many findings' matched fields: a VALUES list joined by id (portable: a CTE with column
 * names and UPDATE … FROM work on SQLite ≥ 3.33 and PostgreSQL).
 */
async function bulkUpdate(
  tx: Tx,
  rows: readonly (MatchedFinding['fields'] & { id: string; sla_due_at: string })[],
  now: string,
): Promise<void> {
  const values = sql.join(
    rows.map(
      (r) =>
        sql`(${r.id}, ${r.aliases}, ${r.version}, ${r.severity}, ${r.cvss_score === null ? null : String(r.cvss_score)}, ${r.fixed_version}, ${String(r.kev)}, ${r.epss === null ? null : String(r.epss)}, ${r.summary}, ${r.sla_due_at})`,
    ),
  );
  await sql`with v(id, aliases, version, severity, cvss_score, fixed_version, kev, epss, summary, sla_due_at) as (values ${values})
update findings set
  aliases = v.aliases, version = v.version, severity = v.severity,
  cvss_score = cast(v.cvss_score as double precision), fixed_version = v.fixed_version,
  kev = cast(v.kev as integer), epss = cast(v.epss as double precision), summary = v.summary,
  sla_due_at = v.sla_due_at, updated_at = ${now}
from v where findings.id = v.id`.execute(tx);
}
