/**
 * SBOM output formats, one module each, selected by `--format`. Every format redacts image
 * environment values (see ./redact.ts) and is deterministic for a pinned timestamp.
 */
import { UsageError } from '../../util/errors.js';
import type { Sbom } from '../../model/sbom.js';
import type { FormatOptions } from './common.js';
import { formatCycloneDx } from './cyclonedx.js';
import { formatJson } from './json.js';
import { formatSpdx } from './spdx.js';
import { formatTable } from './table.js';

export type { FormatOptions } from './common.js';
export { redactSource } from './redact.js';

import { SBOM_FORMATS, isSbomFormat, type SbomFormat } from './names.js';

export { SBOM_FORMATS, isSbomFormat, type SbomFormat } from './names.js';

const FORMATTERS: Record<SbomFormat, (sbom: Sbom, options: FormatOptions) => string> = {
  table: (sbom, options) => formatTable(sbom, { color: options.color ?? false }),
  json: (sbom) => formatJson(sbom),
  'cyclonedx-json': (sbom, options) => formatCycloneDx(sbom, options),
  'spdx-json': (sbom, options) => formatSpdx(sbom, options),
};

/** Render the SBOM in `format`; an unknown format (from an untyped caller) is a usage error. */
export function formatSbom(sbom: Sbom, format: SbomFormat, options: FormatOptions = {}): string {
  if (!isSbomFormat(format)) {
    throw new UsageError(
      `unknown SBOM format "${String(format)}" (expected one of: ${SBOM_FORMATS.join(', ')})`,
    );
  }
  return FORMATTERS[format](sbom, options);
}
