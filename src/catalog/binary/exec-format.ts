/**
 * Minimal readers for the section and segment tables of ELF, PE and Mach-O executables: just enough
 * to find a named section (`.go.buildinfo`, `.dep-v0`) and to translate virtual addresses to file
 * offsets. All reads are bounds-checked; tables with absurd counts are rejected.
 */
import { ByteReader, TruncatedError } from './reader.js';

export type ExecFormat = 'elf' | 'pe' | 'macho';

export interface Section {
  readonly name: string;
  /** Virtual address when loaded (absolute, image base included for PE). */
  readonly addr: number;
  /** File offset of the section's bytes; `fileSize` 0 for sections without file data (bss). */
  readonly offset: number;
  readonly fileSize: number;
}

export interface Executable {
  readonly format: ExecFormat;
  readonly littleEndian: boolean;
  /** Pointer size of the target: 4 or 8. */
  readonly ptrSize: 4 | 8;
  readonly sections: readonly Section[];
  /** Loadable ranges (ELF PT_LOAD, Mach-O segments, PE sections) for address translation. */
  readonly segments: readonly Section[];
}

/** Upper bound on table sizes: real binaries have at most a few hundred sections. */
const MAX_TABLE = 4096;

/** Cheap magic test: is this buffer (or its first bytes) an ELF, PE or thin Mach-O file? */
export function detectExecFormat(head: Uint8Array): ExecFormat | undefined {
  if (head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46)
    return 'elf';
  if (head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a) return 'pe';
  if (head.length >= 4) {
    const le = (head[0]! | (head[1]! << 8) | (head[2]! << 16) | (head[3]! << 24)) >>> 0;
    if (le === 0xfeedface || le === 0xfeedfacf || le === 0xcefaedfe || le === 0xcffaedfe) return 'macho';
  }
  return undefined;
}

/** Parse the tables of an executable; undefined when the format is not recognised. Throws on truncation. */
export function parseExecutable(buf: Buffer): Executable | undefined {
  switch (detectExecFormat(buf)) {
    case 'elf':
      return parseElf(buf);
    case 'pe':
      return parsePe(buf);
    case 'macho':
      return parseMachO(buf);
    default:
      return undefined;
  }
}

/** The bytes of the named section, or undefined when absent. */
export function sectionData(buf: Buffer, exe: Executable, name: string): Buffer | undefined {
  const s = exe.sections.find((x) => x.name === name);
  if (!s || s.fileSize === 0) return undefined;
  return new ByteReader(buf, exe.littleEndian).slice(s.offset, s.fileSize);
}

/** Read `len` bytes at virtual address `addr`; undefined when no loaded range covers it. */
export function readVirtual(buf: Buffer, exe: Executable, addr: number, len: number): Buffer | undefined {
  for (const s of [...exe.segments, ...exe.sections]) {
    // Sections at address 0 are not loaded (ELF symbol/string tables): they map nothing.
    if (s.addr === 0) continue;
    if (addr >= s.addr && addr + len <= s.addr + s.fileSize) {
      return new ByteReader(buf, exe.littleEndian).slice(s.offset + (addr - s.addr), len);
    }
  }
  return undefined;
}

function checkCount(n: number, what: string): void {
  if (n > MAX_TABLE) throw new TruncatedError(`implausible ${what} count ${n}`);
}

function parseElf(buf: Buffer): Executable {
  const head = new ByteReader(buf, true);
  const cls = head.u8(4);
  const data = head.u8(5);
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2))
    throw new TruncatedError('invalid ELF identification');
  const r = new ByteReader(buf, data === 1);
  const is64 = cls === 2;
  const phoff = is64 ? r.u64(0x20) : r.u32(0x1c);
  const shoff = is64 ? r.u64(0x28) : r.u32(0x20);
  const phentsize = r.u16(is64 ? 0x36 : 0x2a);
  const phnum = r.u16(is64 ? 0x38 : 0x2c);
  const shentsize = r.u16(is64 ? 0x3a : 0x2e);
  const shnum = r.u16(is64 ? 0x3c : 0x30);
  const shstrndx = r.u16(is64 ? 0x3e : 0x32);
  checkCount(phnum, 'ELF program header');
  checkCount(shnum, 'ELF section');

  const segments: Section[] = [];
  if (phoff > 0) {
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * phentsize;
      if (r.u32(o) !== 1) continue; // PT_LOAD only
      const offset = is64 ? r.u64(o + 8) : r.u32(o + 4);
      const vaddr = is64 ? r.u64(o + 16) : r.u32(o + 8);
      const filesz = is64 ? r.u64(o + 32) : r.u32(o + 16);
      segments.push({ name: '', addr: vaddr, offset, fileSize: clampSize(buf, offset, filesz) });
    }
  }

  const raw: { nameOff: number; type: number; addr: number; offset: number; size: number }[] = [];
  if (shoff > 0 && shnum > 0) {
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      raw.push({
        nameOff: r.u32(o),
        type: r.u32(o + 4),
        addr: is64 ? r.u64(o + 16) : r.u32(o + 12),
        offset: is64 ? r.u64(o + 24) : r.u32(o + 16),
        size: is64 ? r.u64(o + 32) : r.u32(o + 20),
      });
    }
  }
  const strtab = raw[shstrndx];
  const sections: Section[] = raw.map((s) => ({
    name: strtab && strtab.type !== 8 ? r.cstr(strtab.offset + s.nameOff, 256) : '',
    addr: s.addr,
    offset: s.offset,
    // SHT_NOBITS (8) occupies no file space.
    fileSize: s.type === 8 ? 0 : s.size,
  }));
  return { format: 'elf', littleEndian: data === 1, ptrSize: is64 ? 8 : 4, sections, segments };
}

/** Segment sizes are trusted only as far as the file goes (truncated files still map what they have). */
function clampSize(buf: Buffer, offset: number, size: number): number {
  if (offset >= buf.length) return 0;
  return Math.min(size, buf.length - offset);
}

function parsePe(buf: Buffer): Executable {
  const r = new ByteReader(buf, true);
  const peOff = r.u32(0x3c);
  if (r.u32(peOff) !== 0x00004550) throw new TruncatedError('MZ file without a PE header');
  const coff = peOff + 4;
  const nsections = r.u16(coff + 2);
  const symtab = r.u32(coff + 8);
  const nsyms = r.u32(coff + 12);
  const optSize = r.u16(coff + 16);
  checkCount(nsections, 'PE section');
  const opt = coff + 20;
  const magic = optSize >= 2 ? r.u16(opt) : 0;
  const is64 = magic === 0x20b;
  const imageBase = magic === 0x20b ? r.u64(opt + 24) : magic === 0x10b ? r.u32(opt + 28) : 0;
  const table = opt + optSize;
  const sections: Section[] = [];
  for (let i = 0; i < nsections; i++) {
    const o = table + i * 40;
    let name = r.cstr(o, 8);
    // Long names are `/<decimal offset>` into the COFF string table that follows the symbols.
    if (/^\/\d+$/.test(name) && symtab > 0) {
      name = r.cstr(symtab + nsyms * 18 + Number(name.slice(1)), 256);
    }
    const vsize = r.u32(o + 8);
    const vaddr = r.u32(o + 12);
    const rawSize = r.u32(o + 16);
    const rawPtr = r.u32(o + 20);
    const fileSize = vsize > 0 ? Math.min(vsize, rawSize) : rawSize;
    sections.push({ name, addr: imageBase + vaddr, offset: rawPtr, fileSize: rawPtr === 0 ? 0 : fileSize });
  }
  return { format: 'pe', littleEndian: true, ptrSize: is64 ? 8 : 4, sections, segments: sections };
}

function parseMachO(buf: Buffer): Executable {
  const magicLe = buf.readUInt32LE(0);
  const littleEndian = magicLe === 0xfeedface || magicLe === 0xfeedfacf;
  const r = new ByteReader(buf, littleEndian);
  const magic = r.u32(0);
  const is64 = magic === 0xfeedfacf;
  const ncmds = r.u32(16);
  checkCount(ncmds, 'Mach-O load command');
  let off = is64 ? 32 : 28;
  const sections: Section[] = [];
  const segments: Section[] = [];
  for (let i = 0; i < ncmds; i++) {
    const cmd = r.u32(off);
    const size = r.u32(off + 4);
    if (size < 8) throw new TruncatedError('invalid Mach-O load command size');
    if (cmd === 0x19 || cmd === 0x1) {
      const seg64 = cmd === 0x19;
      const segname = r.cstr(off + 8, 16);
      const vmaddr = seg64 ? r.u64(off + 24) : r.u32(off + 24);
      const fileoff = seg64 ? r.u64(off + 40) : r.u32(off + 32);
      const filesize = seg64 ? r.u64(off + 48) : r.u32(off + 36);
      const nsects = r.u32(off + (seg64 ? 64 : 48));
      checkCount(nsects, 'Mach-O section');
      segments.push({
        name: segname,
        addr: vmaddr,
        offset: fileoff,
        fileSize: clampSize(buf, fileoff, filesize),
      });
      let so = off + (seg64 ? 72 : 56);
      for (let j = 0; j < nsects; j++) {
        const sectname = r.cstr(so, 16);
        const addr = seg64 ? r.u64(so + 32) : r.u32(so + 32);
        const ssize = seg64 ? r.u64(so + 40) : r.u32(so + 36);
        const soff = r.u32(so + (seg64 ? 48 : 40));
        const flags = r.u32(so + (seg64 ? 64 : 56));
        // S_ZEROFILL (1) and friends have no bytes in the file.
        const zerofill = (flags & 0xff) === 1 || (flags & 0xff) === 0xc || (flags & 0xff) === 0x12;
        sections.push({ name: sectname, addr, offset: soff, fileSize: zerofill ? 0 : ssize });
        so += seg64 ? 80 : 68;
      }
    }
    off += size;
  }
  return { format: 'macho', littleEndian, ptrSize: is64 ? 8 : 4, sections, segments };
}
