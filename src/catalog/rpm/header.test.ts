import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpmHeader, RpmHeaderError, Tag, TagType } from './header.js';
import { readRpmEntry, splitSourceRpm } from './package-info.js';
import { buildRpmFixtures, missingRpmTools, type RpmFixtures } from './test-support/rpm-fixtures.js';
import { prerequisite } from '../../test-support/require.js';

type Value = { type: number; count?: number; data: Buffer };
const str = (s: string): Value => ({ type: TagType.STRING, data: Buffer.from(`${s}\0`) });
const strs = (type: number, ...s: string[]): Value => ({
  type,
  count: s.length,
  data: Buffer.from(s.map((x) => `${x}\0`).join('')),
});
const int32 = (...n: number[]): Value => {
  const b = Buffer.alloc(4 * n.length);
  n.forEach((v, i) => b.writeUInt32BE(v, 4 * i));
  return { type: TagType.INT32, count: n.length, data: b };
};
const int16 = (...n: number[]): Value => {
  const b = Buffer.alloc(2 * n.length);
  n.forEach((v, i) => b.writeUInt16BE(v, 2 * i));
  return { type: TagType.INT16, count: n.length, data: b };
};

/** Encode a header blob from tag values (index entries in tag order, data packed without padding). */
function blob(tags: Record<number, Value>): Buffer {
  const entries: Buffer[] = [];
  const data: Buffer[] = [];
  let offset = 0;
  for (const [tag, v] of Object.entries(tags)) {
    const e = Buffer.alloc(16);
    e.writeUInt32BE(Number(tag), 0);
    e.writeUInt32BE(v.type, 4);
    e.writeUInt32BE(offset, 8);
    e.writeUInt32BE(v.count ?? 1, 12);
    entries.push(e);
    data.push(v.data);
    offset += v.data.length;
  }
  const head = Buffer.alloc(8);
  head.writeUInt32BE(entries.length, 0);
  head.writeUInt32BE(offset, 4);
  return Buffer.concat([head, ...entries, ...data]);
}

const GOOD = {
  [Tag.NAME]: str('zlib'),
  [Tag.VERSION]: str('1.2.11'),
  [Tag.RELEASE]: str('40.el9'),
  [Tag.EPOCH]: int32(0),
  [Tag.SUMMARY]: strs(TagType.I18NSTRING, 'compression library'),
  [Tag.SIZE]: int32(200_000),
  [Tag.ARCH]: str('x86_64'),
  [Tag.LICENSE]: str('zlib and Boost'),
  [Tag.SOURCERPM]: str('zlib-1.2.11-40.el9.src.rpm'),
  [Tag.DIRINDEXES]: int32(0, 0, 1),
  [Tag.BASENAMES]: strs(TagType.STRING_ARRAY, 'libz.so.1', 'libz.so.1.2.11', 'zlib'),
  [Tag.DIRNAMES]: strs(TagType.STRING_ARRAY, '/usr/lib64/', '/usr/share/doc/'),
  [Tag.FILEMODES]: int16(0o120777, 0o100755, 0o040755),
};

describe('RpmHeader', () => {
  it('reads strings, arrays and integers', () => {
    const h = RpmHeader.parse(blob(GOOD));
    expect(h.string(Tag.NAME)).toBe('zlib');
    expect(h.string(Tag.SUMMARY)).toBe('compression library');
    expect(h.strings(Tag.DIRNAMES)).toEqual(['/usr/lib64/', '/usr/share/doc/']);
    expect(h.ints(Tag.DIRINDEXES)).toEqual([0, 0, 1]);
    expect(h.int(Tag.SIZE)).toBe(200_000);
    expect(h.string(Tag.SIZE)).toBeUndefined(); // wrong type
    expect(h.int(Tag.VENDOR)).toBeUndefined(); // absent
  });

  it.each<[string, (b: Buffer) => Buffer, RegExp]>([
    ['short blob', () => Buffer.alloc(4), /too short/],
    ['zero index count', (b) => (b.writeUInt32BE(0, 0), b), /index count 0/],
    ['huge index count', (b) => (b.writeUInt32BE(0xffffffff, 0), b), /implausible header index count/],
    ['huge data length', (b) => (b.writeUInt32BE(0x7fffffff, 4), b), /implausible header data length/],
    ['data length past the blob', (b) => (b.writeUInt32BE(b.readUInt32BE(4) + 1, 4), b), /claims/],
    ['offset past the data', (b) => (b.writeUInt32BE(0x00ffffff, 8 + 8), b), /outside the data/],
    ['count too large for the data', (b) => (b.writeUInt32BE(0x40000000, 8 + 9 * 16 + 12), b), /do not fit/],
    ['unknown type', (b) => (b.writeUInt32BE(42, 8 + 4), b), /unknown type 42/],
  ])('rejects %s', (_, mutate, reason) => {
    const b = mutate(Buffer.from(blob(GOOD)));
    expect(() => RpmHeader.parse(b)).toThrow(RpmHeaderError);
    expect(() => RpmHeader.parse(b)).toThrow(reason);
  });

  it('rejects an unterminated string when it is read', () => {
    const b = blob({ [Tag.NAME]: { type: TagType.STRING, data: Buffer.from('abc') } });
    expect(() => RpmHeader.parse(b).string(Tag.NAME)).toThrow(/unterminated/);
  });
});

describe('readRpmEntry', () => {
  it('extracts the package and its non-directory files', () => {
    expect(readRpmEntry(blob(GOOD), true)).toEqual({
      name: 'zlib',
      version: '1.2.11',
      release: '40.el9',
      epoch: 0,
      arch: 'x86_64',
      sourceRpm: 'zlib-1.2.11-40.el9.src.rpm',
      license: 'zlib and Boost',
      summary: 'compression library',
      size: 200_000,
      files: ['/usr/lib64/libz.so.1', '/usr/lib64/libz.so.1.2.11'],
    });
    expect(readRpmEntry(blob(GOOD), false).files).toEqual([]);
  });

  it('reads OLDFILENAMES from very old packages', () => {
    const old = blob({
      [Tag.NAME]: str('ancient'),
      [Tag.VERSION]: str('1'),
      [Tag.OLDFILENAMES]: strs(TagType.STRING_ARRAY, '/bin/b', '/bin/a'),
    });
    expect(readRpmEntry(old, true).files).toEqual(['/bin/a', '/bin/b']);
  });

  it.each([
    ['no NAME', { [Tag.VERSION]: str('1') }, /no NAME/],
    ['no VERSION', { [Tag.NAME]: str('x') }, /no VERSION/],
    ['dirindex out of range', { ...GOOD, [Tag.DIRINDEXES]: int32(0, 0, 9) }, /no DIRNAMES entry/],
    [
      'dirindexes shorter than basenames',
      { ...GOOD, [Tag.DIRINDEXES]: int32(0) },
      /DIRINDEXES has 1 entries for 3 BASENAMES/,
    ],
  ])('rejects %s', (_, tags, reason) => {
    expect(() => readRpmEntry(blob(tags), true)).toThrow(reason);
  });
});

describe('splitSourceRpm', () => {
  it.each([
    ['bash-5.1.8-6.el9.src.rpm', { name: 'bash', version: '5.1.8-6.el9' }],
    ['python3-pip-21.3.1-1.el9.nosrc.rpm', { name: 'python3-pip', version: '21.3.1-1.el9' }],
    ['nodashes.src.rpm', undefined],
  ])('%s', (srpm, expected) => {
    expect(splitSourceRpm(srpm)).toEqual(expected);
  });
});

const missing = missingRpmTools();
describe.skipIf(
  !prerequisite(
    missing === undefined,
    `rpm header tests: ${missing} is not installed (apt-get install -y rpm)`,
  ),
)('header parsing of mutated real headers', () => {
  let fx: RpmFixtures;
  beforeAll(() => {
    fx = buildRpmFixtures();
  }, 60_000);
  afterAll(() => fx?.cleanup());

  it('never fails with anything but RpmHeaderError', () => {
    // Deterministic xorshift so a failure is reproducible.
    let seed = 0x2545f491;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    let parsed = 0;
    for (let round = 0; round < 3000; round++) {
      const source = fx.blobs[round % fx.blobs.length]!;
      const b = Buffer.from(source.subarray(0, round % 7 === 0 ? rand(source.length) : source.length));
      for (let k = 0; k < 1 + rand(6); k++)
        if (b.length > 0) b[rand(Math.min(b.length, 8 + 16 * 40))] = rand(256);
      try {
        readRpmEntry(b, true);
        parsed++;
      } catch (err) {
        expect(err).toBeInstanceOf(RpmHeaderError);
      }
    }
    expect(parsed).toBeGreaterThan(0);
  });
});
