/**
 * Server configuration: built-in defaults, then a YAML file (`--config`), then `BULWARK_SERVER_*`
 * environment variables, then command-line flags — each later source wins (twelve-factor: everything can
 * be set from the environment). {@link SETTINGS} is the single list of settings; `bulwark server --help`
 * is generated from it, so every setting is documented where it is defined.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { defaultDatabasePath } from '../db/paths.js';
import { oneLine } from '../util/errors.js';
import { ServerConfigError } from './errors.js';

/** Severities with an SLA (days to fix, counted from first detection); `kev` applies to KEV findings. */
export const SLA_KEYS = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown', 'kev'] as const;
export type SlaKey = (typeof SLA_KEYS)[number];

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** `sqlite:FILE` (embedded) or `postgres://…` (PostgreSQL 15+). */
  readonly databaseUrl: string;
  /** The vulnerability database used to match uploaded SBOMs. */
  readonly vulnDb: string;
  readonly adminUser: string;
  readonly adminPassword?: string;
  readonly maxBodyBytes: number;
  readonly sessionTtlMs: number;
  readonly secureCookies: boolean;
  /** Take the client address from X-Forwarded-For (only behind a proxy that sets it). */
  readonly trustProxy: boolean;
  readonly loginAttempts: number;
  readonly loginWindowMs: number;
  readonly maxAcceptanceDays: number;
  readonly sla: Readonly<Record<SlaKey, number>>;
  readonly logLevel: string;
  readonly sweepIntervalMs: number;
  /** Jobs this process runs at once (`bulwark server`: 0 = none, leave them to `bulwark worker`). */
  readonly workers: number;
  /** A job running longer is taken as lost (its worker died) and retried. */
  readonly jobTimeoutMs: number;
  /** Tries per job before it is dead-lettered (state `failed`). */
  readonly jobAttempts: number;
  /** Delay before the first retry; doubled on each further one. */
  readonly jobRetryDelayMs: number;
  /** How often idle workers look for new jobs. */
  readonly jobPollIntervalMs: number;
  /** Run `db update` on the server this often (0: never), then re-match stored SBOMs when it changed. */
  readonly dbUpdateIntervalMs: number;
  /** Registries server-side scans may reach (`host` or `host:port`); empty: none. */
  readonly registryAllow: readonly string[];
  /** Key material for encrypting registry credentials at rest (environment only). */
  readonly secretKey?: string;
  readonly webhooks: WebhookSettings;
}

/** Webhook delivery settings (`webhook-*`). */
export interface WebhookSettings {
  /** Host names (`*.example.com` wildcards, optional `:port`) webhooks may reach; null: any. */
  readonly allowedHosts: readonly string[] | null;
  readonly timeoutMs: number;
  /** Attempts before a delivery is dead (dead-lettered). */
  readonly maxAttempts: number;
  /** Delay before the first retry; it doubles with every failed attempt (capped at 6 hours). */
  readonly retryBaseMs: number;
  /** How often the server looks for deliveries that are due. */
  readonly intervalMs: number;
}

type Kind = 'string' | 'int' | 'bool' | 'duration' | 'size' | 'path' | 'list';

/** One setting: its YAML key, environment variable, command-line flag and meaning. */
export interface Setting {
  readonly key: string;
  readonly env: string;
  readonly flag?: string;
  readonly kind: Kind;
  readonly description: string;
  /** The default as shown in --help. */
  readonly shownDefault: string;
}

const sla = (k: SlaKey, days: number, what: string): Setting => ({
  key: `sla.${k}`,
  env: `BULWARK_SERVER_SLA_${k.toUpperCase()}`,
  kind: 'int',
  description: `days to fix ${what} findings`,
  shownDefault: String(days),
});

export const DEFAULT_SLA: Readonly<Record<SlaKey, number>> = {
  critical: 7,
  high: 30,
  medium: 90,
  low: 180,
  negligible: 365,
  unknown: 90,
  kev: 14,
};

export const SETTINGS: readonly Setting[] = [
  {
    key: 'host',
    env: 'BULWARK_SERVER_HOST',
    flag: '--host',
    kind: 'string',
    description: 'address to listen on',
    shownDefault: '127.0.0.1',
  },
  {
    key: 'port',
    env: 'BULWARK_SERVER_PORT',
    flag: '--port',
    kind: 'int',
    description: 'TCP port (0: any free port)',
    shownDefault: '8080',
  },
  {
    key: 'data-dir',
    env: 'BULWARK_SERVER_DATA_DIR',
    flag: '--data-dir',
    kind: 'path',
    description: 'where the embedded database lives',
    shownDefault: '$XDG_DATA_HOME/bulwark/server (~/.local/share/bulwark/server)',
  },
  {
    key: 'database-url',
    env: 'BULWARK_SERVER_DATABASE_URL',
    flag: '--database-url',
    kind: 'string',
    description: 'sqlite:FILE or postgres://user:pass@host:port/db (PostgreSQL 15+)',
    shownDefault: 'sqlite:<data dir>/register.sqlite',
  },
  {
    key: 'vuln-db',
    env: 'BULWARK_SERVER_VULN_DB',
    flag: '--vuln-db',
    kind: 'path',
    description: 'vulnerability database used to match uploaded SBOMs (see bulwark db)',
    shownDefault: '$BULWARK_DB, else <cache dir>/db/bulwark.sqlite',
  },
  {
    key: 'admin-user',
    env: 'BULWARK_SERVER_ADMIN_USER',
    kind: 'string',
    description: 'name of the first admin, created on start when no user exists',
    shownDefault: 'admin',
  },
  {
    key: 'admin-password',
    env: 'BULWARK_SERVER_ADMIN_PASSWORD',
    kind: 'string',
    description: 'password of that first admin (environment only; never put it in the file)',
    shownDefault: 'none: no admin is created',
  },
  {
    key: 'max-body',
    env: 'BULWARK_SERVER_MAX_BODY',
    kind: 'size',
    description: 'largest request body (scan reports, SBOMs), e.g. 64MiB',
    shownDefault: '64MiB',
  },
  {
    key: 'session-ttl',
    env: 'BULWARK_SERVER_SESSION_TTL',
    kind: 'duration',
    description: 'how long a sign-in lasts (s, m, h, d)',
    shownDefault: '12h',
  },
  {
    key: 'secure-cookies',
    env: 'BULWARK_SERVER_SECURE_COOKIES',
    kind: 'bool',
    description: 'mark session cookies Secure (set when served over HTTPS)',
    shownDefault: 'false',
  },
  {
    key: 'trust-proxy',
    env: 'BULWARK_SERVER_TRUST_PROXY',
    kind: 'bool',
    description:
      'take client addresses (sign-in rate limit, logs) from X-Forwarded-For: only behind a proxy that sets it',
    shownDefault: 'false',
  },
  {
    key: 'login-attempts',
    env: 'BULWARK_SERVER_LOGIN_ATTEMPTS',
    kind: 'int',
    description: 'failed sign-ins allowed per client address and per user name in one window',
    shownDefault: '10',
  },
  {
    key: 'login-window',
    env: 'BULWARK_SERVER_LOGIN_WINDOW',
    kind: 'duration',
    description: 'the sign-in rate-limit window',
    shownDefault: '15m',
  },
  {
    key: 'max-acceptance-days',
    env: 'BULWARK_SERVER_MAX_ACCEPTANCE_DAYS',
    kind: 'int',
    description: 'longest allowed risk-acceptance expiry, in days',
    shownDefault: '365',
  },
  sla('critical', DEFAULT_SLA.critical, 'critical'),
  sla('high', DEFAULT_SLA.high, 'high'),
  sla('medium', DEFAULT_SLA.medium, 'medium'),
  sla('low', DEFAULT_SLA.low, 'low'),
  sla('negligible', DEFAULT_SLA.negligible, 'negligible'),
  sla('unknown', DEFAULT_SLA.unknown, 'unknown-severity'),
  sla('kev', DEFAULT_SLA.kev, 'KEV (known exploited)'),
  {
    key: 'log-level',
    env: 'BULWARK_SERVER_LOG_LEVEL',
    flag: '--log-level',
    kind: 'string',
    description: 'fatal, error, warn, info, debug or silent (JSON lines on stderr)',
    shownDefault: 'info',
  },
  {
    key: 'sweep-interval',
    env: 'BULWARK_SERVER_SWEEP_INTERVAL',
    kind: 'duration',
    description: 'how often expired risk acceptances are reopened',
    shownDefault: '1m',
  },
  {
    key: 'workers',
    env: 'BULWARK_SERVER_WORKERS',
    flag: '--workers',
    kind: 'int',
    description:
      'jobs (rematch, db update, registry scans) this server runs at once; 0 (or --no-worker): none, leave them to bulwark worker',
    shownDefault: '1',
  },
  {
    key: 'job-timeout',
    env: 'BULWARK_SERVER_JOB_TIMEOUT',
    kind: 'duration',
    description: 'a job running longer is taken as lost (its worker died) and retried',
    shownDefault: '30m',
  },
  {
    key: 'job-attempts',
    env: 'BULWARK_SERVER_JOB_ATTEMPTS',
    kind: 'int',
    description: 'tries per job before it is dead-lettered (state failed)',
    shownDefault: '3',
  },
  {
    key: 'job-retry-delay',
    env: 'BULWARK_SERVER_JOB_RETRY_DELAY',
    kind: 'duration',
    description: 'delay before the first retry of a failed job, doubled on each further one',
    shownDefault: '30s',
  },
  {
    key: 'job-poll-interval',
    env: 'BULWARK_SERVER_JOB_POLL_INTERVAL',
    kind: 'duration',
    description: 'how often idle workers look for queued jobs',
    shownDefault: '2s',
  },
  {
    key: 'db-update-interval',
    env: 'BULWARK_SERVER_DB_UPDATE_INTERVAL',
    kind: 'duration',
    description:
      'run bulwark db update on the server this often (e.g. 6h), then re-match every stored SBOM when it changed; off: never',
    shownDefault: 'off',
  },
  {
    key: 'registry-allow',
    env: 'BULWARK_SERVER_REGISTRY_ALLOW',
    kind: 'list',
    description:
      'registries server-side scans may reach (host or host:port, comma-separated; redirects must stay on them); empty: none',
    shownDefault: 'none',
  },
  {
    key: 'secret-key',
    env: 'BULWARK_SERVER_SECRET_KEY',
    kind: 'string',
    description:
      'key for encrypting stored registry credentials (environment only, at least 32 characters, e.g. openssl rand -base64 32)',
    shownDefault: 'none: registry credentials cannot be stored',
  },
  {
    key: 'webhook-allowed-hosts',
    env: 'BULWARK_SERVER_WEBHOOK_ALLOWED_HOSTS',
    kind: 'string',
    description:
      'comma-separated hosts webhooks may be sent to (host, host:port, *.example.com); set it to keep webhooks out of the internal network',
    shownDefault: 'any host',
  },
  {
    key: 'webhook-timeout',
    env: 'BULWARK_SERVER_WEBHOOK_TIMEOUT',
    kind: 'duration',
    description: 'time limit of one webhook delivery attempt',
    shownDefault: '10s',
  },
  {
    key: 'webhook-max-attempts',
    env: 'BULWARK_SERVER_WEBHOOK_MAX_ATTEMPTS',
    kind: 'int',
    description: 'attempts before a webhook delivery is given up (dead)',
    shownDefault: '8',
  },
  {
    key: 'webhook-retry-base',
    env: 'BULWARK_SERVER_WEBHOOK_RETRY_BASE',
    kind: 'duration',
    description: 'wait before the first retry; doubles after each failure (at most 6h)',
    shownDefault: '30s',
  },
  {
    key: 'webhook-interval',
    env: 'BULWARK_SERVER_WEBHOOK_INTERVAL',
    kind: 'duration',
    description: 'how often due webhook deliveries are sent',
    shownDefault: '5s',
  },
];

/** `--help` text: every setting with its file key, variable and default. */
export function settingsHelp(): string {
  const lines = SETTINGS.map(
    (s) =>
      `  ${s.key.padEnd(20)} ${s.env.padEnd(36)} ${s.description}\n  ${''.padEnd(20)} ${''.padEnd(36)} (default: ${s.shownDefault})`,
  );
  return `\nSettings (YAML key in --config FILE, environment variable; flags, then variables, then the file win):\n${lines.join('\n')}\n`;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1000,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

function parseValue(s: Setting, raw: unknown, from: string): unknown {
  const bad = (what: string): never => {
    throw new ServerConfigError(`${from}: ${s.key}: ${what}, got ${JSON.stringify(raw)}`);
  };
  if (s.kind === 'list') {
    const items = Array.isArray(raw)
      ? raw.map((v) => (typeof v === 'string' ? v.trim() : bad('expected a list of names')))
      : typeof raw === 'string'
        ? raw.split(',').map((v) => v.trim())
        : bad('expected a list or a comma-separated string');
    return items.filter((v) => v !== '');
  }
  const text =
    typeof raw === 'string'
      ? raw.trim()
      : typeof raw === 'number' || typeof raw === 'boolean'
        ? String(raw)
        : bad('expected a scalar');
  switch (s.kind) {
    case 'string':
    case 'path':
      return text === '' ? bad('expected a value') : text;
    case 'int':
      return /^\d+$/.test(text) ? Number(text) : bad('expected a whole number');
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(text)) return true;
      if (/^(0|false|no|off)$/i.test(text)) return false;
      return bad('expected true or false');
    case 'duration': {
      if (text === '0' || text === 'off') return 0;
      const m = /^(\d+)\s*(ms|s|m|h|d)$/.exec(text);
      return m
        ? Number(m[1]) * DURATION_UNITS[m[2]!]!
        : bad('expected a duration such as 30s, 15m, 12h or 7d');
    }
    case 'size': {
      const m = /^(\d+)\s*([a-z]*)$/i.exec(text);
      const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
      return m && unit ? Number(m[1]) * unit : bad('expected a size such as 512KiB or 64MiB');
    }
  }
}

/** The settings of a YAML document, flattened to `a.b` keys; unknown keys are errors (typos). */
function flattenFile(doc: unknown, file: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (doc === null || doc === undefined) return out;
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new ServerConfigError(`${file}: expected a mapping of settings`);
  const known = new Set(SETTINGS.map((s) => s.key));
  const walk = (obj: Record<string, unknown>, prefix: string): void => {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix + k;
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && !known.has(key))
        walk(v as Record<string, unknown>, `${key}.`);
      else if (!known.has(key))
        throw new ServerConfigError(`${file}: unknown setting ${JSON.stringify(key)}`);
      else if (key === 'admin-password' || key === 'secret-key')
        throw new ServerConfigError(
          `${file}: ${key} may only come from ${key === 'secret-key' ? 'BULWARK_SERVER_SECRET_KEY' : 'BULWARK_SERVER_ADMIN_PASSWORD'}`,
        );
      else out.set(key, v);
    }
  };
  walk(doc as Record<string, unknown>, '');
  return out;
}

/** `$XDG_DATA_HOME/bulwark/server`, else `~/.local/share/bulwark/server`. */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_DATA_HOME?.trim();
  if (xdg && isAbsolute(xdg)) return join(xdg, 'bulwark', 'server');
  return join(env.HOME?.trim() || homedir(), '.local', 'share', 'bulwark', 'server');
}

export interface LoadOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** `--config FILE`. */
  readonly file?: string;
  /** Command-line values by setting key (e.g. `port`, `database-url`). */
  readonly flags?: Readonly<Record<string, string | undefined>>;
}

/** Resolve the configuration from defaults, file, environment and flags; throws ServerConfigError. */
export function loadServerConfig(options: LoadOptions = {}): ServerConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const values = new Map<string, unknown>();
  if (options.file) {
    const path = resolve(cwd, options.file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ServerConfigError(`${options.file}: cannot read: ${oneLine(err)}`, { cause: err });
    }
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (err) {
      throw new ServerConfigError(`${options.file}: not valid YAML: ${oneLine(err)}`, { cause: err });
    }
    for (const [k, v] of flattenFile(doc, options.file)) {
      values.set(
        k,
        parseValue(
          SETTINGS.find((s) => s.key === k)!,
          v,
          options.file,
        ),
      );
    }
  }
  for (const s of SETTINGS) {
    const v = env[s.env];
    if (v !== undefined && v !== '') values.set(s.key, parseValue(s, v, s.env));
  }
  for (const s of SETTINGS) {
    const v = s.flag ? options.flags?.[s.key] : undefined;
    if (v !== undefined) values.set(s.key, parseValue(s, v, s.flag!));
  }
  const get = <T>(key: string, dflt: T): T => (values.has(key) ? (values.get(key) as T) : dflt);
  const dataDir = resolve(cwd, get('data-dir', defaultDataDir(env)));
  const vulnDbEnv = env.BULWARK_DB?.trim();
  const port = get('port', 8080);
  if (port > 65535) throw new ServerConfigError(`port: ${port} is not a TCP port`);
  const logLevel = get('log-level', 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel))
    throw new ServerConfigError(`log-level: unknown level ${JSON.stringify(logLevel)}`);
  const maxAcceptanceDays = get('max-acceptance-days', 365);
  if (maxAcceptanceDays < 1) throw new ServerConfigError('max-acceptance-days: must be at least 1');
  const databaseUrl = get('database-url', `sqlite:${join(dataDir, 'register.sqlite')}`);
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl))
    throw new ServerConfigError(
      `database-url: expected sqlite:FILE or postgres://…, got ${JSON.stringify(redactUrl(databaseUrl))}`,
    );
  const adminPassword = env.BULWARK_SERVER_ADMIN_PASSWORD;
  const secretKey = env.BULWARK_SERVER_SECRET_KEY;
  if (secretKey !== undefined && secretKey !== '' && secretKey.length < 32)
    throw new ServerConfigError('BULWARK_SERVER_SECRET_KEY: must be at least 32 characters');
  const jobAttempts = get('job-attempts', 3);
  if (jobAttempts < 1) throw new ServerConfigError('job-attempts: must be at least 1');
  const jobTimeoutMs = get('job-timeout', 30 * 60_000);
  if (jobTimeoutMs < 1000) throw new ServerConfigError('job-timeout: must be at least 1s');
  const jobPollIntervalMs = get('job-poll-interval', 2000);
  if (jobPollIntervalMs < 500) throw new ServerConfigError('job-poll-interval: must be at least 500ms');
  return {
    host: get('host', '127.0.0.1'),
    port,
    dataDir,
    databaseUrl,
    vulnDb: resolve(cwd, get('vuln-db', vulnDbEnv ? vulnDbEnv : defaultDatabasePath(env))),
    adminUser: get('admin-user', 'admin'),
    ...(adminPassword ? { adminPassword } : {}),
    maxBodyBytes: get('max-body', 64 * 1024 * 1024),
    sessionTtlMs: get('session-ttl', 12 * 3_600_000),
    secureCookies: get('secure-cookies', false),
    trustProxy: get('trust-proxy', false),
    loginAttempts: get('login-attempts', 10),
    loginWindowMs: get('login-window', 15 * 60_000),
    maxAcceptanceDays,
    sla: Object.fromEntries(SLA_KEYS.map((k) => [k, get(`sla.${k}`, DEFAULT_SLA[k])])) as Record<
      SlaKey,
      number
    >,
    logLevel,
    sweepIntervalMs: get('sweep-interval', 60_000),
    workers: get('workers', 1),
    jobTimeoutMs,
    jobAttempts,
    jobRetryDelayMs: get('job-retry-delay', 30_000),
    jobPollIntervalMs,
    dbUpdateIntervalMs: get('db-update-interval', 0),
    registryAllow: get<string[]>('registry-allow', []).map((h) => h.toLowerCase()),
    ...(secretKey ? { secretKey } : {}),
    webhooks: webhookSettings(get),
  };
}

function webhookSettings(get: <T>(key: string, dflt: T) => T): WebhookSettings {
  const hosts = get<string | undefined>('webhook-allowed-hosts', undefined);
  const allowedHosts = hosts
    ? hosts
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean)
    : null;
  for (const h of allowedHosts ?? [])
    if (!/^(\*\.)?[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/.test(h))
      throw new ServerConfigError(`webhook-allowed-hosts: ${JSON.stringify(h)} is not a host name`);
  const maxAttempts = get('webhook-max-attempts', 8);
  if (maxAttempts < 1) throw new ServerConfigError('webhook-max-attempts: must be at least 1');
  return {
    allowedHosts,
    timeoutMs: get('webhook-timeout', 10_000),
    maxAttempts,
    retryBaseMs: get('webhook-retry-base', 30_000),
    intervalMs: get('webhook-interval', 5_000),
  };
}

/** A database URL with its password replaced by `***`, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
