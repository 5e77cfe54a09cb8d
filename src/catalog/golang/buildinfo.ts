/**
 * Decoder for the build information the Go linker embeds in every binary (`go version -m`).
 *
 * The blob starts with the 14-byte magic `\xff Go buildinf:`, a pointer size byte and a flags byte
 * (32-byte header, 16-byte aligned). Since Go 1.18 (flag bit 2) the toolchain version and the module
 * info follow inline as uvarint-length strings; before that the header holds two pointers to Go string
 * headers that must be resolved through the executable's address map.
 */
import { ByteReader, TruncatedError } from '../binary/reader.js';
import { parseExecutable, readVirtual, sectionData, type Executable } from '../binary/exec-format.js';

export const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_SIZE = 32;
const FLAG_BIG_ENDIAN = 0x1;
const FLAG_INLINE = 0x2;
/** Longest string we accept from a binary: module lists of huge programs stay well below this. */
const MAX_STRING = 8 * 1024 * 1024;

export interface BuildInfoRaw {
  /** Toolchain version, e.g. `go1.22.3`. */
  goVersion: string;
  /** The module info text (`path`, `mod`, `dep`, `=>`, `build` lines); empty when built without modules. */
  modinfo: string;
}

export class BuildInfoError extends Error {
  override readonly name = 'BuildInfoError';
}

/** Section names holding build info per format. */
const SECTIONS = ['.go.buildinfo', '__go_buildinfo'];

/**
 * Find and decode the build info of a Go executable. Returns undefined when the file is an executable
 * but not a Go one (no magic); throws {@link BuildInfoError}/{@link TruncatedError} when it is damaged.
 */
export function readBuildInfo(buf: Buffer): BuildInfoRaw | undefined {
  const exe = parseExecutable(buf);
  if (!exe) return undefined;
  for (const name of SECTIONS) {
    const data = sectionData(buf, exe, name);
    if (
      data &&
      data.length >= BUILDINFO_MAGIC.length &&
      data.subarray(0, BUILDINFO_MAGIC.length).equals(BUILDINFO_MAGIC)
    ) {
      return decodeBlob(buf, exe, data);
    }
  }
  // No section table (stripped) or PE/old formats keeping it in .data: scan for the aligned magic.
  let at = buf.indexOf(BUILDINFO_MAGIC);
  while (at >= 0) {
    if (at % 16 === 0 || exe.format === 'pe') {
      const blob = buf.subarray(at);
      const ptrSize = blob.length > 14 ? blob[14] : undefined;
      if (ptrSize === 4 || ptrSize === 8) return decodeBlob(buf, exe, blob);
    }
    at = buf.indexOf(BUILDINFO_MAGIC, at + 1);
  }
  return undefined;
}

function decodeBlob(buf: Buffer, exe: Executable, blob: Buffer): BuildInfoRaw {
  if (blob.length < HEADER_SIZE) throw new BuildInfoError('truncated Go build info header');
  const ptrSize = blob[14];
  const flags = blob[15]!;
  if (flags & FLAG_INLINE) {
    let pos = HEADER_SIZE;
    const version = readVarString(blob, pos);
    pos = version.next;
    const mod = readVarString(blob, pos);
    return { goVersion: checkVersion(version.text), modinfo: stripSentinels(mod.text) };
  }
  if (ptrSize !== 4 && ptrSize !== 8)
    throw new BuildInfoError(`invalid pointer size ${String(ptrSize)} in Go build info`);
  const r = new ByteReader(blob, (flags & FLAG_BIG_ENDIAN) === 0);
  const versionAddr = r.ptr(16, ptrSize);
  const modAddr = r.ptr(16 + ptrSize, ptrSize);
  const goVersion = readGoString(buf, exe, r.littleEndian, ptrSize, versionAddr);
  const modinfo = readGoString(buf, exe, r.littleEndian, ptrSize, modAddr);
  return { goVersion: checkVersion(goVersion), modinfo: stripSentinels(modinfo) };
}

function checkVersion(v: string): string {
  if (!/^go\d/.test(v) && !/^devel /.test(v))
    throw new BuildInfoError(`unexpected Go version string ${JSON.stringify(v.slice(0, 40))}`);
  return v;
}

/** A Go string header (data pointer, length) at `addr`, resolved to its bytes. */
function readGoString(buf: Buffer, exe: Executable, le: boolean, ptrSize: 4 | 8, addr: number): string {
  const hdr = readVirtual(buf, exe, addr, ptrSize * 2);
  if (!hdr) throw new BuildInfoError(`Go build info points outside the file (0x${addr.toString(16)})`);
  const r = new ByteReader(hdr, le);
  const data = r.ptr(0, ptrSize);
  const len = r.ptr(ptrSize, ptrSize);
  if (len === 0) return '';
  if (len > MAX_STRING) throw new BuildInfoError(`Go build info string too long (${len} bytes)`);
  const bytes = readVirtual(buf, exe, data, len);
  if (!bytes) throw new BuildInfoError(`Go build info string outside the file (0x${data.toString(16)})`);
  return bytes.toString('utf8');
}

/** An unsigned LEB128 length followed by that many bytes. */
function readVarString(blob: Buffer, pos: number): { text: string; next: number } {
  let len = 0;
  let shift = 0;
  for (;;) {
    if (pos >= blob.length) throw new TruncatedError('truncated Go build info (length)');
    const b = blob[pos++]!;
    len += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
    if (shift > 35) throw new BuildInfoError('invalid varint in Go build info');
  }
  if (len > MAX_STRING) throw new BuildInfoError(`Go build info string too long (${len} bytes)`);
  if (pos + len > blob.length) throw new TruncatedError('truncated Go build info (string)');
  return { text: blob.toString('utf8', pos, pos + len), next: pos + len };
}

/** The module info is wrapped in 16-byte sentinels so the linker can find it; drop them. */
function stripSentinels(mod: string): string {
  if (mod.length >= 33 && mod[mod.length - 17] === '\n') return mod.slice(16, mod.length - 16);
  return mod;
}
