/**
 * Baselines: a file of accepted findings' fingerprints, so CI fails only on new secrets. The file holds
 * no secret material — fingerprints are truncated sha256 hashes salted with the rule id.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError, fsError } from '../util/errors.js';
import type { RedactedFinding } from './types.js';

const MAX_BASELINE_BYTES = 32 * 1024 * 1024;

const baselineSchema = z.object({
  version: z.literal(1),
  findings: z
    .array(
      z.object({
        fingerprint: z.string().regex(/^[0-9a-f]{16}$/),
        ruleId: z.string(),
        path: z.string().optional(),
      }),
    )
    .max(1_000_000),
});

export type Baseline = z.infer<typeof baselineSchema>;

export function readBaseline(path: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fsError(err, path);
  }
  if (text.length > MAX_BASELINE_BYTES)
    throw new InputError('E_BASELINE', `${path}: baseline larger than ${MAX_BASELINE_BYTES} bytes`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InputError('E_BASELINE', `${path}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = baselineSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      'E_BASELINE',
      `${path}: not a Bulwark secrets baseline (${issue?.path.join('.') || 'root'}: ${issue?.message ?? 'invalid'})`,
    );
  }
  return new Set(parsed.data.findings.map((f) => `${f.ruleId}:${f.fingerprint}`));
}

export function baselineKey(f: Pick<RedactedFinding, 'ruleId' | 'secret'>): string {
  return `${f.ruleId}:${f.secret.fingerprint}`;
}

/** Deterministic baseline content: one entry per (rule, fingerprint), sorted. */
export function buildBaseline(findings: readonly RedactedFinding[]): Baseline {
  const byKey = new Map<string, { fingerprint: string; ruleId: string; path: string }>();
  for (const f of findings) {
    const key = baselineKey(f);
    const prev = byKey.get(key);
    if (!prev || f.path < prev.path)
      byKey.set(key, { fingerprint: f.secret.fingerprint, ruleId: f.ruleId, path: f.path });
  }
  const entries = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  return { version: 1, findings: entries };
}

export function writeBaseline(path: string, findings: readonly RedactedFinding[]): void {
  try {
    writeFileSync(path, `${JSON.stringify(buildBaseline(findings), null, 2)}\n`);
  } catch (err) {
    throw fsError(err, path);
  }
}
