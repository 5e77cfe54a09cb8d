/**
 * Registry authentication: where credentials come from, and the two schemes registries use (Basic, and
 * Bearer tokens from the token service named in `WWW-Authenticate`).
 *
 * Credential order, first match wins:
 *   1. `--username` with `--password-stdin`
 *   2. BULWARK_REGISTRY_USERNAME / BULWARK_REGISTRY_PASSWORD
 *   3. the Docker config ($DOCKER_CONFIG/config.json, else ~/.docker/config.json): `credHelpers[host]`,
 *      then `credsStore`, then the inline `auths[host]` entry (`auth` = base64 user:password, or
 *      `username`/`password`, or `identitytoken`)
 *   4. anonymous (public images still get an anonymous Bearer token)
 *
 * Secrets live in {@link Credentials} objects that never render their secret (inspect, JSON, string).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { z } from 'zod';
import { BulwarkError, InputError, oneLine } from '../../util/errors.js';
import { DOCKER_HUB } from './reference.js';
import { discard, networkError, readBody, type Transport } from './transport.js';

/** A username with a password, or an OAuth2 refresh token (`identitytoken`). The secret never prints. */
export class Credentials {
  readonly #secret: string;

  constructor(
    readonly username: string,
    secret: string,
    /** Where they came from, for messages: `--username`, `environment`, `docker config`, `credential helper "x"`. */
    readonly source: string,
    readonly kind: 'password' | 'identity-token' = 'password',
  ) {
    this.#secret = secret;
  }

  get secret(): string {
    return this.#secret;
  }

  basic(): string {
    return `Basic ${Buffer.from(`${this.username}:${this.#secret}`).toString('base64')}`;
  }

  toString(): string {
    return `credentials for "${this.username}" from ${this.source}`;
  }

  toJSON(): unknown {
    return { username: this.username, source: this.source };
  }

  [inspect.custom](): string {
    return `Credentials(${this.toString()})`;
  }
}

export interface CredentialOptions {
  /** `--username`; with it, `password` must be given (from `--password-stdin`). */
  readonly username?: string;
  readonly password?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Overrides $DOCKER_CONFIG / ~/.docker. */
  readonly dockerConfigDir?: string;
}

const authEntry = z
  .object({
    auth: z.string().optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    identitytoken: z.string().optional(),
  })
  .passthrough();
const dockerConfigSchema = z
  .object({
    auths: z.record(z.string(), authEntry).nullish(),
    credsStore: z.string().optional(),
    credHelpers: z.record(z.string(), z.string()).nullish(),
  })
  .passthrough();

const HUB_KEYS = [
  'https://index.docker.io/v1/',
  'index.docker.io',
  'docker.io',
  'registry-1.docker.io',
  'https://registry-1.docker.io',
];

/** `https://host:5000/v1/` → `host:5000`; Docker Hub's aliases → `docker.io`. */
function normalizeKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  return HUB_KEYS.includes(key) || HUB_KEYS.includes(host) ? DOCKER_HUB : host;
}

/** The server name credential helpers and `auths` use for a registry. */
function helperServer(registry: string): string {
  return registry === DOCKER_HUB ? 'https://index.docker.io/v1/' : registry;
}

const helperName = /^[A-Za-z0-9._-]+$/;

/** Run `docker-credential-<name> get` with the server on stdin; undefined when it has nothing. */
export async function runCredentialHelper(
  name: string,
  registry: string,
  env: NodeJS.ProcessEnv,
): Promise<Credentials | undefined> {
  if (!helperName.test(name))
    throw new InputError('E_DOCKER_CONFIG', `docker config: invalid credential helper name "${name}"`);
  const program = `docker-credential-${name}`;
  const { code, stdout, spawnError } = await new Promise<{
    code: number | null;
    stdout: string;
    spawnError?: NodeJS.ErrnoException;
  }>((resolve) => {
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'ignore'], timeout: 30_000 });
    const out: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1024 * 1024) out.push(c);
    });
    child.on('error', (err: NodeJS.ErrnoException) => resolve({ code: null, stdout: '', spawnError: err }));
    child.on('close', (c) => resolve({ code: c, stdout: Buffer.concat(out).toString('utf8') }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(helperServer(registry));
  });
  if (spawnError) {
    const why =
      spawnError.code === 'ENOENT'
        ? 'is not installed (not on PATH)'
        : `could not run (${spawnError.code ?? oneLine(spawnError)})`;
    throw new InputError(
      'E_CREDENTIAL_HELPER',
      `credential helper ${program} configured in the docker config ${why}`,
    );
  }
  if (code !== 0) {
    // Helpers print "credentials not found in native keychain" when they hold nothing for this server.
    if (/not found/i.test(stdout)) return undefined;
    throw new InputError(
      'E_CREDENTIAL_HELPER',
      `credential helper ${program} failed for ${registry} (exit code ${code ?? 'signal'})`,
    );
  }
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown };
  } catch {
    throw new InputError(
      'E_CREDENTIAL_HELPER',
      `credential helper ${program} printed something that is not JSON`,
    );
  }
  if (typeof parsed.Secret !== 'string' || parsed.Secret === '') return undefined;
  const username = typeof parsed.Username === 'string' ? parsed.Username : '';
  // Docker's convention: the username "<token>" marks an identity (refresh) token.
  if (username === '<token>')
    return new Credentials('<token>', parsed.Secret, `credential helper "${name}"`, 'identity-token');
  return new Credentials(username, parsed.Secret, `credential helper "${name}"`);
}

async function fromDockerConfig(
  registry: string,
  env: NodeJS.ProcessEnv,
  dir: string,
): Promise<Credentials | undefined> {
  const file = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new InputError(
      'E_DOCKER_CONFIG',
      `${file}: cannot read the docker config (${code ?? oneLine(err)})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InputError('E_DOCKER_CONFIG', `${file}: not valid JSON`);
  }
  const parsed = dockerConfigSchema.safeParse(raw);
  if (!parsed.success)
    throw new InputError('E_DOCKER_CONFIG', `${file}: unexpected shape of auths/credsStore/credHelpers`);
  const config = parsed.data;
  for (const [key, helper] of Object.entries(config.credHelpers ?? {})) {
    if (normalizeKey(key) === registry) return runCredentialHelper(helper, registry, env);
  }
  const entry = Object.entries(config.auths ?? {}).find(([key]) => normalizeKey(key) === registry)?.[1];
  if (config.credsStore) {
    const found = await runCredentialHelper(config.credsStore, registry, env);
    if (found) return found;
  }
  if (!entry) return undefined;
  if (entry.identitytoken)
    return new Credentials(
      entry.username ?? '<token>',
      entry.identitytoken,
      'docker config',
      'identity-token',
    );
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0)
      throw new InputError(
        'E_DOCKER_CONFIG',
        `${file}: the "auth" entry for ${registry} is not base64 of user:password`,
      );
    return new Credentials(decoded.slice(0, colon), decoded.slice(colon + 1), 'docker config');
  }
  if (entry.username && entry.password)
    return new Credentials(entry.username, entry.password, 'docker config');
  return undefined;
}

/** Find credentials for `registry` (as in the reference: `docker.io`, `host:5000`), or undefined. */
export async function resolveCredentials(
  registry: string,
  options: CredentialOptions = {},
): Promise<Credentials | undefined> {
  const env = options.env ?? process.env;
  if (options.username !== undefined) {
    if (!options.password)
      throw new InputError(
        'E_USAGE_CREDENTIALS',
        '--username needs the password on standard input: add --password-stdin',
      );
    return new Credentials(options.username, options.password, '--username');
  }
  if (env.BULWARK_REGISTRY_USERNAME || env.BULWARK_REGISTRY_PASSWORD) {
    if (!env.BULWARK_REGISTRY_USERNAME || !env.BULWARK_REGISTRY_PASSWORD) {
      throw new InputError(
        'E_USAGE_CREDENTIALS',
        'set both BULWARK_REGISTRY_USERNAME and BULWARK_REGISTRY_PASSWORD, or neither',
      );
    }
    return new Credentials(env.BULWARK_REGISTRY_USERNAME, env.BULWARK_REGISTRY_PASSWORD, 'environment');
  }
  const dir = options.dockerConfigDir ?? env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker');
  return fromDockerConfig(registry, env, dir);
}

export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parse `WWW-Authenticate`: one or more challenges, `Scheme k=v, k="quoted, \"value\""`. Scheme names
 * are lower-cased; parameter names too. Unparseable pieces are skipped rather than fatal.
 */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const text = Array.isArray(header) ? header.join(', ') : (header ?? '');
  const out: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const n = text.length;
  const skipWs = (): void => {
    while (i < n && /[\s,]/.test(text[i]!)) i++;
  };
  while (i < n) {
    skipWs();
    const tok = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(text.slice(i));
    if (!tok) {
      i++;
      continue;
    }
    const word = tok[0];
    i += word.length;
    while (i < n && text[i] === ' ') i++;
    if (text[i] === '=' && out.length > 0) {
      // A parameter of the current challenge.
      i++;
      while (i < n && text[i] === ' ') i++;
      let value = '';
      if (text[i] === '"') {
        i++;
        while (i < n && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < n) i++;
          value += text[i];
          i++;
        }
        i++;
      } else {
        const m = /^[^,\s]*/.exec(text.slice(i))![0];
        value = m;
        i += m.length;
      }
      out[out.length - 1]!.params[word.toLowerCase()] = value;
    } else {
      out.push({ scheme: word.toLowerCase(), params: {} });
    }
  }
  return out;
}

const tokenAnswer = z
  .object({
    token: z.string().optional(),
    access_token: z.string().optional(),
    expires_in: z.number().optional(),
  })
  .passthrough();

/** Registry failures the user can act on: authentication (exit 5). */
export function authRequired(registry: string): BulwarkError {
  return networkError(
    'E_AUTH_REQUIRED',
    `authentication required for registry ${registry} — run docker login or pass --username`,
  );
}

function authFailed(registry: string, creds: Credentials, detail: string): BulwarkError {
  return networkError(
    'E_AUTH_FAILED',
    `authentication failed for registry ${registry} with ${creds.toString()}${detail ? `: ${detail}` : ''}`,
  );
}

/**
 * Authorization for one registry: answers challenges and caches Bearer tokens per scope. Credentials
 * are looked up lazily, only when the registry asks for them.
 */
export class RegistryAuth {
  private readonly tokens = new Map<string, string>();
  private basicAuth = false;
  private credentials: Promise<Credentials | undefined> | undefined;

  constructor(
    readonly registry: string,
    private readonly transport: Transport,
    private readonly lookup: () => Promise<Credentials | undefined>,
  ) {}

  private creds(): Promise<Credentials | undefined> {
    this.credentials ??= this.lookup();
    return this.credentials;
  }

  /** The Authorization value for a request in `scope`, when one is known. */
  async header(scope: string): Promise<string | undefined> {
    const token = this.tokens.get(scope);
    if (token) return `Bearer ${token}`;
    if (this.basicAuth) return (await this.creds())?.basic();
    return undefined;
  }

  /** A 401 arrived for `scope`: obtain fresh authorization (throws a clear error when impossible). */
  async challenged(
    header: string | string[] | undefined,
    scope: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const challenges = parseChallenges(header);
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    const creds = await this.creds();
    if (bearer) {
      this.tokens.set(scope, await this.fetchToken(bearer, scope, creds, signal));
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic') || challenges.length === 0) {
      if (!creds || creds.kind !== 'password') throw authRequired(this.registry);
      if (this.basicAuth) throw authFailed(this.registry, creds, 'the registry refused them');
      this.basicAuth = true;
      return;
    }
    throw networkError(
      'E_AUTH_UNSUPPORTED',
      `registry ${this.registry} asks for unsupported authentication "${challenges[0]!.scheme}"`,
    );
  }

  /** The registry refused authorization it asked for: explain with what we tried. */
  async refused(): Promise<BulwarkError> {
    const creds = await this.creds();
    return creds
      ? authFailed(this.registry, creds, 'the registry refused them')
      : authRequired(this.registry);
  }

  private async fetchToken(
    challenge: Challenge,
    scope: string,
    creds: Credentials | undefined,
    signal?: AbortSignal,
  ): Promise<string> {
    let realm: URL;
    try {
      realm = new URL(challenge.params.realm!);
    } catch {
      throw networkError('E_AUTH_REALM', `registry ${this.registry} names an invalid token service URL`);
    }
    if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
      throw networkError(
        'E_AUTH_REALM',
        `registry ${this.registry} names a token service with unsupported scheme "${realm.protocol}"`,
      );
    }
    // Credentials go over plain HTTP only to hosts already trusted with it (loopback, --insecure-registry).
    if (creds && realm.protocol === 'http:' && !this.transport.isInsecure(realm.host)) {
      throw networkError(
        'E_AUTH_REALM',
        `registry ${this.registry} wants credentials sent to ${realm.host} over plain HTTP; refusing (add --insecure-registry ${realm.host} to allow)`,
      );
    }
    const service = challenge.params.service;
    const wantedScope = challenge.params.scope ?? scope;
    const tokenHost = realm.host;
    let res;
    if (creds?.kind === 'identity-token') {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.secret,
        client_id: 'bulwark',
        ...(service ? { service } : {}),
        scope: wantedScope,
      });
      res = await this.transport.request(
        realm,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
          ...(signal ? { signal } : {}),
        },
        tokenHost,
      );
    } else {
      const url = new URL(realm);
      if (service) url.searchParams.set('service', service);
      for (const s of wantedScope.split(' ').filter(Boolean)) url.searchParams.append('scope', s);
      res = await this.transport.request(
        url,
        { ...(creds ? { authorization: creds.basic() } : {}), ...(signal ? { signal } : {}) },
        tokenHost,
      );
    }
    if (res.status === 401 || res.status === 403) {
      discard(res);
      throw creds
        ? authFailed(this.registry, creds, `the token service at ${tokenHost} refused them`)
        : authRequired(this.registry);
    }
    if (res.status !== 200) {
      discard(res);
      throw networkError(
        'E_AUTH_TOKEN',
        `token service ${tokenHost} for registry ${this.registry} answered HTTP ${res.status}`,
      );
    }
    const body = await readBody(res, 1024 * 1024, `token from ${tokenHost}`);
    let parsed;
    try {
      parsed = tokenAnswer.parse(JSON.parse(body.toString('utf8')));
    } catch {
      throw networkError('E_AUTH_TOKEN', `token service ${tokenHost} answered something that is not a token`);
    }
    const token = parsed.token ?? parsed.access_token;
    if (!token) throw networkError('E_AUTH_TOKEN', `token service ${tokenHost} answered without a token`);
    return token;
  }
}
