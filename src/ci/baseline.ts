/**
 * Baselines of `bulwark ci`: the fingerprints of the findings that already exist, so only what a
 * change introduces fails the build. Two files are read: a `bulwark ci -f json` report (e.g. from the
 * default branch's last run, schema `bulwark-ci/v1`) and a committed baseline file written by
 * `--write-baseline` (schema `bulwark-ci-baseline/v1`). Neither holds secret material.
 */
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { InputError, fsError } from '../util/errors.js';
import type { CiFinding } from './types.js';

const MAX_BASELINE_BYTES = 64 * 1024 * 1024;

const fingerprint = z.string().regex(/^[0-9a-f]{32}(?::\d+)?$/);

const baselineFileSchema = z.object({
  schema: z.literal('bulwark-ci-baseline/v1'),
  findings: z
    .array(
      z.object({
        fingerprint,
        check: z.string(),
        ruleId: z.string(),
        path: z.string().optional(),
      }),
    )
    .max(1_000_000),
});

const reportSchema = z.object({
  schema: z.literal('bulwark-ci/v1'),
  findings: z.array(z.object({ fingerprint })).max(1_000_000),
});

export type BaselineFile = z.infer<typeof baselineFileSchema>;

/** The fingerprints a baseline file or a CI JSON report holds. */
export function readCiBaseline(path: string): Set<string> {
  let text: string;
  try {
    if (statSync(path).size > MAX_BASELINE_BYTES)
      throw new InputError('E_BASELINE', `${path}: baseline larger than ${MAX_BASELINE_BYTES} bytes`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fsError(err, path);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InputError('E_BASELINE', `${path}: not valid JSON: ${(err as Error).message}`);
  }
  const asFile = baselineFileSchema.safeParse(data);
  if (asFile.success) return new Set(asFile.data.findings.map((f) => f.fingerprint));
  const asReport = reportSchema.safeParse(data);
  if (asReport.success) return new Set(asReport.data.findings.map((f) => f.fingerprint));
  throw new InputError(
    'E_BASELINE',
    `${path}: neither a bulwark ci baseline (bulwark-ci-baseline/v1) nor a bulwark ci JSON report (bulwark-ci/v1)`,
  );
}

/** Deterministic baseline content: one entry per fingerprint, sorted. */
export function buildCiBaseline(findings: readonly CiFinding[]): BaselineFile {
  const byFp = new Map<string, BaselineFile['findings'][number]>();
  for (const f of findings)
    if (!byFp.has(f.fingerprint))
      byFp.set(f.fingerprint, {
        fingerprint: f.fingerprint,
        check: f.check,
        ruleId: f.ruleId,
        ...(f.path !== undefined ? { path: f.path } : {}),
      });
  const entries = [...byFp.values()].sort((a, b) =>
    a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0,
  );
  return { schema: 'bulwark-ci-baseline/v1', findings: entries };
}
