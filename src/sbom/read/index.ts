/**
 * Reading SBOMs back (`bulwark scan sbom://FILE`): Bulwark JSON (`bulwark-sbom/v1`), CycloneDX JSON
 * 1.4–1.6 (components with a `purl`) and SPDX 2.3 JSON (packages with a PACKAGE-MANAGER `purl`
 * external reference). Recognised by content. Packages that cannot be matched (no PURL, a PURL type
 * with no advisory source) become `unknowns`, never errors; a file that is not an SBOM is an error.
 */
import { InputError } from '../../util/errors.js';
import { readJsonFile } from '../../util/json-file.js';
import type { Sbom } from '../../model/sbom.js';
import { readBulwarkJson } from './bulwark-json.js';
import { readCycloneDx } from './cyclonedx.js';
import { readSpdx } from './spdx.js';

export const MAX_SBOM_BYTES = 512 * 1024 * 1024;

export type SbomInputFormat = 'bulwark-json' | 'cyclonedx-json' | 'spdx-json';

/** Which format a parsed document is in, or undefined. */
export function detectSbomFormat(doc: unknown): SbomInputFormat | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const d = doc as Record<string, unknown>;
  if (d.schema === 'bulwark-sbom/v1') return 'bulwark-json';
  if (d.bomFormat === 'CycloneDX') return 'cyclonedx-json';
  if (typeof d.spdxVersion === 'string' && d.spdxVersion.startsWith('SPDX-2.')) return 'spdx-json';
  return undefined;
}

/** Parse an SBOM document (already JSON-decoded). `target` and `path` describe where it came from. */
export function parseSbom(doc: unknown, target: string, path: string): Sbom {
  const format = detectSbomFormat(doc);
  const ctx = { target, path };
  switch (format) {
    case 'bulwark-json':
      return readBulwarkJson(doc as Record<string, unknown>, ctx);
    case 'cyclonedx-json':
      return readCycloneDx(doc as Record<string, unknown>, ctx);
    case 'spdx-json':
      return readSpdx(doc as Record<string, unknown>, ctx);
    default:
      throw new InputError('E_NOT_SBOM', `${target}: not a Bulwark, CycloneDX or SPDX JSON SBOM`);
  }
}

/** Read an SBOM file. */
export function readSbomFile(file: string, cwd: string = process.cwd(), target = `sbom://${file}`): Sbom {
  const { path, doc } = readJsonFile(file, cwd, {
    maxBytes: MAX_SBOM_BYTES,
    notFile: () => new InputError('E_NOT_FILE', `${file}: not a file`),
    tooLarge: () => new InputError('E_TOO_LARGE', `${file}: SBOM larger than ${MAX_SBOM_BYTES} bytes`),
    notJson: (detail) =>
      new InputError(
        'E_NOT_SBOM',
        `${file}: not JSON (${detail}); SBOM inputs must be Bulwark, CycloneDX or SPDX JSON`,
      ),
  });
  return parseSbom(doc, target, path);
}
