/**
 * `--format table`: the SBOM for people. One header line (target, OS, package count), one row per
 * package (NAME, VERSION, TYPE, SOURCE when some package's source differs from its name, OWNER when
 * an OS package owns some language package's files, LAYER for images), columns sized to their content, then the files that could not be cataloged.
 */
import type { Package } from '../../model/package.js';
import type { Sbom } from '../../model/sbom.js';
import { byString, compareUnknowns, distroLabel, subjectName } from './common.js';
import { redactSource } from './redact.js';
import { maxOf } from '../../util/arrays.js';

export interface TableOptions {
  /** ANSI colours; off unless asked for (the caller decides, e.g. from isTTY and NO_COLOR). */
  readonly color?: boolean;
}

const ANSI = {
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  cyan: '\u001b[36m',
  yellow: '\u001b[33m',
  reset: '\u001b[0m',
};

/**
 * Package data is untrusted: a name holding an escape sequence or a newline must not repaint the
 * terminal or break the table. Control characters are shown as `\xNN`.
 */
export function printable(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** What the SOURCE column shows for a package, or '' when its source is the package itself. */
function sourceCell(p: Package): string {
  if (!p.sourceName) return '';
  const differentVersion = p.sourceVersion && p.sourceVersion !== p.version;
  if (p.sourceName === p.name && !differentVersion) return '';
  return differentVersion ? `${p.sourceName} (${p.sourceVersion})` : p.sourceName;
}

function compareRows(a: Package, b: Package): number {
  return (
    byString(a.name, b.name) ||
    byString(a.version, b.version) ||
    byString(a.type, b.type) ||
    byString(a.id, b.id)
  );
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Render the table. Deterministic; plain text unless `color` is set. */
export function formatTable(sbom: Sbom, options: TableOptions = {}): string {
  const paint = (code: string, text: string): string =>
    options.color ? `${code}${text}${ANSI.reset}` : text;
  const lines: string[] = [];

  const source = redactSource(sbom.source);
  const target = printable(subjectName(source));
  const digest =
    source.kind === 'image' && source.image.manifestDigest ? ` (${source.image.manifestDigest})` : '';
  const os = distroLabel(sbom);
  const header = [
    `Target: ${paint(ANSI.bold, target)}${digest}`,
    `OS: ${os ? printable(os) : 'unknown'}`,
    `Packages: ${sbom.packages.length}`,
  ];
  lines.push(header.join('   '));

  const packages = [...sbom.packages].sort(compareRows);
  if (packages.length === 0) {
    lines.push('', 'No packages found.');
  } else {
    const withSource = packages.some((p) => sourceCell(p) !== '');
    const owners = osOwnerNames(sbom);
    const withOwner = owners.size > 0;
    // Folders have no layers: the column would only hold dashes.
    const withLayer = packages.some((p) => p.layer !== undefined);
    const columns = [
      'NAME',
      'VERSION',
      'TYPE',
      ...(withSource ? ['SOURCE'] : []),
      ...(withOwner ? ['OWNER'] : []),
      ...(withLayer ? ['LAYER'] : []),
    ];
    const rows = packages.map((p) => [
      printable(p.name),
      printable(p.version),
      p.type,
      ...(withSource ? [printable(sourceCell(p))] : []),
      ...(withOwner ? [printable(owners.get(p.id) ?? '')] : []),
      ...(withLayer ? [p.layer ? String(p.layer.index) : '-'] : []),
    ]);
    const widths = columns.map((c, i) =>
      maxOf(
        rows.map((r) => r[i]!.length),
        c.length,
      ),
    );
    // Pad the plain text first, colour after: escape codes must not count towards the width.
    const render = (cells: string[], style?: (cell: string, col: number) => string): string =>
      cells
        .map((cell, i) => {
          const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i]!);
          return style ? style(padded, i) : padded;
        })
        .join('  ')
        .trimEnd();
    lines.push('');
    lines.push(render(columns, (cell) => paint(ANSI.bold, cell)));
    for (const row of rows) {
      lines.push(render(row, (cell, col) => (col === 2 ? paint(ANSI.cyan, cell) : cell)));
    }
  }

  if (sbom.unknowns.length > 0) {
    lines.push('');
    lines.push(
      paint(ANSI.yellow, `${plural(sbom.unknowns.length, 'file', 'files')} could not be cataloged:`),
    );
    for (const u of [...sbom.unknowns].sort(compareUnknowns)) {
      const where = u.layer ? ` (layer ${u.layer.index})` : '';
      const by = u.cataloger ? ` [${printable(u.cataloger)}]` : '';
      lines.push(`  ${printable(u.path)}${where}: ${printable(u.reason)}${by ? paint(ANSI.dim, by) : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Language package id → name of the OS package (deb, rpm, apk) owning the file it was read from, from
 * the `ownership-by-file-overlap` relationships (the smallest name when several do).
 */
function osOwnerNames(sbom: Sbom): Map<string, string> {
  const byId = new Map(sbom.packages.map((p) => [p.id, p]));
  const out = new Map<string, string>();
  for (const r of sbom.relationships) {
    if (r.type !== 'ownership-by-file-overlap') continue;
    const owner = byId.get(r.from);
    if (!owner || !OS_TYPES.has(owner.type) || OS_TYPES.has(byId.get(r.to)?.type ?? 'deb')) continue;
    const seen = out.get(r.to);
    if (seen === undefined || owner.name < seen) out.set(r.to, owner.name);
  }
  return out;
}

const OS_TYPES: ReadonlySet<string> = new Set(['deb', 'rpm', 'apk']);
