/**
 * Proxy settings from the environment, read the way curl reads them, and shared by every HTTP client of
 * Bulwark (database downloads, registries), so that one URL is proxied or not the same way everywhere:
 *
 * - `https://` URLs use `https_proxy`, else `HTTPS_PROXY`; `http://` URLs use `http_proxy`, else
 *   `HTTP_PROXY`. A proxy URL without a scheme means `http://`. Credentials in it (`http://u:p@proxy:3128`)
 *   are sent as `Proxy-Authorization: Basic`.
 * - `no_proxy`, else `NO_PROXY`: comma- or space-separated; `*` matches every host; `example.com` and
 *   `.example.com` match that domain and its sub-domains; an entry with `:port` only that port; IP
 *   addresses match exactly.
 * - When neither `no_proxy` nor `NO_PROXY` is set, loopback hosts (`localhost`, `127.0.0.0/8`, `::1`)
 *   are reached directly, as Go and Docker do: a registry or mirror on this machine is never behind
 *   the corporate proxy. Once NO_PROXY is set (even empty) it is the whole list, so a loopback host
 *   is proxied unless listed.
 */
import { isIP } from 'node:net';
import { UsageError } from './errors.js';

/** The proxy to use for `target`, or undefined for a direct connection. */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  const raw =
    target.protocol === 'https:'
      ? (env.https_proxy ?? env.HTTPS_PROXY)
      : target.protocol === 'http:'
        ? (env.http_proxy ?? env.HTTP_PROXY)
        : undefined;
  if (!raw || !raw.trim()) return undefined;
  const list = env.no_proxy ?? env.NO_PROXY;
  if (list === undefined ? isLoopback(target) : bypassesProxy(target, list)) return undefined;
  return parseProxyUrl(raw.trim());
}

/** `host:port`, `http://host:port`, `http://user:pass@host:port` → URL; refuses other schemes. */
export function parseProxyUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new UsageError(`invalid proxy URL in the environment: ${redactProxy(raw)}`);
  }
  if (url.protocol !== 'http:')
    throw new UsageError(
      `proxy ${redactProxy(raw)}: only http:// proxies are supported (HTTPS targets are tunnelled with CONNECT)`,
    );
  return url;
}

/** A proxy URL for messages: credentials hidden. */
export function redactProxy(raw: string | URL): string {
  const text = String(raw);
  return text.replace(/\/\/[^/@]*@/, '//***@');
}

/** `localhost`, `127.0.0.0/8` or `::1`. */
function isLoopback(target: URL): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    (isIP(host) === 4 && host.startsWith('127.'))
  );
}

/** The default port of a URL's scheme when it has none. */
function portOf(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/** Whether NO_PROXY (`list`) exempts `target`. */
export function bypassesProxy(target: URL, list: string): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = portOf(target);
  for (const raw of list.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let entryPort: string | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1]!;
      entryPort = bracketed[2];
    } else if (isIP(entry) !== 6) {
      const m = /^(.*):(\d+)$/.exec(entry);
      if (m) {
        entry = m[1]!;
        entryPort = m[2];
      }
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    if (isIP(entry) || isIP(host)) {
      if (entry === host) return true;
      continue;
    }
    const domain = entry.replace(/^\*?\./, '');
    if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

/** `Proxy-Authorization` for a proxy URL with credentials, else undefined. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const user = decodeURIComponent(proxy.username);
  const pass = decodeURIComponent(proxy.password);
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}
