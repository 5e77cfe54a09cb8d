/**
 * The one redactor for image metadata. Image configs routinely carry credentials — `Env` values,
 * labels, build arguments that BuildKit records in the history (`|2 NPM_TOKEN=… /bin/sh -c npm ci`),
 * `ARG TOKEN=…` defaults, and commands such as `curl -H "Authorization: Bearer …"` — and every report
 * format shows parts of it. Everything that prints image metadata passes it through here first:
 *
 * - `Env` entries are reduced to their names, and `ENV` instructions in the history lose their values
 *   (`<redacted>`), so an environment value is never shown anywhere;
 * - values of build arguments, `ARG` defaults and labels whose name says they hold a secret
 *   (`…TOKEN`, `…PASSWORD`, `API_KEY`, …) are masked;
 * - every other secret the detection engine finds in the text is masked where it stands.
 *
 * Masked values keep what the secrets reports show: the first characters, the length and the
 * fingerprint (`ghp_…(40 chars, fp 1a2b…)`), so a masked value can still be matched to a finding.
 * All functions are idempotent and never mutate their input.
 */
import type { ImageMetadata, LayerRef } from '../source/types.js';
import { SecretEngine, maskedForm } from './engine.js';
import { redact } from './redact.js';

/** What replaces an environment value. */
export const REDACTED = '<redacted>';

/** The rule id that salts the fingerprint of a value masked because of its name. */
export const METADATA_VALUE_ID = 'metadata-secret-value';

let engine: SecretEngine | undefined;
/** The built-in rules (user configuration never loosens masking). */
function maskingEngine(): SecretEngine {
  engine ??= new SecretEngine();
  return engine;
}

const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'pass',
  'pwd',
  'secret',
  'secrets',
  'token',
  'apikey',
  'credential',
  'credentials',
  'auth',
]);
const KEY_QUALIFIERS = new Set([
  'api',
  'access',
  'private',
  'secret',
  'signing',
  'master',
  'encryption',
  'auth',
]);

/** `DB_PASSWORD`, `npmToken`, `org.example.api-key` → true; `VERSION`, `authors` → false. */
export function isSecretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (SECRET_WORDS.has(w) || /(?:password|passwd|token|secret)$/.test(w)) return true;
    if (w === 'key' && i > 0 && KEY_QUALIFIERS.has(words[i - 1]!)) return true;
  }
  return false;
}

/** A value masked because its name says it is secret (empty values stay empty). */
export function maskSecretValue(value: string): string {
  if (value === '' || value === REDACTED || /\(\d+ chars, fp [0-9a-f]{16}\)$/.test(value)) return value;
  // A value the rules recognise keeps the fingerprint its finding has; anything else is masked whole.
  const detected = maskingEngine().maskText(value);
  if (detected !== value && !detected.includes(value)) return detected;
  return maskedForm(redact(METADATA_VALUE_ID, value));
}

/** `NAME=value` → `NAME` (a bare `NAME` stays as is). */
export function envName(entry: string): string {
  const eq = entry.indexOf('=');
  return eq === -1 ? entry : entry.slice(0, eq);
}

/** Split instruction arguments into words, honouring quotes and backslashes, keeping each word's raw text. */
function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && quote !== "'" && i + 1 < text.length) {
      current += ch + text[i + 1]!;
      i++;
    } else if (quote) {
      current += ch;
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (/\s/.test(ch)) {
      if (current) words.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current) words.push(current);
  return words;
}

// Classic builder: `/bin/sh -c #(nop)  ENV A=b`; BuildKit: `ENV A=b`. Case-insensitive like Dockerfiles.
const INSTRUCTION = /^(\s*(?:\/bin\/sh -c #\(nop\)\s*)?(ENV|ARG))(\s+)([\s\S]*)$/i;
// BuildKit records the build arguments a RUN saw in front of its command: `|2 A=x B=y /bin/sh -c …`.
const BUILD_ARGS = /^(\s*(?:RUN\s+)?)\|(\d+)\s+/;
const SHELL = ' /bin/sh -c ';

/** `ENV`/`ARG` instruction: ENV values always go, ARG defaults when their name is secret-looking. */
function redactInstruction(m: RegExpExecArray): string {
  const isEnv = m[2]!.toUpperCase() === 'ENV';
  const words = splitWords(m[4]!);
  if (words.length === 0) return m[0];
  // Legacy form `ENV NAME value with spaces`: a single name, everything after it is the value.
  if (isEnv && !words[0]!.includes('=')) return `${m[1]}${m[3]}${words[0]} ${REDACTED}`;
  const out = words.map((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) return isEnv ? REDACTED : w;
    const name = w.slice(0, eq);
    if (isEnv) return `${name}=${REDACTED}`;
    return isSecretName(name) ? `${name}=${maskSecretValue(w.slice(eq + 1))}` : w;
  });
  return `${m[1]}${m[3]}${out.join(' ')}`;
}

/** `|N A=x B=y /bin/sh -c cmd`: the N arguments' values are masked when their names are secret-looking. */
function redactBuildArgs(text: string, m: RegExpExecArray): string {
  const count = Number(m[2]);
  let rest = text.slice(m[0].length);
  let out = m[0];
  // Values may contain spaces: each one ends where the next `NAME=` starts, the last one at the shell
  // (or, for exec-form commands, at the first space).
  for (let i = 0; i < count; i++) {
    const name = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(rest);
    if (!name) break;
    rest = rest.slice(name[0].length);
    let end: number;
    if (i < count - 1) {
      const next = /\s+[A-Za-z_][A-Za-z0-9_]*=/.exec(rest);
      end = next ? next.index : rest.length;
    } else {
      const shell = rest.indexOf(SHELL);
      const space = rest.search(/\s/);
      end = shell >= 0 ? shell : space >= 0 ? space : rest.length;
    }
    const value = rest.slice(0, end);
    out += `${name[0]}${isSecretName(name[1]!) ? maskSecretValue(value) : value}`;
    rest = rest.slice(end);
    const gap = /^\s*/.exec(rest)![0];
    out += gap;
    rest = rest.slice(gap.length);
  }
  return out + rest;
}

const memo = new Map<string, string>();
const MEMO_LIMIT = 4096;

/**
 * A history `created_by` command, a label value or any other metadata text, made printable: see the
 * module comment for what is masked.
 */
export function redactMetadataText(text: string): string {
  const hit = memo.get(text);
  if (hit !== undefined) return hit;
  let out = text;
  const instruction = INSTRUCTION.exec(out);
  if (instruction) out = redactInstruction(instruction);
  else {
    const args = BUILD_ARGS.exec(out);
    if (args) out = redactBuildArgs(out, args);
  }
  out = maskingEngine().maskText(out);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(text, out);
  return out;
}

/** A label value: masked whole when the key names a secret, else its detected secrets masked. */
export function redactLabel(key: string, value: string): string {
  return isSecretName(key) ? maskSecretValue(value) : redactMetadataText(value);
}

/** A layer reference with its history text redacted. */
export function redactLayerRef<T extends Pick<LayerRef, 'createdBy'>>(layer: T): T {
  if (layer.createdBy === undefined) return layer;
  const createdBy = redactMetadataText(layer.createdBy);
  return createdBy === layer.createdBy ? layer : { ...layer, createdBy };
}

/** Image metadata as any output may show it: Env names only, history, layers and labels redacted. */
export function redactImageMetadata(image: ImageMetadata): ImageMetadata {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(image.config.labels)) labels[key] = redactLabel(key, value);
  // Manifest annotations are free text like labels: masked the same way.
  let annotations: Record<string, string> | undefined;
  if (image.annotations) {
    annotations = {};
    for (const [key, value] of Object.entries(image.annotations)) annotations[key] = redactLabel(key, value);
  }
  const words = (list: readonly string[] | undefined): readonly string[] | undefined =>
    list?.map((w) => redactMetadataText(w));
  const c = image.config;
  const entrypoint = words(c.entrypoint);
  const cmd = words(c.cmd);
  const test = words(c.healthcheck?.test);
  return {
    ...image,
    config: {
      ...c,
      env: c.env.map(envName),
      labels,
      ...(entrypoint ? { entrypoint } : {}),
      ...(cmd ? { cmd } : {}),
      ...(c.healthcheck && test ? { healthcheck: { ...c.healthcheck, test } } : {}),
    },
    history: image.history.map((h) => {
      const r = redactLayerRef(h);
      return r.comment === undefined ? r : { ...r, comment: redactMetadataText(r.comment) };
    }),
    layers: image.layers.map((l) => redactLayerRef(l)),
    ...(annotations ? { annotations } : {}),
  };
}

/** Text files above this are stored as they are (a cataloged manifest is far smaller). */
const MAX_SCRUB_BYTES = 16 * 1024 * 1024;

/**
 * File bytes as the layer cache may store them: text with every secret the rules find masked in place.
 * Binary content (a NUL byte in the first 8000 bytes) and text without secrets are returned unchanged.
 */
export function maskSecretsInBytes(content: Buffer): Buffer {
  if (content.length === 0 || content.length > MAX_SCRUB_BYTES) return content;
  if (content.subarray(0, 8000).includes(0)) return content;
  const text = content.toString('utf8');
  const masked = maskingEngine().maskText(text);
  return masked === text ? content : Buffer.from(masked, 'utf8');
}
