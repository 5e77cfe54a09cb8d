/**
 * Redaction applied by every SBOM format before anything is written: image environment variables
 * routinely carry credentials (`AWS_SECRET_ACCESS_KEY=…`, `NPM_TOKEN=…`), so only their names leave
 * Bulwark. The same values also live in the image history as `ENV` instructions, so those are
 * redacted too.
 */
import type { ImageMetadata, LayerRef, SourceDescription } from '../../source/types.js';

/** What replaces a value that was removed. */
export const REDACTED = '<redacted>';

/** `NAME=value` → `NAME` (a bare `NAME` stays as is). */
export function envName(entry: string): string {
  const eq = entry.indexOf('=');
  return eq === -1 ? entry : entry.slice(0, eq);
}

/**
 * Split the arguments of an `ENV` instruction into words, honouring quotes and backslashes, and
 * keeping each word's raw text so only values are replaced.
 */
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
const ENV_INSTRUCTION = /^(\s*(?:\/bin\/sh -c #\(nop\)\s*)?ENV)(\s+)([\s\S]*)$/i;

/**
 * Redact the values of an `ENV` instruction recorded in image history (`createdBy`). Other
 * instructions are returned unchanged: they are the business of the secret scanner, not the SBOM.
 */
export function redactCreatedBy(createdBy: string): string;
export function redactCreatedBy(createdBy: string | undefined): string | undefined;
export function redactCreatedBy(createdBy: string | undefined): string | undefined {
  if (createdBy === undefined) return undefined;
  const m = ENV_INSTRUCTION.exec(createdBy);
  if (!m) return createdBy;
  const words = splitWords(m[3]!);
  if (words.length === 0) return createdBy;
  // Legacy form `ENV NAME value with spaces`: a single name, everything after it is the value.
  if (!words[0]!.includes('=')) return `${m[1]}${m[2]}${words[0]} ${REDACTED}`;
  const redacted = words.map((w) => (w.includes('=') ? `${envName(w)}=${REDACTED}` : REDACTED));
  return `${m[1]}${m[2]}${redacted.join(' ')}`;
}

/** A layer reference with its history text redacted. */
export function redactLayer(layer: LayerRef): LayerRef;
export function redactLayer(layer: LayerRef | undefined): LayerRef | undefined;
export function redactLayer(layer: LayerRef | undefined): LayerRef | undefined {
  if (!layer || layer.createdBy === undefined) return layer;
  return { ...layer, createdBy: redactCreatedBy(layer.createdBy) };
}

function redactImage(image: ImageMetadata): ImageMetadata {
  return {
    ...image,
    config: { ...image.config, env: image.config.env.map(envName) },
    history: image.history.map((h) =>
      h.createdBy === undefined ? h : { ...h, createdBy: redactCreatedBy(h.createdBy) },
    ),
    layers: image.layers.map((l) => redactLayer(l)),
  };
}

/**
 * The source description as every output format may show it: image environment variables reduced
 * to their names, `ENV` values in the history replaced by {@link REDACTED}. Idempotent.
 */
export function redactSource(source: SourceDescription): SourceDescription {
  if (source.kind !== 'image') return source;
  return { ...source, image: redactImage(source.image) };
}
