/**
 * Client-side routing on real URLs (the History API): every page has its own address, deep links and
 * reloads work (the server answers index.html for them), back and forward work. Links are plain `<a
 * href>` elements; one document-level click handler turns same-origin clicks into `navigate`.
 */
import { useEffect, useState } from 'preact/hooks';

type Listener = () => void;
const listeners = new Set<Listener>();

export interface Location {
  readonly path: string;
  readonly query: URLSearchParams;
}

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

function notify(): void {
  for (const l of listeners) l();
}

/**
 * Go to `url` (same origin). `replace` does not add a history entry (redirects); `scroll: false` keeps
 * the scroll position (a filter or page change of the same list).
 */
export function navigate(url: string, replace = false, scroll = !replace): void {
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  notify();
  if (scroll) window.scrollTo(0, 0);
}

/**
 * Change some query parameters of the current page (empty values are removed). Each change is a history
 * entry, so Back undoes a filter.
 */
export function setQuery(changes: Record<string, string | number | undefined>): void {
  const q = new URLSearchParams(window.location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') q.delete(k);
    else q.set(k, String(v));
  }
  const s = q.toString();
  const url = `${window.location.pathname}${s ? `?${s}` : ''}`;
  if (url !== window.location.pathname + window.location.search) navigate(url, false, false);
}

export function startRouter(): void {
  window.addEventListener('popstate', notify);
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) return;
    // A link within this page (the skip link, #layer-2): the browser scrolls and moves focus itself.
    if (url.hash && url.pathname === window.location.pathname && url.search === window.location.search)
      return;
    e.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
}

/** The current location; re-renders the caller on every navigation. */
export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const l = (): void => setLoc(current());
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return loc;
}

/** Match `path` against a pattern such as `/projects/:project/images/:image`. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const s = path.replace(/\/+$/, '').split('/');
  if (path === '/' && pattern === '/') return {};
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    if (seg.startsWith(':')) {
      if (!s[i]) return undefined;
      try {
        params[seg.slice(1)] = decodeURIComponent(s[i]!);
      } catch {
        return undefined;
      }
    } else if (seg !== s[i]) return undefined;
  }
  return params;
}

/** Build a path from segments, encoding each. */
export function href(...segments: (string | number)[]): string {
  return `/${segments.map((s) => encodeURIComponent(String(s))).join('/')}`;
}
