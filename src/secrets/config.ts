/**
 * The `secrets:` section of `.bulwark.yaml`: custom rules, disabled rules and allowlists.
 *
 * ```yaml
 * secrets:
 *   disable: [generic-token]
 *   rules:
 *     - id: corp-deploy-token
 *       title: Corp deploy token
 *       severity: high
 *       keywords: [cdt_]
 *       regex: 'cdt_(?<secret>[a-z0-9]{32})'
 *       minEntropy: 3
 *   allowlist:
 *     paths: ['test/fixtures/**']
 *     regexes: ['^AKIA0000']
 *     commits: ['4f2a9c1']
 * ```
 */
import picomatch from 'picomatch';
import { z } from 'zod';
import { InputError } from '../util/errors.js';
import { BUILTIN_RULES } from './rules/index.js';
import { SEVERITIES, type SecretRule } from './types.js';

const MAX_PATTERN = 2000;

const customRuleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case'),
  title: z.string().min(1).max(200),
  severity: z.enum(SEVERITIES),
  keywords: z.array(z.string().min(2).max(100)).min(1).max(50),
  regex: z.string().min(1).max(MAX_PATTERN),
  minEntropy: z.number().min(0).max(8).optional(),
  allowlist: z.array(z.string().max(MAX_PATTERN)).max(100).optional(),
});

export const secretsConfigSchema = z.strictObject({
  disable: z.array(z.string()).max(1000).default([]),
  rules: z.array(customRuleSchema).max(500).default([]),
  allowlist: z
    .strictObject({
      paths: z.array(z.string().min(1).max(1000)).max(1000).default([]),
      regexes: z.array(z.string().min(1).max(MAX_PATTERN)).max(1000).default([]),
      commits: z
        .array(z.string().regex(/^[0-9a-f]{4,40}$/i, 'must be a commit id'))
        .max(10000)
        .default([]),
    })
    .default({ paths: [], regexes: [], commits: [] }),
});

export type SecretsConfig = z.infer<typeof secretsConfigSchema>;

export interface ResolvedSecretsConfig {
  readonly rules: readonly SecretRule[];
  readonly allowRegexes: readonly RegExp[];
  readonly skipPath: (path: string) => boolean;
  readonly skipCommit: (id: string) => boolean;
}

function compile(pattern: string, where: string, source: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new InputError(
      'E_CONFIG',
      `${source}: ${where}: invalid regular expression: ${(err as Error).message}`,
    );
  }
}

/** Validate `data` (the whole parsed config file) and merge its `secrets:` section with the built-in rules. */
export function resolveSecretsConfig(
  data: Record<string, unknown>,
  source = '.bulwark.yaml',
): ResolvedSecretsConfig {
  const parsed = secretsConfigSchema.safeParse(data['secrets'] ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue ? ['secrets', ...issue.path].join('.') : 'secrets';
    throw new InputError('E_CONFIG', `${source}: ${at}: ${issue?.message ?? 'invalid'}`);
  }
  const cfg = parsed.data;
  const known = new Set(BUILTIN_RULES.map((r) => r.id));
  for (const id of cfg.disable) {
    if (!known.has(id) && !cfg.rules.some((r) => r.id === id))
      throw new InputError('E_CONFIG', `${source}: secrets.disable: unknown rule "${id}"`);
  }
  const custom: SecretRule[] = cfg.rules.map((r, i) => {
    if (known.has(r.id))
      throw new InputError('E_CONFIG', `${source}: secrets.rules[${i}].id: "${r.id}" is a built-in rule id`);
    return {
      id: r.id,
      title: r.title,
      severity: r.severity,
      family: 'custom',
      keywords: r.keywords.map((k) => k.toLowerCase()),
      regex: compile(r.regex, `secrets.rules[${i}].regex`, source),
      ...(r.minEntropy !== undefined ? { minEntropy: r.minEntropy } : {}),
      ...(r.allowlist
        ? { allowlist: r.allowlist.map((a, j) => compile(a, `secrets.rules[${i}].allowlist[${j}]`, source)) }
        : {}),
      examples: [],
      placeholder: '',
    };
  });
  const disabled = new Set(cfg.disable);
  const rules = [...BUILTIN_RULES, ...custom].filter((r) => !disabled.has(r.id));
  const pathMatchers = cfg.allowlist.paths.map((p) => picomatch(p, { dot: true }));
  const commits = cfg.allowlist.commits.map((c) => c.toLowerCase());
  return {
    rules,
    allowRegexes: cfg.allowlist.regexes.map((r, i) => compile(r, `secrets.allowlist.regexes[${i}]`, source)),
    skipPath: (path) => {
      const rel = path.replace(/^\/+/, '');
      return pathMatchers.some((m) => m(rel));
    },
    skipCommit: (id) => commits.some((c) => id.toLowerCase().startsWith(c)),
  };
}
