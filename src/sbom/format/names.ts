/** The SBOM format names, kept apart from the formatters so the CLI can list them without loading them. */

export type SbomFormat = 'table' | 'json' | 'cyclonedx-json' | 'spdx-json';

/** Every format, in the order `--help` lists them. */
export const SBOM_FORMATS: readonly SbomFormat[] = ['table', 'json', 'cyclonedx-json', 'spdx-json'];

/** Whether a `--format` value names an SBOM format. */
export function isSbomFormat(value: string): value is SbomFormat {
  return (SBOM_FORMATS as readonly string[]).includes(value);
}
