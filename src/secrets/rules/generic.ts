/**
 * Generic credentials: `password = "…"`, `SECRET_KEY: …`, auth headers. These catch what no specific
 * rule knows, so they are gated by entropy, exclude code expressions, and yield to specific rules.
 */
import { DEFAULT_PASSWORDS, isPlaceholder } from '../placeholder.js';
import type { RuleInput } from './define.js';
import { ci, family } from './define.js';

/** Values that are code or configuration references, not literals. */
const NOT_A_LITERAL: readonly RegExp[] = [
  /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/, // config.db.password, process.env.TOKEN
  /[()[\]{}]/, // calls, indexing, templates
  /^\$|^%|^@|^&|^\*/, // shell/env/YAML references
  /^(?:true|false|null|nil|none|undefined|required|optional|string|number|boolean|bytes|secret|password|token)$/i,
  /^(?:[A-Z][A-Z0-9]*_)+[A-Z0-9]+$/, // another variable's NAME
  /^[a-z]+(?:[A-Z][a-z]+)+\d{0,2}$/, // camelCaseIdentifier
  /^(?:[A-Z][a-z]+){2,}\$?\d{0,2}$/, // PascalCaseIdentifier
  /^[!?~^]/, // negations, optional chaining, operators
  /^[a-z0-9]+(?:[-_][a-z0-9]+)+$/, // kebab-or_snake-identifier
  /^[a-f0-9]{40}$|^[a-f0-9]{64}$/, // bare git/sha hashes (lock files, checksums)
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, // UUIDs are identifiers
  /^(?:https?|file):\/\//, // URLs: the url rules check credentials inside them
  /^\/|^\.\.?\//, // paths
  /\.(?:json|ya?ml|txt|pem|key|crt|env|properties|js|ts|py)$/i, // file names
];

function assignment(
  id: string,
  title: string,
  names: readonly string[],
  severity: 'high' | 'medium',
  minEntropy: number,
): RuleInput {
  const alt = names.map(ci).join('|');
  return {
    id,
    title,
    severity,
    keywords: names,
    // NAME (with an optional suffix) = "value" | 'value' | value — the quote, if any, must close. Quotes
    // may be escaped (`password = \"…\"` inside a JSON string: source maps, serialised configs). The
    // regex starts at the name so the engine's keyword window is searched in linear time.
    regex: new RegExp(
      String.raw`(?:${alt})[A-Za-z0-9_.-]{0,20}?[\\"'\]]{0,3}[ \t]{0,5}(?:=|:=|:|=>|\?\?=)[ \t]{0,5}(?<q>(?:\\?["'\x60])?)(?<secret>[^\s'"\x60;,<>\\]{8,200})\k<q>(?=[\s'"\x60;,<>)\\]|$)`,
    ),
    minEntropy,
    // A value that repeats its own name (`fooToken = barToken$1`) is an identifier, not a secret.
    allowlist: [...NOT_A_LITERAL, new RegExp(names.map((n) => n.replace(/[-_]/g, '[-_]?')).join('|'), 'i')],
    generic: true,
    examples: [`${names[0]?.toUpperCase()} = "{A:12}!{A:8}"`, `  ${names[0]}: {A:24}`],
  };
}

export const GENERIC_RULES = family('generic', [
  assignment(
    'generic-password',
    'Password assigned in code or configuration',
    ['password', 'passwd', 'passphrase', 'pwd'],
    'high',
    3.3,
  ),
  assignment('generic-secret', 'Secret assigned in code or configuration', ['secret'], 'high', 3.5),
  assignment('generic-token', 'Token assigned in code or configuration', ['token'], 'medium', 3.7),
  assignment(
    'generic-api-key',
    'API key assigned in code or configuration',
    ['api_key', 'apikey', 'api-key'],
    'high',
    3.5,
  ),
  assignment(
    'generic-access-key',
    'Access key assigned in code or configuration',
    ['access_key', 'accesskey', 'access-key'],
    'high',
    3.5,
  ),
  assignment(
    'generic-private-key',
    'Private key value assigned in code or configuration',
    ['private_key', 'privatekey', 'signing_key', 'encryption_key'],
    'high',
    3.5,
  ),
  assignment(
    'generic-credentials',
    'Credential assigned in code or configuration',
    ['credential', 'auth_key', 'authkey'],
    'medium',
    3.7,
  ),
  {
    id: 'authorization-bearer-token',
    title: 'Bearer token in an Authorization header',
    severity: 'medium',
    keywords: ['bearer '],
    regex: /[aA]uthorization["']?\s*[:=]\s*["']?[bB]earer\s+(?<secret>[A-Za-z0-9._~+/-]{20,}=*)/,
    minEntropy: 3.7,
    // JWTs are reported (structure-checked) by the jwt rule.
    allowlist: [...NOT_A_LITERAL, /^eyJ/],
    generic: true,
    examples: ['curl -H "Authorization: Bearer {A:40}" https://api.corp.internal'],
  },
  {
    id: 'authorization-basic-credentials',
    title: 'Basic credentials in an Authorization header',
    severity: 'medium',
    keywords: ['basic '],
    regex: /[aA]uthorization["']?\s*[:=]\s*["']?[bB]asic\s+(?<secret>[A-Za-z0-9+/]{8,}={0,2})/,
    validate: (s) => {
      const m = /^[\x20-\x7e]+:([\x20-\x7e]+)$/.exec(Buffer.from(s, 'base64').toString('latin1'));
      return m !== null && !DEFAULT_PASSWORDS.test(m[1] as string) && !isPlaceholder(m[1] as string);
    },
    generic: true,
    examples: ['Authorization: Basic {basic:20}'],
    placeholder: 'Authorization: Basic dXNlcjpwYXNzd29yZA==',
  },
  {
    id: 'netrc-password',
    title: 'Password in a .netrc file',
    severity: 'high',
    keywords: ['machine '],
    regex: /machine\s+\S+\s+login\s+\S+\s+password\s+(?<secret>\S{6,200})/,
    minEntropy: 3,
    allowlist: NOT_A_LITERAL,
    examples: ['machine api.corp.internal login deploy password {A:24}'],
  },
  {
    id: 'htpasswd-plain',
    title: 'Cleartext password in a user:password credentials file',
    severity: 'medium',
    keywords: ['{plain}', '{clear}', '{cleartext}'],
    regex: /^[A-Za-z0-9._-]+:\{(?:PLAIN|CLEAR|CLEARTEXT|plain|clear|cleartext)\}(?<secret>\S{6,128})/m,
    examples: ['deploy:{PLAIN}{A:20}'],
  },
]);
