/**
 * Builders of minimal but structurally valid ELF, PE and Mach-O files for tests: a header, one load
 * segment covering the data, and named sections. Test-only.
 */

export interface TestSection {
  name: string;
  data: Buffer;
}

const BASE_ADDR = 0x400000;

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Lay out section bytes from `start`, 16-byte aligned; returns offsets and the concatenated data. */
function layout(sections: TestSection[], start: number): { offsets: number[]; body: Buffer; end: number } {
  const offsets: number[] = [];
  const parts: Buffer[] = [];
  let pos = start;
  for (const s of sections) {
    const at = align(pos, 16);
    if (at > pos) parts.push(Buffer.alloc(at - pos));
    offsets.push(at);
    parts.push(s.data);
    pos = at + s.data.length;
  }
  return { offsets, body: Buffer.concat(parts), end: pos };
}

export interface ElfOptions {
  bits?: 32 | 64;
  littleEndian?: boolean;
  /** Omit the section header table (as stripped/packed binaries may). */
  noSectionTable?: boolean;
}

/** An ELF executable with the given sections, mapped by one PT_LOAD segment at 0x400000. */
export function buildElf(sections: TestSection[], opts: ElfOptions = {}): Buffer {
  const is64 = (opts.bits ?? 64) === 64;
  const le = opts.littleEndian ?? true;
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const shentsize = is64 ? 64 : 40;
  const all = [...sections, { name: '.shstrtab', data: Buffer.alloc(0) }];
  // Section name string table.
  const names: number[] = [];
  let strtab = Buffer.from([0]);
  for (const s of all) {
    names.push(strtab.length);
    strtab = Buffer.concat([strtab, Buffer.from(s.name + '\0', 'latin1')]);
  }
  all[all.length - 1] = { name: '.shstrtab', data: strtab };
  const dataStart = ehsize + phentsize;
  const { offsets, body, end } = layout(all, dataStart);
  const shoff = opts.noSectionTable ? 0 : align(end, 8);
  const shnum = opts.noSectionTable ? 0 : all.length + 1;
  const total = opts.noSectionTable ? end : shoff + shnum * shentsize;
  const b = Buffer.alloc(total);
  const w16 = (v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const w32 = (v: number, o: number) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const wPtr = (v: number, o: number) =>
    is64 ? (le ? b.writeBigUInt64LE(BigInt(v), o) : b.writeBigUInt64BE(BigInt(v), o)) : w32(v, o);
  b.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1], 0);
  w16(2, 16); // ET_EXEC
  w16(is64 ? 62 : 3, 18); // x86-64 / i386
  w32(1, 20);
  if (is64) {
    wPtr(ehsize, 0x20); // e_phoff
    wPtr(shoff, 0x28); // e_shoff
    w16(ehsize, 0x34);
    w16(phentsize, 0x36);
    w16(1, 0x38);
    w16(shentsize, 0x3a);
    w16(shnum, 0x3c);
    w16(shnum ? shnum - 1 : 0, 0x3e);
  } else {
    w32(ehsize, 0x1c);
    w32(shoff, 0x20);
    w16(ehsize, 0x28);
    w16(phentsize, 0x2a);
    w16(1, 0x2c);
    w16(shentsize, 0x2e);
    w16(shnum, 0x30);
    w16(shnum ? shnum - 1 : 0, 0x32);
  }
  // One PT_LOAD mapping the whole file at BASE_ADDR.
  const ph = ehsize;
  w32(1, ph);
  if (is64) {
    w32(5, ph + 4);
    wPtr(0, ph + 8);
    wPtr(BASE_ADDR, ph + 16);
    wPtr(BASE_ADDR, ph + 24);
    wPtr(total, ph + 32);
    wPtr(total, ph + 40);
  } else {
    w32(0, ph + 4);
    w32(BASE_ADDR, ph + 8);
    w32(BASE_ADDR, ph + 12);
    w32(total, ph + 16);
    w32(total, ph + 20);
    w32(5, ph + 24);
  }
  body.copy(b, dataStart);
  if (!opts.noSectionTable) {
    all.forEach((s, i) => {
      const o = shoff + (i + 1) * shentsize; // index 0 is the null section
      w32(names[i]!, o);
      w32(s.name === '.shstrtab' ? 3 : 1, o + 4);
      if (is64) {
        wPtr(s.name === '.shstrtab' ? 0 : BASE_ADDR + offsets[i]!, o + 16);
        wPtr(offsets[i]!, o + 24);
        wPtr(s.data.length, o + 32);
      } else {
        w32(s.name === '.shstrtab' ? 0 : BASE_ADDR + offsets[i]!, o + 12);
        w32(offsets[i]!, o + 16);
        w32(s.data.length, o + 20);
      }
    });
  }
  return b;
}

/** The virtual address a section of {@link buildElf} output gets: find its offset in the file. */
export const ELF_BASE_ADDR = BASE_ADDR;

/** A PE32+ executable with the given sections (names up to 8 characters). */
export function buildPe(sections: TestSection[]): Buffer {
  const peOff = 0x80;
  const optSize = 240;
  const table = peOff + 24 + optSize;
  const { offsets, body, end } = layout(sections, align(table + sections.length * 40, 16));
  const b = Buffer.alloc(end);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(peOff, 0x3c);
  b.writeUInt32LE(0x00004550, peOff);
  b.writeUInt16LE(0x8664, peOff + 4);
  b.writeUInt16LE(sections.length, peOff + 6);
  b.writeUInt16LE(optSize, peOff + 20);
  b.writeUInt16LE(0x20b, peOff + 24);
  b.writeBigUInt64LE(0x140000000n, peOff + 24 + 24);
  const dataStart = align(table + sections.length * 40, 16);
  sections.forEach((s, i) => {
    const o = table + i * 40;
    b.write(s.name.slice(0, 8), o, 'latin1');
    b.writeUInt32LE(s.data.length, o + 8);
    b.writeUInt32LE(0x1000 * (i + 1), o + 12);
    b.writeUInt32LE(s.data.length, o + 16);
    b.writeUInt32LE(offsets[i]!, o + 20);
  });
  body.copy(b, dataStart);
  return b;
}

/** A 64-bit little-endian Mach-O with one `__DATA` segment holding the given sections. */
export function buildMachO(sections: TestSection[]): Buffer {
  const segSize = 72 + sections.length * 80;
  const header = 32;
  const { offsets, body, end } = layout(sections, align(header + segSize, 16));
  const dataStart = align(header + segSize, 16);
  const b = Buffer.alloc(end);
  b.writeUInt32LE(0xfeedfacf, 0);
  b.writeUInt32LE(0x01000007, 4);
  b.writeUInt32LE(2, 12); // MH_EXECUTE
  b.writeUInt32LE(1, 16); // ncmds
  b.writeUInt32LE(segSize, 20);
  const o = header;
  b.writeUInt32LE(0x19, o);
  b.writeUInt32LE(segSize, o + 4);
  b.write('__DATA', o + 8, 'latin1');
  b.writeBigUInt64LE(BigInt(BASE_ADDR), o + 24);
  b.writeBigUInt64LE(BigInt(end), o + 32);
  b.writeBigUInt64LE(0n, o + 40);
  b.writeBigUInt64LE(BigInt(end), o + 48);
  b.writeUInt32LE(sections.length, o + 64);
  sections.forEach((s, i) => {
    const so = o + 72 + i * 80;
    b.write(s.name.slice(0, 16), so, 'latin1');
    b.write('__DATA', so + 16, 'latin1');
    b.writeBigUInt64LE(BigInt(BASE_ADDR + offsets[i]!), so + 32);
    b.writeBigUInt64LE(BigInt(s.data.length), so + 40);
    b.writeUInt32LE(offsets[i]!, so + 48);
  });
  body.copy(b, dataStart);
  return b;
}

/** A Go ≥1.18 inline build info blob (header, uvarint strings, sentinel-wrapped modinfo). */
export function goBuildInfoBlob(goVersion: string, modinfo: string): Buffer {
  const header = Buffer.alloc(32);
  header.write('\xff Go buildinf:', 0, 'latin1');
  header[14] = 8;
  header[15] = 0x2;
  const wrapped = modinfo
    ? Buffer.concat([Buffer.alloc(16, 0x30), Buffer.from(modinfo), Buffer.alloc(16, 0x31)])
    : Buffer.alloc(0);
  // The sentinel check looks for '\n' 17 bytes before the end: modinfo text ends with a newline.
  return Buffer.concat([
    header,
    uvarint(Buffer.byteLength(goVersion)),
    Buffer.from(goVersion),
    uvarint(wrapped.length),
    wrapped,
  ]);
}

export function uvarint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}
