/**
 * The Go toolchain installed in an image: `GOROOT/VERSION` (`go1.22.3` on its first line) under
 * `/usr/local/go`, `/usr/lib/go-*` (Debian) and `/usr/lib/go`.
 */
import type { Cataloger } from '../types.js';
import { catalogRuntimes } from './runtime-package.js';

const ID = 'runtime-go';
const VERSION_FILE = /^\/(?:usr\/local\/go|usr\/lib\/go(?:-[\d.]+)?|usr\/local\/go[\d.]+|opt\/go)\/VERSION$/;

export const goRuntimeCataloger: Cataloger = {
  id: ID,
  version: 1,
  maxFileSize: 64 * 1024,
  match: (path) => VERSION_FILE.test(path),
  catalog: (view) =>
    catalogRuntimes(ID, view, (file, buf) => {
      const first = buf.toString('utf8').split(/\r?\n/)[0]!.trim();
      const m = /^go(\d+(?:\.\d+){0,2}(?:(?:rc|beta)\d+)?)$/.exec(first);
      if (!m) throw new Error(`unexpected Go VERSION line ${JSON.stringify(first.slice(0, 40))}`);
      return { name: 'go', version: m[1]!, cpe: 'golang:go', licenses: ['BSD-3-Clause'], file };
    }),
};
