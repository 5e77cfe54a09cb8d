/** Small shared pieces: data loading, error and loading states, badges, pagination, dates. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { messageOf, type FindingState, type Severity } from '../api';
import { setQuery } from '../router';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * Load with `fn` whenever `key` changes; the newest request wins (a slow earlier answer never overwrites
 * a later one).
 */
export function useLoad<T>(fn: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    fn().then(
      (data) => mine === seq.current && setState({ data, loading: false }),
      (err: unknown) => mine === seq.current && setState({ error: messageOf(err), loading: false }),
    );
    // `key` names everything fn depends on; fn itself is a new closure on every render.
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function ErrorBox({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <div class="error" role="alert">
      <strong>Error:</strong> {message}
    </div>
  );
}

export function Notice({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <div class="notice" role="status">
      {message}
    </div>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

/** Renders `children(data)` once loaded, the error if it failed, a loading line meanwhile. */
export function Show<T>({ l, children }: { l: Loaded<T>; children: (data: T) => ComponentChildren }) {
  if (l.error) return <ErrorBox message={l.error} />;
  if (l.data === undefined) return <Loading />;
  return <>{children(l.data)}</>;
}

export function SeverityBadge({ severity }: { severity: Severity | string }) {
  return <span class={`badge sev-${severity}`}>{severity}</span>;
}

export function StateBadge({ state }: { state: FindingState | string }) {
  return <span class={`badge state state-${state}`}>{state}</span>;
}

export function Kev({ kev }: { kev: boolean }) {
  return kev ? (
    <span class="badge kev" title="In CISA's Known Exploited Vulnerabilities catalogue">
      KEV
    </span>
  ) : null;
}

/** A date (and time when `time`) in the reader's locale, with the ISO value in a tooltip. */
export function When({ at, time = false }: { at: string | null | undefined; time?: boolean }) {
  if (!at) return <span class="muted">—</span>;
  const d = new Date(at);
  const text = time
    ? d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
    : d.toLocaleDateString(undefined, { dateStyle: 'medium' });
  return (
    <time dateTime={at} title={at}>
      {text}
    </time>
  );
}

export const shortDigest = (d: string | null | undefined): string =>
  d ? `${d.split(':')[0]}:${(d.split(':')[1] ?? '').slice(0, 12)}` : '—';

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** Server-side pagination driven by the `page` query parameter. */
export function Pager({
  total,
  limit,
  offset,
}: {
  total: number | undefined;
  limit: number;
  offset: number;
}) {
  const page = Math.floor(offset / limit) + 1;
  const pages = total === undefined ? undefined : Math.max(1, Math.ceil(total / limit));
  const hasNext = pages === undefined ? true : page < pages;
  return (
    <nav class="pager" aria-label="Pagination">
      <button type="button" disabled={page <= 1} onClick={() => setQuery({ page: page - 1 })}>
        ‹ Previous
      </button>
      <span aria-live="polite">
        Page {page}
        {pages !== undefined ? ` of ${pages}` : ''}
        {total !== undefined ? ` · ${total.toLocaleString()} in all` : ''}
      </span>
      <button type="button" disabled={!hasNext} onClick={() => setQuery({ page: page + 1 })}>
        Next ›
      </button>
    </nav>
  );
}

/**
 * A column header that sorts on the server through the `sort` and `order` query parameters. `dflt` is
 * the server's default direction for that column; clicking the active column reverses it.
 */
export function SortHeader({
  label,
  col,
  sort,
  order,
  dflt = 'asc',
}: {
  label: string;
  col: string;
  sort: string;
  order: string;
  dflt?: 'asc' | 'desc';
}) {
  const active = sort === col;
  const dir = active ? order || dflt : undefined;
  const next = active ? (dir === 'asc' ? 'desc' : 'asc') : undefined;
  return (
    <th scope="col" aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none'}>
      <button
        type="button"
        class="sort"
        onClick={() => setQuery({ sort: col, order: next === dflt ? undefined : next, page: undefined })}
      >
        {label}
        <span aria-hidden="true">{dir === 'asc' ? ' ▲' : dir === 'desc' ? ' ▼' : ''}</span>
      </button>
    </th>
  );
}

export function Counts({ counts }: { counts: Partial<Record<string, number>> }) {
  const order = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'];
  const entries = order.filter((s) => (counts[s] ?? 0) > 0);
  if (!entries.length) return <span class="muted">none</span>;
  return (
    <span class="counts">
      {entries.map((s) => (
        <span key={s} class={`count sev-${s}`} title={`${counts[s]} ${s}`}>
          <span class="sr-only">{s}: </span>
          {counts[s]}
        </span>
      ))}
    </span>
  );
}

export function PageTitle({ title, children }: { title: string; children?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · Bulwark`;
  }, [title]);
  return (
    <header class="page-head">
      <h1 tabIndex={-1} id="page-title">
        {title}
      </h1>
      {children}
    </header>
  );
}

/** The health grade of an image (A best … F worst; the rules are in docs/server.md). */
export function GradeBadge({ grade, large = false }: { grade: string | null; large?: boolean }) {
  if (!grade) return <span class="muted">—</span>;
  return (
    <span
      class={`grade grade-${grade}${large ? ' large' : ''}`}
      title={`Health grade ${grade} (A best, F worst)`}
    >
      <span class="sr-only">grade </span>
      {grade}
    </span>
  );
}
