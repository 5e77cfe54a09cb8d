/**
 * The CPython runtime: `pythonX.Y` executables and `libpythonX.Y.so` libraries (which embed the
 * exact `PY_VERSION` as a NUL-terminated string), and `include/pythonX.Y/patchlevel.h`.
 */
import type { Cataloger } from '../types.js';
import { catalogRuntimes } from './runtime-package.js';

const ID = 'runtime-python';
const BINARY = /^(?:\/usr(?:\/local)?|\/opt\/[^/]+)?\/bin\/python(\d+\.\d+)$/;
const LIBRARY = /^\/(?:usr\/(?:local\/)?lib|opt\/[^/]+\/lib)\/(?:[^/]+\/)?libpython(\d+\.\d+)\.so(?:\.\d+)*$/;
const HEADER = /\/include\/python(\d+\.\d+)\/patchlevel\.h$/;

export const pythonRuntimeCataloger: Cataloger = {
  id: ID,
  version: 1,
  maxFileSize: 256 * 1024 * 1024,
  match: (path) => BINARY.test(path) || LIBRARY.test(path) || HEADER.test(path),
  catalog: (view) =>
    catalogRuntimes(ID, view, (file, buf) => {
      const header = HEADER.exec(file.path);
      const majorMinor = (header ?? BINARY.exec(file.path) ?? LIBRARY.exec(file.path))?.[1];
      if (!majorMinor) return;
      const version = header ? fromPatchlevel(buf.toString('utf8')) : fromBinary(buf, majorMinor);
      if (!version) return undefined;
      return { name: 'python', version, cpe: 'python:python', licenses: ['PSF-2.0'], file };
    }),
};

export function fromPatchlevel(text: string): string | undefined {
  return /^#define\s+PY_VERSION\s+"([^"]+)"/m.exec(text)?.[1];
}

/** The NUL-delimited `X.Y.Z` string (with pre-release suffix) for the known major.minor. */
export function fromBinary(buf: Buffer, majorMinor: string): string | undefined {
  const needle = Buffer.from(`\0${majorMinor}.`, 'latin1');
  let at = buf.indexOf(needle);
  while (at >= 0) {
    const end = buf.indexOf(0, at + 1);
    if (end > at && end - at < 24) {
      const s = buf.toString('latin1', at + 1, end);
      if (/^\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?\+?$/.test(s)) return s;
    }
    at = buf.indexOf(needle, at + 1);
  }
  return undefined;
}
