/**
 * SBOM output formats, one module each, selected by `--format`. Every format redacts image
 * environment values (see ./redact.ts) and is deterministic for a pinned timestamp.
 */
import { UsageError } from '../../util/errors.js';
import type { Sbom } from '../model.js';
import type { FormatOptions } from './common.js';
import { formatCycloneDx } from './cyclonedx.js';
import { formatJson } from './json.js';
import { formatSpdx } from './spdx.js';
import { formatTable } from './table.js';

export type { FormatOptions } from './common.js';
export { redactSource } from './redact.js';

export type SbomFormat = 'table' | 'json' | 'cyclonedx-json' | 'spdx-json';

/** Every format, in the order `--help` lists them. */
export const SBOM_FORMATS: readonly SbomFormat[] = ['table', 'json', 'cyclonedx-json', 'spdx-json'];

const FORMATTERS: Record<SbomFormat, (sbom: Sbom, options: FormatOptions) => string> = {
  table: (sbom, options) => formatTable(sbom, { color: options.color ?? false }),
  json: (sbom) => formatJson(sbom),
  'cyclonedx-json': (sbom, options) => formatCycloneDx(sbom, options),
  'spdx-json': (sbom, options) => formatSpdx(sbom, options),
};

/** Whether a `--format` value names an SBOM format. */
export function isSbomFormat(value: string): value is SbomFormat {
  return Object.hasOwn(FORMATTERS, value);
}

/** Render the SBOM in `format`; an unknown format (from an untyped caller) is a usage error. */
export function formatSbom(sbom: Sbom, format: SbomFormat, options: FormatOptions = {}): string {
  if (!isSbomFormat(format)) {
    throw new UsageError(
      `unknown SBOM format "${String(format)}" (expected one of: ${SBOM_FORMATS.join(', ')})`,
    );
  }
  return FORMATTERS[format](sbom, options);
}
