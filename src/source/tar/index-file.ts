/**
 * Index the members of an uncompressed tar file by reading only its headers (seeking over data), so that
 * an image archive's blobs can be streamed individually, in any order, without reading the rest.
 */
import { open } from 'node:fs/promises';
import { normalizeEntryPath } from '../paths.js';
import {
  BLOCK,
  MAX_META_BYTES,
  TarFormatError,
  checksumOk,
  cString,
  isZeroBlock,
  parseOctal,
  parsePax,
} from './reader.js';

export interface TarMember {
  /** Normalised relative name without a leading `./` or `/` (e.g. `blobs/sha256/ab…`). */
  readonly name: string;
  /** Byte offset of the member's data in the file. */
  readonly offset: number;
  readonly size: number;
  readonly typeflag: string;
  readonly linkName: string;
}

/** Read every header of `path`. Throws TarFormatError for a file that is not a tar or is truncated. */
export async function indexTarFile(path: string): Promise<Map<string, TarMember>> {
  const fh = await open(path, 'r');
  try {
    const { size: fileSize } = await fh.stat();
    const members = new Map<string, TarMember>();
    const block = Buffer.alloc(BLOCK);
    let pos = 0;
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax: Map<string, string> | undefined;
    let zeros = 0;
    while (pos + BLOCK <= fileSize) {
      const { bytesRead } = await fh.read(block, 0, BLOCK, pos);
      if (bytesRead < BLOCK) break;
      pos += BLOCK;
      if (isZeroBlock(block)) {
        if (++zeros >= 2) break;
        continue;
      }
      zeros = 0;
      if (!checksumOk(block)) {
        throw new TarFormatError(
          members.size === 0 ? 'not a tar archive' : `invalid tar header checksum at offset ${pos - BLOCK}`,
        );
      }
      const typeflag = String.fromCharCode(block[156] ?? 0);
      let size = parseOctal(block, 124, 12);
      const padded = size + ((BLOCK - (size % BLOCK)) % BLOCK);
      if (typeflag === 'x' || typeflag === 'L' || typeflag === 'K' || typeflag === 'g') {
        if (size > MAX_META_BYTES)
          throw new TarFormatError(`extended header of ${size} bytes exceeds the limit`);
        const data = Buffer.alloc(size);
        const r = await fh.read(data, 0, size, pos);
        if (r.bytesRead < size)
          throw new TarFormatError('unexpected end of archive inside an extended header');
        if (typeflag === 'x') pax = parsePax(data);
        else if (typeflag === 'L') longName = cString(data, 0, data.length);
        else if (typeflag === 'K') longLink = cString(data, 0, data.length);
        pos += padded;
        continue;
      }
      let name = cString(block, 0, 100);
      if (block.toString('ascii', 257, 262) === 'ustar') {
        const prefix = cString(block, 345, 155);
        if (prefix) name = `${prefix}/${name}`;
      }
      let linkName = cString(block, 157, 100);
      if (longName !== undefined) name = longName;
      if (longLink !== undefined) linkName = longLink;
      if (pax?.has('path')) name = pax.get('path')!;
      if (pax?.has('linkpath')) linkName = pax.get('linkpath')!;
      const paxSize = pax?.get('size');
      if (paxSize && /^\d+$/.test(paxSize)) size = Number(paxSize);
      longName = longLink = pax = undefined;
      const dataPadded = size + ((BLOCK - (size % BLOCK)) % BLOCK);
      if (pos + size > fileSize)
        throw new TarFormatError(`unexpected end of archive: member "${name}" is truncated`);
      const norm = normalizeEntryPath(name);
      if (norm.ok && norm.path !== '/') {
        members.set(norm.path.slice(1), { name: norm.path.slice(1), offset: pos, size, typeflag, linkName });
      }
      pos += dataPadded;
    }
    if (members.size === 0) throw new TarFormatError('not a tar archive (no entries)');
    return members;
  } finally {
    await fh.close();
  }
}
