/**
 * Untrusted text (comment bodies, authors, titles, snippets, notes, user
 * names) can hold invisible characters that change what a moderator sees:
 * U+202E RIGHT-TO-LEFT OVERRIDE makes "gnp\u202Eexe.png" read "gnpgnp.exe",
 * zero-width characters hide inside words. `revealControls` splits a text
 * into plain runs and those characters, so `ui/UntrustedText.svelte` can show
 * each one as a visible marker (⟨RLO⟩) instead of letting it act. Pure: no
 * DOM, tested in test/web/text.test.ts.
 */

/** The characters shown as markers, with their short and full names. */
export const HIDDEN_CHARACTERS: Readonly<Record<string, readonly [name: string, description: string]>> = {
  '\u00AD': ['SHY', 'soft hyphen'],
  '\u061C': ['ALM', 'Arabic letter mark'],
  '\u180E': ['MVS', 'Mongolian vowel separator'],
  '\u200B': ['ZWSP', 'zero width space'],
  '\u200C': ['ZWNJ', 'zero width non-joiner'],
  '\u200D': ['ZWJ', 'zero width joiner'],
  '\u200E': ['LRM', 'left-to-right mark'],
  '\u200F': ['RLM', 'right-to-left mark'],
  '\u202A': ['LRE', 'left-to-right embedding'],
  '\u202B': ['RLE', 'right-to-left embedding'],
  '\u202C': ['PDF', 'pop directional formatting'],
  '\u202D': ['LRO', 'left-to-right override'],
  '\u202E': ['RLO', 'right-to-left override'],
  '\u2060': ['WJ', 'word joiner'],
  '\u2061': ['FA', 'function application'],
  '\u2062': ['IT', 'invisible times'],
  '\u2063': ['IS', 'invisible separator'],
  '\u2064': ['IP', 'invisible plus'],
  '\u2066': ['LRI', 'left-to-right isolate'],
  '\u2067': ['RLI', 'right-to-left isolate'],
  '\u2068': ['FSI', 'first strong isolate'],
  '\u2069': ['PDI', 'pop directional isolate'],
  '\uFEFF': ['BOM', 'zero width no-break space (byte order mark)'],
};

/** A run of one hidden character (the same one repeated). */
const HIDDEN_RUN = /([\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF])\1*/g;
const PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u;

/** At most this many markers per text; past it, markers are inlined into the text (still visible, unstyled), so a hostile text cannot make thousands of elements. */
export const MAX_MARKERS = 500;

export type TextPart =
  | { kind: 'text'; text: string }
  | {
      kind: 'control';
      /** Short name shown in the marker, e.g. RLO. */
      name: string;
      /** `U+202E right-to-left override`, for a tooltip. */
      description: string;
      /** How many of the same character stand in a row. */
      count: number;
    };

/** The code point that ends just before `index` (a surrogate pair read whole). */
function codePointBefore(text: string, index: number): number | undefined {
  if (index <= 0) return undefined;
  const low = text.charCodeAt(index - 1);
  if (low >= 0xdc00 && low <= 0xdfff && index >= 2) return text.codePointAt(index - 2);
  return low;
}

function isPictographic(cp: number | undefined): boolean {
  return cp !== undefined && PICTOGRAPHIC.test(String.fromCodePoint(cp));
}

/**
 * A ZWJ inside an emoji sequence (👩‍💻: pictograph, optional VS16 or skin tone, ZWJ,
 * pictograph) draws one emoji and hides nothing: it stays as it is.
 */
function joinsEmoji(text: string, index: number): boolean {
  let before = codePointBefore(text, index);
  let at = index;
  if (before === 0xfe0f || (before !== undefined && before >= 0x1f3fb && before <= 0x1f3ff)) {
    at -= before > 0xffff ? 2 : 1;
    before = codePointBefore(text, at);
  }
  return isPictographic(before) && isPictographic(text.codePointAt(index + 1));
}

/** The short marker a moderator sees for a hidden character: ⟨RLO⟩, or ⟨ZWSP×3⟩ for a run. */
export function markerText(part: { name: string; count: number }): string {
  return `⟨${part.name}${part.count > 1 ? `×${part.count}` : ''}⟩`;
}

function controlPart(ch: string, count: number): TextPart & { kind: 'control' } {
  const [name, description] = HIDDEN_CHARACTERS[ch];
  const code = `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return { kind: 'control', name, description: `${code} ${description}`, count };
}

/** The runs of hidden characters in `text` that get a marker: [start, end, character]. */
function* hiddenRuns(text: string): Generator<[number, number, string]> {
  for (const match of text.matchAll(HIDDEN_RUN)) {
    const [run, ch] = match;
    if (run === '\u200D' && joinsEmoji(text, match.index)) continue;
    yield [match.index, match.index + run.length, ch];
  }
}

/**
 * Splits `text` into plain runs and the hidden characters between them, in
 * logical order. Joining the runs with `markerText` of each control gives what
 * the screen shows; the controls themselves never reach the page.
 */
export function revealControls(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  let markers = 0;
  for (const [start, end, ch] of hiddenRuns(text)) {
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    if (++markers > MAX_MARKERS) {
      // Too many to draw one by one: the rest goes in as one text with the markers spelled out.
      parts.push({ kind: 'text', text: revealControlsText(text.slice(start)) });
      return parts;
    }
    parts.push(controlPart(ch, end - start));
    last = end;
  }
  if (last < text.length || parts.length === 0) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

/** `text` with every hidden character replaced by its marker: for places that take only a string (an <option>, a title). */
export function revealControlsText(text: string): string {
  let out = '';
  let last = 0;
  for (const [start, end, ch] of hiddenRuns(text)) {
    out += text.slice(last, start) + markerText(controlPart(ch, end - start));
    last = end;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** The first `max` UTF-16 units of `text`, one fewer rather than half a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
