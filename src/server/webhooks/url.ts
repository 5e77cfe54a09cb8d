/**
 * Which URLs a webhook may point at. Only http and https; no credentials in the URL (the signature is the
 * authentication); and, when `webhook-allowed-hosts` is set, only those hosts — otherwise a project admin
 * could make the server send requests into the internal network (SSRF). Checked when a webhook is saved
 * and again before every delivery (the setting may have changed since).
 */

/** Why `raw` may not be a webhook URL, or undefined when it may. */
export function webhookUrlProblem(raw: string, allowedHosts: readonly string[] | null): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `only http and https URLs are allowed, not ${url.protocol.replace(/:$/, '')}`;
  if (url.username || url.password)
    return 'no user name or password in the URL (the signature authenticates)';
  if (allowedHosts && !hostAllowed(url, allowedHosts))
    return `host ${url.host} is not in webhook-allowed-hosts`;
  return undefined;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` or `*.domain` → name and optional port. */
function splitEntry(entry: string): { name: string; port?: string } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
  if (!m) return { name: entry };
  return m[2] !== undefined ? { name: m[1]!, port: m[2] } : { name: m[1]! };
}

function hostAllowed(url: URL, allowed: readonly string[]): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowed.some((entry) => {
    const { name, port: p } = splitEntry(entry);
    if (p !== undefined && p !== port) return false;
    // `*.example.com` matches any subdomain, not example.com itself.
    if (name.startsWith('*.')) return host.endsWith(name.slice(1));
    return host === name;
  });
}
