/**
 * What the hardened profile needs to know about an image's final filesystem — shells, package managers,
 * setuid/setgid files — gathered by a layer visitor riding the scan's single pass (no file content is
 * read: names, types and mode bits from the tar headers, merged through the shared layer merge, so a
 * file a later layer deleted does not count).
 */
import { FileTree } from '../../source/tree.js';
import type { EntryHeader, LayerRef, LayerVisitor } from '../../source/types.js';

/** Folders searched for shells and package managers (usr-merged images have them under /usr). */
export const BIN_DIRS = [
  '/bin',
  '/sbin',
  '/usr/bin',
  '/usr/sbin',
  '/usr/local/bin',
  '/usr/local/sbin',
] as const;

/** Interactive shells (busybox provides `sh`). */
export const SHELLS = [
  'ash',
  'bash',
  'busybox',
  'csh',
  'dash',
  'fish',
  'ksh',
  'mksh',
  'sh',
  'tcsh',
  'zsh',
] as const;

/** OS package managers and their low-level tools. */
export const PACKAGE_MANAGERS = [
  'apk',
  'apt',
  'apt-get',
  'aptitude',
  'dnf',
  'dpkg',
  'microdnf',
  'opkg',
  'pacman',
  'rpm',
  'tdnf',
  'yum',
  'zypper',
] as const;

/** The filesystem facts of one image. Paths sorted. */
export interface ImageFacts {
  /** Shell executables present: absolute paths. */
  readonly shells: readonly string[];
  /** Package-manager executables present: absolute paths. */
  readonly packageManagers: readonly string[];
  /** Regular files with the setuid or setgid bit: path and which bits. */
  readonly setuidFiles: readonly { readonly path: string; readonly bits: string; readonly layer: number }[];
}

export interface ImageFactsVisitor extends LayerVisitor {
  /** The facts of the merged filesystem; call after the walk. */
  finish(): ImageFacts;
}

/** A visitor collecting {@link ImageFacts} during a walk (it never skips a layer: it needs every header). */
export function createImageFactsVisitor(): ImageFactsVisitor {
  let tree: FileTree | undefined;
  return {
    entry(layer: LayerRef, header: EntryHeader) {
      tree ??= new FileTree(layer);
      tree.apply(layer, header);
      return undefined;
    },
    finish(): ImageFacts {
      const shells: string[] = [];
      const managers: string[] = [];
      const setuid: { path: string; bits: string; layer: number }[] = [];
      if (!tree) return { shells, packageManagers: managers, setuidFiles: setuid };
      const shellNames = new Set<string>(SHELLS);
      const managerNames = new Set<string>(PACKAGE_MANAGERS);
      for (const dir of BIN_DIRS) {
        const node = tree.lookup(dir);
        // A symlinked folder (/bin → usr/bin on usr-merged systems) is searched under its target.
        if (!node?.children) continue;
        for (const [name, child] of node.children) {
          if (child.header.type === 'dir' || child.implicit) continue;
          if (shellNames.has(name)) shells.push(`${dir}/${name}`);
          if (managerNames.has(name)) managers.push(`${dir}/${name}`);
        }
      }
      for (const node of tree.walk()) {
        const h = node.header;
        if ((h.type !== 'file' && h.type !== 'hardlink') || (h.mode & 0o6000) === 0) continue;
        const bits = [h.mode & 0o4000 ? 'setuid' : '', h.mode & 0o2000 ? 'setgid' : '']
          .filter(Boolean)
          .join('+');
        setuid.push({ path: h.path, bits, layer: node.layer.index });
      }
      const byPath = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
      return {
        shells: shells.sort(byPath),
        packageManagers: managers.sort(byPath),
        setuidFiles: setuid.sort((a, b) => byPath(a.path, b.path)),
      };
    },
  };
}
