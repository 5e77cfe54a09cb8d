/** The package fields Bulwark takes from an RPM header. */
import { RpmHeader, RpmHeaderError, Tag } from './header.js';

export interface RpmEntry {
  readonly name: string;
  readonly version: string;
  readonly release: string;
  readonly epoch?: number;
  readonly arch?: string;
  /** e.g. `bash-5.1.8-6.el9.src.rpm`. */
  readonly sourceRpm?: string;
  readonly license?: string;
  readonly vendor?: string;
  readonly packager?: string;
  readonly summary?: string;
  /** Installed size in bytes. */
  readonly size?: number;
  readonly modularityLabel?: string;
  /** Absolute paths of owned non-directory files, sorted (only when asked for). */
  readonly files: string[];
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

/** Read one header blob. Throws {@link RpmHeaderError} for malformed blobs or missing NAME/VERSION. */
export function readRpmEntry(blob: Buffer, withFiles: boolean): RpmEntry {
  const h = RpmHeader.parse(blob);
  const name = h.string(Tag.NAME);
  const version = h.string(Tag.VERSION);
  if (!name) throw new RpmHeaderError('header has no NAME');
  if (!version) throw new RpmHeaderError(`header of ${name} has no VERSION`);
  const entry: { -readonly [K in keyof RpmEntry]: RpmEntry[K] } = {
    name,
    version,
    release: h.string(Tag.RELEASE) ?? '',
    files: withFiles ? files(h) : [],
  };
  const opt = (tag: number): string | undefined => {
    const v = h.string(tag)?.trim();
    return v && v !== '(none)' ? v : undefined;
  };
  const epoch = h.int(Tag.EPOCH);
  if (epoch !== undefined) entry.epoch = epoch;
  const size = h.has(Tag.LONGSIZE) ? h.int(Tag.LONGSIZE) : h.int(Tag.SIZE);
  if (size !== undefined) entry.size = size;
  const strings: [keyof RpmEntry, number][] = [
    ['arch', Tag.ARCH],
    ['sourceRpm', Tag.SOURCERPM],
    ['license', Tag.LICENSE],
    ['vendor', Tag.VENDOR],
    ['packager', Tag.PACKAGER],
    ['summary', Tag.SUMMARY],
    ['modularityLabel', Tag.MODULARITYLABEL],
  ];
  for (const [key, tag] of strings) {
    const v = opt(tag);
    if (v !== undefined) (entry as Record<string, unknown>)[key] = v;
  }
  return entry;
}

/** Compressed file list (DIRNAMES + BASENAMES + DIRINDEXES), or OLDFILENAMES on very old packages. */
function files(h: RpmHeader): string[] {
  const modes = h.ints(Tag.FILEMODES);
  let paths: string[];
  const basenames = h.strings(Tag.BASENAMES);
  if (basenames.length > 0) {
    const dirnames = h.strings(Tag.DIRNAMES);
    const dirindexes = h.ints(Tag.DIRINDEXES);
    if (dirindexes.length !== basenames.length)
      throw new RpmHeaderError(
        `DIRINDEXES has ${dirindexes.length} entries for ${basenames.length} BASENAMES`,
      );
    paths = basenames.map((base, i) => {
      const dir = dirnames[dirindexes[i]!];
      if (dir === undefined)
        throw new RpmHeaderError(`DIRINDEXES entry ${dirindexes[i]} has no DIRNAMES entry`);
      return dir + base;
    });
  } else {
    paths = h.strings(Tag.OLDFILENAMES);
  }
  // Directories would make every package own every other package's files; FILEMODES parallels the list.
  const keep = paths.filter(
    (p, i) => p.startsWith('/') && (modes.length !== paths.length || (modes[i]! & S_IFMT) !== S_IFDIR),
  );
  return [...new Set(keep)].sort();
}

/** `bash-5.1.8-6.el9.src.rpm` → { name: bash, version: 5.1.8-6.el9 }. */
export function splitSourceRpm(srpm: string): { name: string; version: string } | undefined {
  const base = srpm.replace(/\.(no)?src\.rpm$/, '');
  const rel = base.lastIndexOf('-');
  const ver = rel > 0 ? base.lastIndexOf('-', rel - 1) : -1;
  if (ver <= 0) return undefined;
  return { name: base.slice(0, ver), version: base.slice(ver + 1) };
}
