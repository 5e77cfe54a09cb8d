/** Helpers for writing rules as data: case-insensitive words and the "NAME = value" context shape. */
import type { SecretRule, Severity } from '../types.js';

export interface RuleInput extends Omit<SecretRule, 'family' | 'placeholder'> {
  /** Defaults to the first example with every random part replaced by `x`. */
  readonly placeholder?: string;
}

/** A template with each `{…}` replaced by as many `x` as it would produce characters. */
export function xTemplate(template: string): string {
  return template.replace(/\{([A-Za-z]+)(?::(\d+))?\}/g, (_w, kind: string, len?: string) => {
    const n = len ? Number(len) : kind === 'gh' ? 36 : kind === 'uuid' ? 36 : 60;
    return 'x'.repeat(n);
  });
}

export function family(name: string, rules: readonly RuleInput[]): SecretRule[] {
  return rules.map((r) => ({
    ...r,
    family: name,
    placeholder: r.placeholder ?? xTemplate(r.examples[0] ?? ''),
  }));
}

/** `aws` → `[aA][wW][sS]`: case-insensitive words without making the whole regex (and the secret) /i. */
export function ci(word: string): string {
  return word.replace(/[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`).replace(/[.]/g, '\\.');
}

/** Separator between a variable name and its value: `=`, `:`, `:=`, `=>`, quotes and spaces. */
export const ASSIGN = String.raw`[\w.-]{0,30}?["'\]]{0,2}\s{0,5}(?:=|:=|:|=>|\s)\s{0,5}["'\x60]?`;

/** The secret must end at a token boundary. */
export const END = String.raw`(?![A-Za-z0-9_+/-])`;

export interface ContextualInput {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** Lower-case names that precede the value (also the keywords). */
  readonly names: readonly string[];
  /** Regex source of the secret itself. */
  readonly secret: string;
  readonly examples: readonly string[];
  readonly minEntropy?: number;
  readonly validate?: SecretRule['validate'];
  readonly placeholder?: string;
}

/** A secret with no recognisable prefix, found only after its service's name: `SERVICE_KEY = value`. */
export function contextual(input: ContextualInput): RuleInput {
  const names = input.names.map(ci).join('|');
  return {
    id: input.id,
    title: input.title,
    severity: input.severity,
    keywords: input.names,
    regex: new RegExp(String.raw`(?:${names})${ASSIGN}(?<secret>${input.secret})${END}`),
    minEntropy: input.minEntropy ?? 3,
    ...(input.validate ? { validate: input.validate } : {}),
    examples: input.examples,
    ...(input.placeholder ? { placeholder: input.placeholder } : {}),
  };
}

/** A token with a distinctive literal prefix: `prefix` + body; the prefix (lower-cased) is the keyword. */
export function prefixed(input: {
  id: string;
  title: string;
  severity: Severity;
  prefix: string;
  body: string;
  examples: readonly string[];
  minEntropy?: number;
  validate?: SecretRule['validate'];
  keywords?: readonly string[];
  placeholder?: string;
}): RuleInput {
  const escaped = input.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return {
    id: input.id,
    title: input.title,
    severity: input.severity,
    keywords: input.keywords ?? [input.prefix.toLowerCase()],
    regex: new RegExp(String.raw`(?<![A-Za-z0-9_])(?<secret>${escaped}${input.body})${END}`),
    ...(input.minEntropy !== undefined ? { minEntropy: input.minEntropy } : {}),
    ...(input.validate ? { validate: input.validate } : {}),
    examples: input.examples,
    ...(input.placeholder ? { placeholder: input.placeholder } : {}),
  };
}
