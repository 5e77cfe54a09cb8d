/**
 * The Node.js runtime: the `node` executable (or Debian's `libnode.so`, which holds the code when
 * node is dynamically linked), and `include/node/node_version.h` when headers are installed.
 *
 * Signature in binaries: Node embeds `process.release` URLs (`nodejs.org/download/release/vX.Y.Z/`)
 * and its fetch User-Agent (`node.js/vX.Y.Z`); both carry the exact version.
 */
import type { Cataloger, CatalogFile } from '../types.js';
import { after, catalogRuntimes, type RuntimeFinding } from './runtime-package.js';

const ID = 'runtime-node';
const BINARY =
  /^(?:\/usr(?:\/local)?)?\/bin\/(?:node|nodejs)$|^\/opt\/[^/]+\/bin\/node$|^\/usr\/(?:local\/)?lib\/(?:[^/]+\/)?libnode\.so(?:\.\d+)*$/;
const HEADER = /\/include\/node\/node_version\.h$/;
const VERSION = /^(\d+\.\d+\.\d+)(?![\d.])/;

export const nodeRuntimeCataloger: Cataloger = {
  id: ID,
  version: 1,
  maxFileSize: 512 * 1024 * 1024,
  match: (path) => BINARY.test(path) || HEADER.test(path),
  catalog: (view) =>
    catalogRuntimes(ID, view, (file, buf) => {
      const version = HEADER.test(file.path) ? fromHeader(buf.toString('utf8')) : fromBinary(buf);
      return version ? finding(file, version) : undefined;
    }),
};

function finding(file: CatalogFile, version: string): RuntimeFinding {
  return { name: 'node', version, cpe: 'nodejs:node.js', licenses: ['MIT'], file };
}

/** The version from `NODE_MAJOR_VERSION`/`MINOR`/`PATCH` defines. */
export function fromHeader(text: string): string | undefined {
  const get = (k: string) => new RegExp(`^#define\\s+NODE_${k}_VERSION\\s+(\\d+)\\s*$`, 'm').exec(text)?.[1];
  const [a, b, c] = [get('MAJOR'), get('MINOR'), get('PATCH')];
  return a && b && c ? `${a}.${b}.${c}` : undefined;
}

export function fromBinary(buf: Buffer): string | undefined {
  for (const marker of ['nodejs.org/download/release/v', 'node.js/v']) {
    for (const tail of after(buf, marker, 24)) {
      const m = VERSION.exec(tail);
      if (m) return m[1];
    }
  }
  return undefined;
}
