/**
 * Heuristics for secret-looking variable names and values, shared by the Dockerfile rules and the
 * built-image checks. Names are split into words (`DB_PASSWORD`, `dbPassword`, `db.password`) so that
 * `TOKENIZERS_PARALLELISM` or `PASSWORD_FILE` do not look like secrets.
 */
import { maskSecretValue } from '../secrets/metadata.js';

/** Words that make a name secret-looking when a word equals or ends with them. */
const SECRET_WORDS = [
  'PASSWORD',
  'PASSWD',
  'PASSPHRASE',
  'PASS',
  'PWD',
  'SECRET',
  'TOKEN',
  'APIKEY',
  'CREDENTIALS',
  'CREDENTIAL',
];
/** Two-word names: `API_KEY`, `PRIVATE_KEY`, … */
const KEY_QUALIFIERS = new Set([
  'API',
  'ACCESS',
  'PRIVATE',
  'SECRET',
  'ENCRYPTION',
  'SIGNING',
  'MASTER',
  'AUTH',
  'LICENSE',
]);
/** A last word that makes the variable describe a secret rather than hold one. */
const NON_SECRET_LAST = new Set([
  'FILE',
  'PATH',
  'DIR',
  'LOCATION',
  'NAME',
  'ID',
  'TTL',
  'TIMEOUT',
  'EXPIRY',
  'EXPIRES',
  'EXPIRATION',
  'LIFETIME',
  'LENGTH',
  'LEN',
  'SIZE',
  'TYPE',
  'HEADER',
  'FORMAT',
  'ENABLED',
  'REQUIRED',
  'POLICY',
  'MIN',
  'MAX',
  'VERSION',
  'MODE',
  'ALGORITHM',
  'COUNT',
  'ISSUER',
  'AUDIENCE',
  'SCOPE',
  'SCOPES',
  'USER',
  'USERNAME',
  'ENDPOINT',
  'URI',
  'REF',
  'ARN',
  'KIND',
  'PROVIDER',
  'STORE',
  'BACKEND',
  'HOST',
  'PORT',
]);

export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toUpperCase());
}

/** True for names like `DB_PASSWORD`, `GITHUB_TOKEN`, `stripeApiKey`, `AWS_SECRET_ACCESS_KEY`. */
export function isSecretName(name: string): boolean {
  const words = nameWords(name);
  if (words.length === 0) return false;
  if (NON_SECRET_LAST.has(words[words.length - 1]!)) return false;
  // `PWD` alone is the shell's working directory.
  if (words.length === 1 && words[0] === 'PWD') return false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    for (const s of SECRET_WORDS) {
      if (w === s || (s.length >= 5 && w.endsWith(s))) return true;
    }
    if ((w === 'KEY' || w === 'KEYS') && i > 0 && KEY_QUALIFIERS.has(words[i - 1]!)) return true;
  }
  return false;
}

const NOT_A_SECRET_VALUE = /^(?:true|false|yes|no|on|off|none|null|nil|undefined|0|1|-|\*+|x+)$/i;

/**
 * True when a value assigned to a secret-looking name is a literal worth reporting: not empty, not a
 * boolean-ish switch, not a reference to another variable, not a path to a mounted secret file.
 */
export function isSecretLiteral(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim();
  if (v === '' || NOT_A_SECRET_VALUE.test(v)) return false;
  if (/^\$(?:\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)$/.test(v)) return false;
  if (/^\/(?:run|var\/run)\/secrets\//.test(v)) return false;
  return true;
}

/** `ghp_…` style redaction: at most the first 4 characters (only for values of 8+), plus the length. */
export function redact(value: string): string {
  return maskSecretValue(value);
}
