import { describe, it, expect } from 'vitest';
import { buildElf, buildMachO, buildPe } from './test-support/build-exec.js';
import { detectExecFormat, parseExecutable, readVirtual, sectionData } from './exec-format.js';
import { TruncatedError } from './reader.js';

const SECTIONS = [
  { name: '.text', data: Buffer.from('code code code') },
  { name: '.note.x', data: Buffer.from('payload-bytes') },
];

describe('executable section readers', () => {
  it.each([
    ['elf64le', buildElf(SECTIONS), 'elf', 8],
    ['elf32be', buildElf(SECTIONS, { bits: 32, littleEndian: false }), 'elf', 4],
    ['pe32+', buildPe(SECTIONS), 'pe', 8],
    ['macho64', buildMachO(SECTIONS), 'macho', 8],
  ] as const)('%s: finds named sections and maps virtual addresses', (_n, bin, format, ptr) => {
    expect(detectExecFormat(bin)).toBe(format);
    const exe = parseExecutable(bin)!;
    expect(exe.format).toBe(format);
    expect(exe.ptrSize).toBe(ptr);
    expect(sectionData(bin, exe, '.note.x')?.toString()).toBe('payload-bytes');
    expect(sectionData(bin, exe, '.missing')).toBeUndefined();
    const s = exe.sections.find((x) => x.name === '.note.x')!;
    expect(readVirtual(bin, exe, s.addr + 8, 5)?.toString()).toBe('bytes');
    expect(readVirtual(bin, exe, 0x10, 4)).toBeUndefined();
  });

  it('rejects truncated tables with a TruncatedError, never reading out of bounds', () => {
    for (const bin of [buildElf(SECTIONS), buildPe(SECTIONS), buildMachO(SECTIONS)]) {
      for (const cut of [5, 40, 70, 130, bin.length - 30]) {
        try {
          const exe = parseExecutable(bin.subarray(0, cut));
          // Tables may survive a cut near the end; section data reads must then fail or succeed cleanly.
          if (exe)
            for (const s of exe.sections) {
              try {
                sectionData(bin.subarray(0, cut), exe, s.name);
              } catch (e) {
                expect(e).toBeInstanceOf(TruncatedError);
              }
            }
        } catch (err) {
          expect(err).toBeInstanceOf(TruncatedError);
        }
      }
    }
  });

  it('returns undefined for non-executables', () => {
    expect(parseExecutable(Buffer.from('#!/bin/sh\n'))).toBeUndefined();
    expect(detectExecFormat(Buffer.from('PK\x03\x04'))).toBeUndefined();
  });

  it('rejects absurd table counts', () => {
    const bin = buildElf(SECTIONS);
    bin.writeUInt16LE(60000, 0x3c); // e_shnum
    expect(() => parseExecutable(bin)).toThrow(/implausible ELF section count/);
  });
});
