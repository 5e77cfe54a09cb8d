/**
 * The frame shared by the catalogers that read compiled executables (Go build info, Rust
 * cargo-auditable): which paths they buffer, how large a file may be, the magic-byte check and
 * per-file error isolation. Each cataloger supplies only what it reads from one executable.
 */
import { ResultBuilder } from '../kit.js';
import type { Cataloger, CatalogFile } from '../types.js';
import { isExecutableCandidate } from './candidates.js';
import { detectExecFormat } from './exec-format.js';

/** Static executables with debug info (Go especially) are often larger than the default per-file cap. */
export const MAX_EXECUTABLE_BYTES = 512 * 1024 * 1024;

export interface ExecutableCatalogerSpec {
  /** Stable kebab-case id, e.g. `go-binary`. */
  readonly id: string;
  /** Bump when output changes: folded into cache keys. */
  readonly version: number;
  /** Byte strings of which a kept executable must contain one (see {@link Cataloger.contentMarkers}). */
  readonly contentMarkers: readonly Uint8Array[];
  /**
   * Add the packages of one executable (an ELF, PE or Mach-O file by its magic bytes) to `out`.
   * Executables of another kind are simply left alone; a throw makes the file an unknown.
   */
  catalogBinary(out: ResultBuilder, file: CatalogFile, buf: Buffer): void;
}

/** Declare a cataloger of compiled executables at the conventional install paths. */
export function executableCataloger(spec: ExecutableCatalogerSpec): Cataloger {
  return {
    id: spec.id,
    version: spec.version,
    maxFileSize: MAX_EXECUTABLE_BYTES,
    match: isExecutableCandidate,
    contentMarkers: spec.contentMarkers,
    async catalog(view) {
      const out = new ResultBuilder(spec.id);
      for (const file of view.files()) {
        await out.guard(file, async () => {
          const buf = await file.read();
          if (!detectExecFormat(buf.subarray(0, 4))) return;
          spec.catalogBinary(out, file, buf);
        });
      }
      return out.result();
    },
  };
}
