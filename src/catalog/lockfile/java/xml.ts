/**
 * A small, non-validating XML reader for build manifests (pom.xml): elements, text, CDATA, comments,
 * processing instructions. Hostile-input safety by construction: a DOCTYPE is skipped and never
 * processed, so no external entities and no entity expansion; only the five predefined entities and
 * numeric character references are decoded. Depth and element count are bounded. Attributes are read
 * past but not kept (manifests carry their data in elements). Namespace prefixes are dropped.
 */
import { lockError } from '../common.js';

export interface XmlElement {
  name: string;
  children: XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
}

const MAX_DEPTH = 256;
const MAX_ELEMENTS = 500_000;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string, where: () => string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;\s&]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw lockError(`${where()}: bare "&" in text`);
    if (ref.startsWith('#')) {
      const code =
        ref[1] === 'x' || ref[1] === 'X'
          ? Number.parseInt(ref.slice(2), 16)
          : Number.parseInt(ref.slice(1), 10);
      if (!Number.isInteger(code) || code < 0 || code > 0x10ffff)
        throw lockError(`${where()}: invalid character reference &${ref};`);
      return String.fromCodePoint(code);
    }
    const v = PREDEFINED[ref];
    if (v === undefined)
      throw lockError(`${where()}: entity &${ref}; is not supported (DTDs are not processed)`);
    return v;
  });
}

/** Parse a document and return its root element. */
export function parseXml(text: string, what = 'XML'): XmlElement {
  let pos = 0;
  let count = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const lineAt = (): string => `${what}:${text.slice(0, pos).split('\n').length}`;

  const skipPast = (terminator: string, label: string): void => {
    const end = text.indexOf(terminator, pos);
    if (end < 0) throw lockError(`${lineAt()}: unterminated ${label}`);
    pos = end + terminator.length;
  };

  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    const chunk = text.slice(pos, lt < 0 ? text.length : lt);
    if (chunk.length > 0) {
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(chunk, lineAt);
      else if (chunk.trim() !== '') throw lockError(`${lineAt()}: text outside the root element`);
    }
    if (lt < 0) break;
    pos = lt;
    if (text.startsWith('<!--', pos)) {
      skipPast('-->', 'comment');
    } else if (text.startsWith('<![CDATA[', pos)) {
      const start = pos + 9;
      skipPast(']]>', 'CDATA section');
      const top = stack[stack.length - 1];
      if (!top) throw lockError(`${lineAt()}: CDATA outside the root element`);
      top.text += text.slice(start, pos - 3);
    } else if (text.startsWith('<?', pos)) {
      skipPast('?>', 'processing instruction');
    } else if (text.startsWith('<!DOCTYPE', pos)) {
      // Skip over the declaration, including an internal subset in brackets, without interpreting it.
      let depth = 0;
      let i = pos + 9;
      for (; i < text.length; i++) {
        const c = text[i];
        if (c === '[') depth++;
        else if (c === ']') depth--;
        else if (c === '>' && depth <= 0) break;
      }
      if (i >= text.length) throw lockError(`${lineAt()}: unterminated DOCTYPE`);
      pos = i + 1;
    } else if (text.startsWith('</', pos)) {
      const end = text.indexOf('>', pos);
      if (end < 0) throw lockError(`${lineAt()}: unterminated end tag`);
      const name = localName(text.slice(pos + 2, end).trim());
      const open = stack.pop();
      if (!open || open.name !== name) {
        throw lockError(`${lineAt()}: </${name}> does not close <${open?.name ?? '(nothing)'}>`);
      }
      pos = end + 1;
    } else {
      // Start tag: name, attributes (quoted values may contain '>'), optional '/'.
      let i = pos + 1;
      let quote = '';
      for (; i < text.length; i++) {
        const c = text[i]!;
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
      }
      if (i >= text.length) throw lockError(`${lineAt()}: unterminated start tag`);
      const inner = text.slice(pos + 1, i);
      const selfClosing = inner.endsWith('/');
      const m = /^([A-Za-z_:][\w.:-]*)/.exec(inner);
      if (!m) throw lockError(`${lineAt()}: invalid tag`);
      if (++count > MAX_ELEMENTS) throw lockError(`${what}: more than ${MAX_ELEMENTS} elements`);
      const el: XmlElement = { name: localName(m[1]!), children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) throw lockError(`${lineAt()}: more than one root element`);
      else root = el;
      if (!selfClosing) {
        if (stack.length >= MAX_DEPTH) throw lockError(`${lineAt()}: nested more than ${MAX_DEPTH} levels`);
        stack.push(el);
      }
      pos = i + 1;
    }
  }
  if (stack.length > 0) throw lockError(`${what}: <${stack[stack.length - 1]!.name}> is not closed`);
  if (!root) throw lockError(`${what}: no root element`);
  return root;
}

function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon >= 0 ? qname.slice(colon + 1) : qname;
}

/** The first child element with this name. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

/** Trimmed text of the first child with this name (undefined when absent or empty). */
export function childText(el: XmlElement | undefined, name: string): string | undefined {
  const t = child(el, name)?.text.trim();
  return t ? t : undefined;
}

/** Children with this name. */
export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}
