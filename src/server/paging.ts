/**
 * Pagination for list routes: keyset (cursor) pages beside the older `limit`/`offset`, and bounded totals.
 *
 * Why keyset: `OFFSET n` makes the database walk and throw away n rows, so page 5,000 of a million
 * findings costs as much as reading them all. A cursor names the last row of the previous page by its
 * sort key and the next page starts right after it with an index range scan — every page costs the same,
 * and rows inserted meanwhile never shift a row onto two pages or off all of them.
 *
 * Why bounded totals: `COUNT(*)` over a filter that matches a million rows reads a million index entries
 * on every page. {@link cappedTotal} counts at most {@link TOTAL_CAP} + 1 rows and says whether the number
 * is exact.
 *
 * How to use it in a route (see listFindings in routes.ts):
 *
 * ```ts
 * query: z.object({ ...filters, ...pageQuery }),
 * handler: async (ctx) => {
 *   const q = db.selectFrom('findings').where(...filters...);
 *   const sort: KeysetSort = { name: 'due', columns: ['sla_due_at', 'id'], direction: 'asc', nullableFirst: true };
 *   const page = await keysetPage(q.selectAll(), sort, ctx.query, store.engine);
 *   return { ...(await cappedTotal(db, q)), items: page.items.map(view), next: page.next };
 * }
 * ```
 *
 * Works on both engines with their default (ascending) B-tree indexes: create an index whose columns
 * end with the sort columns (e.g. `(project_id, sla_due_at, id)`), so the engine reads the page in index
 * order and stops after `limit + 1` rows.
 */
import {
  sql,
  type Expression,
  type Kysely,
  type RawBuilder,
  type SelectQueryBuilder,
  type SqlBool,
} from 'kysely';
import { z } from 'zod';
import { badRequest } from './errors.js';
import type { Engine } from './store/connect.js';

/** Totals above this are reported as `total: TOTAL_CAP, totalExact: false`. */
export const TOTAL_CAP = 10_000;

/** Query parameters of a paginated list: `limit`, and either `cursor` (preferred) or `offset`. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('rows to skip (slow on deep pages; prefer cursor)'),
  cursor: z
    .string()
    .min(1)
    .max(2000)
    .optional()
    .describe('the `next` value of the previous page: the page after it (offset must then be 0)'),
};

export interface PageParams {
  readonly limit: number;
  readonly offset?: number | undefined;
  readonly cursor?: string | undefined;
}

/**
 * A sort order usable for keyset pages: `columns` most significant first, all in one `direction`; the
 * last column must be unique and never NULL (the row id), so the order is total. Only the first column
 * may be NULL (`nullableFirst`, and then `columns` must be exactly `[column, id]`).
 */
export interface KeysetSort {
  /** A name for the order (e.g. `due`): a cursor only continues the order it was made for. */
  readonly name: string;
  /** Column references as the query names them (`sla_due_at`, `findings.sla_due_at`). */
  readonly columns: readonly string[];
  readonly direction: 'asc' | 'desc';
  readonly nullableFirst?: boolean;
}

export interface Page<T> {
  readonly items: T[];
  /** Cursor of the page after this one, or null when this is the last page. */
  readonly next: string | null;
}

type Phase = 'values' | 'nulls';

interface CursorState {
  /** Sort name. */
  readonly s: string;
  /** The phase of a nullable first column: rows with a value, or rows where it is NULL. */
  readonly p: Phase;
  /** The sort key of the last row returned (in the `nulls` phase: only the id; empty: the phase start). */
  readonly v: readonly (string | number)[];
}

/** The row key a column reference is read from (`findings.sla_due_at` → `sla_due_at`). */
const keyOf = (ref: string): string => ref.slice(ref.lastIndexOf('.') + 1);

export function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

/** Decode and check a cursor against the sort it is used with; a 400 naming `query.cursor` otherwise. */
export function decodeCursor(cursor: string, sort: KeysetSort): CursorState {
  const bad = (why: string) => badRequest(`query.cursor: ${why}`, 'E_VALIDATION');
  let state: unknown;
  try {
    state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad('not a cursor returned by this list (use the `next` value of the previous page)');
  }
  const s = state as Partial<CursorState> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.s !== 'string' ||
    (s.p !== 'values' && s.p !== 'nulls') ||
    !Array.isArray(s.v) ||
    !s.v.every((x) => typeof x === 'string' || typeof x === 'number')
  )
    throw bad('not a cursor returned by this list (use the `next` value of the previous page)');
  if (s.s !== sort.name) throw bad(`the cursor continues the sort ${JSON.stringify(s.s)}, not ${sort.name}`);
  const want = s.p === 'nulls' ? 1 : sort.columns.length;
  if (s.v.length !== 0 && s.v.length !== want) throw bad('the cursor does not fit this list');
  if (s.p === 'nulls' && !sort.nullableFirst) throw bad('the cursor does not fit this list');
  return s as CursorState;
}

/**
 * Where NULLs come in `direction` on `engine`: SQLite orders NULL before every value, PostgreSQL after,
 * and each reads its default index that way, so the order (and the index use) stays the engine's own.
 */
function phases(sort: KeysetSort, engine: Engine): readonly Phase[] {
  if (!sort.nullableFirst) return ['values'];
  const nullsLargest = engine === 'postgres';
  const nullsLast = sort.direction === 'asc' ? nullsLargest : !nullsLargest;
  return nullsLast ? ['values', 'nulls'] : ['nulls', 'values'];
}

/** `(a, b, …) > (x, y, …)` (or `<` descending): a row-value range both engines read from an index. */
function after(
  refs: readonly string[],
  values: readonly unknown[],
  direction: 'asc' | 'desc',
): RawBuilder<SqlBool> {
  const op = sql.raw(direction === 'asc' ? '>' : '<');
  if (refs.length === 1) return sql<SqlBool>`${sql.ref(refs[0]!)} ${op} ${values[0]}`;
  const left = sql.join(refs.map((r) => sql.ref(r)));
  const right = sql.join(values.map((v) => sql`${v}`));
  return sql<SqlBool>`(${left}) ${op} (${right})`;
}

/**
 * One keyset page of `q` (a select with its filters and columns, no order, limit or offset) in `sort`
 * order: the rows after `params.cursor`, or from `params.offset` (default 0) without one. The rows must
 * include the sort columns. Costs one or two index range reads of `limit + 1` rows, however deep.
 */
export async function keysetPage<DB, TB extends keyof DB, O>(
  q: SelectQueryBuilder<DB, TB, O>,
  sort: KeysetSort,
  params: PageParams,
  engine: Engine,
): Promise<Page<O>> {
  if (sort.nullableFirst && sort.columns.length !== 2)
    throw new Error('keysetPage: a nullable first column needs exactly [column, id]');
  const order = phases(sort, engine);
  let state: CursorState | undefined;
  if (params.cursor !== undefined) {
    if ((params.offset ?? 0) > 0)
      throw badRequest('query.offset: use either cursor or offset', 'E_VALIDATION');
    state = decodeCursor(params.cursor, sort);
  }
  const first = sort.columns[0]!;
  const id = sort.columns[sort.columns.length - 1]!;
  const key = (row: O, phase: Phase): (string | number)[] => {
    const r = row as Record<string, unknown>;
    const cols = phase === 'nulls' ? [id] : sort.columns;
    return cols.map((c) => r[keyOf(c)] as string | number);
  };
  const ordered = (qq: SelectQueryBuilder<DB, TB, O>, phase: Phase) => {
    let out = qq;
    for (const c of phase === 'nulls' ? [id] : sort.columns) out = out.orderBy(sql.ref(c), sort.direction);
    return out;
  };
  const inPhase = (phase: Phase, from: readonly (string | number)[]) => {
    const conds: Expression<SqlBool>[] = [];
    if (sort.nullableFirst)
      conds.push(
        phase === 'nulls'
          ? sql<SqlBool>`${sql.ref(first)} is null`
          : sql<SqlBool>`${sql.ref(first)} is not null`,
      );
    if (from.length > 0) conds.push(after(phase === 'nulls' ? [id] : sort.columns, from, sort.direction));
    let out = q;
    for (const c of conds) out = out.where(c);
    return ordered(out, phase);
  };

  const cursorOf = (row: O, phase: Phase) => encodeCursor({ s: sort.name, p: phase, v: key(row, phase) });
  const phaseOf = (row: O): Phase =>
    sort.nullableFirst && (row as Record<string, unknown>)[keyOf(first)] === null ? 'nulls' : 'values';

  if (!state) {
    // First page, or an offset page: one read in the engine's own order, which is the phase order.
    let qq = ordered(q, 'values').limit(params.limit + 1);
    if ((params.offset ?? 0) > 0) qq = qq.offset(params.offset!);
    const rows = await qq.execute();
    if (rows.length <= params.limit) return { items: rows, next: null };
    const last = rows[params.limit - 1]!;
    return { items: rows.slice(0, params.limit), next: cursorOf(last, phaseOf(last)) };
  }

  const items: O[] = [];
  const start = order.indexOf(state.p);
  for (let i = start; i < order.length; i++) {
    const phase = order[i]!;
    const from = i === start ? state.v : [];
    const want = params.limit - items.length;
    if (want === 0) {
      // The page is full: is there anything in this later phase at all?
      const probe = await inPhase(phase, []).limit(1).execute();
      return { items, next: probe.length > 0 ? encodeCursor({ s: sort.name, p: phase, v: [] }) : null };
    }
    const rows = await inPhase(phase, from)
      .limit(want + 1)
      .execute();
    if (rows.length > want) {
      for (const r of rows.slice(0, want)) items.push(r);
      return { items, next: cursorOf(rows[want - 1]!, phase) };
    }
    for (const r of rows) items.push(r);
  }
  return { items, next: null };
}

export interface Total {
  /** Rows matching the filter, or {@link TOTAL_CAP} when there are more. */
  readonly total: number;
  /** False when `total` is the cap and more rows match. */
  readonly totalExact: boolean;
}

/**
 * Count the rows of `q` (its filters; columns and order are dropped) up to `cap`: reads at most
 * `cap + 1` rows, so a filter matching a million rows costs the same to count as one matching ten
 * thousand. `db` is the store's Kysely instance (or a transaction) the query belongs to.
 */
export async function cappedTotal<DB, TB extends keyof DB, O>(
  db: Kysely<DB>,
  q: SelectQueryBuilder<DB, TB, O>,
  cap: number = TOTAL_CAP,
): Promise<Total> {
  const inner = q
    .clearSelect()
    .clearOrderBy()
    .select(sql<number>`1`.as('one'))
    .limit(cap + 1);
  const r = await sql<{ n: number | string }>`select count(*) as n from (${inner}) as capped`.execute(db);
  const n = Number(r.rows[0]?.n ?? 0);
  return n > cap ? { total: cap, totalExact: false } : { total: n, totalExact: true };
}
