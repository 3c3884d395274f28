/**
 * Shared reading of the XML export formats (`wordpress`, `disqus`) with
 * fast-xml-parser. Two rules keep a hostile file harmless:
 * - A DOCTYPE is refused before parsing, so no entity is ever declared, let
 *   alone expanded (no "billion laughs", no external entities).
 * - The library's own entity processing is off; the five predefined XML
 *   entities and numeric references are decoded here, in one pass, so no
 *   replacement text is ever read again.
 * Syntax errors name the line (from the library's validator) but never quote
 * the file: a tag name there may be a piece of comment text.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { BadImport } from '../../errors.ts';
import { stripBom } from './text.ts';

export type XmlNode = Record<string, unknown>;

const CDATA = '__cdata';
const META = XMLParser.getMetaDataSymbol();

/** The 1-based line of a character offset. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i += 1) {
    const ch = text.charCodeAt(i);
    if (ch === 10 || (ch === 13 && text.charCodeAt(i + 1) !== 10)) line += 1;
  }
  return line;
}

/** The offset each line starts at (CRLF, CR or LF endings). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charCodeAt(i);
    if (ch === 10 || (ch === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

const SYNTAX_PROBLEMS: Record<string, string> = {
  InvalidTag: 'a tag is not closed or not matched',
  InvalidAttr: 'an attribute is malformed',
  InvalidXml: 'this is not well-formed XML',
  InvalidChar: 'an unexpected character',
};

/**
 * Parses `text` as XML whose repeated elements are named in `arrays` (so one
 * element still comes as a one-item array). Returns the document, the text
 * as parsed (no BOM) and a function giving the line an element starts on.
 */
export function parseXml(text: string, arrays: readonly string[]): { doc: XmlNode; lineOf: (node: unknown) => number } {
  const source = stripBom(text);
  const doctype = /<!DOCTYPE|<!ENTITY/i.exec(source);
  if (doctype) throw new BadImport('a DOCTYPE or entity declaration is not allowed in an import file', { line: lineAt(source, doctype.index) });
  const valid = XMLValidator.validate(source);
  if (valid !== true) {
    const problem = SYNTAX_PROBLEMS[valid.err.code] ?? 'this is not well-formed XML';
    throw new BadImport(`invalid XML (${problem})`, { line: Number.isSafeInteger(valid.err.line) && valid.err.line > 0 ? valid.err.line : 1 });
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: false,
    htmlEntities: false,
    trimValues: false,
    cdataPropName: CDATA,
    captureMetaData: true,
    isArray: (name) => arrays.includes(name),
  });
  let doc: unknown;
  try {
    doc = parser.parse(source);
  } catch {
    throw new BadImport('invalid XML (this is not well-formed XML)', { line: 1 });
  }
  if (!isNode(doc)) throw new BadImport('invalid XML (no root element)', { line: 1 });
  // Where each line starts, found once: every comment's line is looked up, so a scan per lookup would be quadratic.
  let starts: number[] | null = null;
  const lineOf = (node: unknown): number => {
    const meta = isNode(node) ? (node as Record<symbol, { startIndex?: number } | undefined>)[META as symbol] : undefined;
    if (meta?.startIndex === undefined) return 1;
    starts ??= lineStarts(source);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= meta.startIndex) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  return { doc, lineOf };
}

export function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** A code point from a numeric reference, or null when it names none (or a control character). */
function codePoint(digits: string, hex: boolean): string | null {
  const n = Number.parseInt(digits, hex ? 16 : 10);
  if (!Number.isSafeInteger(n) || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return null;
  if (n < 0x20 && n !== 9 && n !== 10 && n !== 13) return null;
  return String.fromCodePoint(n);
}

/** Decodes XML's predefined entities and numeric references; anything else stays as written. */
export function decodeXmlEntities(text: string): string {
  return text.replace(/&(?:#(\d{1,8})|#x([0-9a-fA-F]{1,7})|([a-z]+));/g, (whole, dec?: string, hex?: string, name?: string) => {
    if (dec !== undefined) return codePoint(dec, false) ?? whole;
    if (hex !== undefined) return codePoint(hex, true) ?? whole;
    return XML_ENTITIES[name!] ?? whole;
  });
}

/**
 * The text of an element, entities decoded (CDATA sections as written), or
 * null when the element is absent. An element with child elements has no text.
 */
export function textOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return decodeXmlEntities(value);
  if (Array.isArray(value)) return textOf(value[0]);
  if (!isNode(value)) return String(value);
  let out = '';
  for (const [key, part] of Object.entries(value)) {
    if (key === '#text' && typeof part === 'string') out += decodeXmlEntities(part);
    else if (key === CDATA) out += (Array.isArray(part) ? part : [part]).map(String).join('');
  }
  return out;
}

/** An attribute of an element, entities decoded. */
export function attrOf(node: unknown, name: string): string | null {
  if (!isNode(node)) return null;
  const value = node[`@${name}`];
  return typeof value === 'string' ? decodeXmlEntities(value) : null;
}

/** The child elements named `name`, always as a list of element nodes (text-only ones come as `{}`-like nodes via `asNode`). */
export function childrenOf(node: unknown, name: string): unknown[] {
  if (!isNode(node)) return [];
  const value = node[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
