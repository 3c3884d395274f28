import fc from 'fast-check';

/** The fixed seed of every property test: failures replay the same way on every machine. */
export const SEED = 20261101;

/**
 * Pieces that break naive writers and readers: quotes, separators, every line
 * break, formula starters, JSON punctuation, bidi controls (RTL marks and
 * overrides), combining marks, emoji sequences, non-Latin scripts and the
 * Unicode line separators.
 */
const PIECES = [
  '"', "'", ',', ';', '\\', '\n', '\r', '\r\n', '\t', ' ', '  ', '\u00a0',
  '=', '+', '-', '@', '\uFF1D', '=1+2', '=HYPERLINK("http://evil.example","x")', '@SUM(A1)', '-2+3', '+1',
  '{', '}', '[', ']', ':', '"text":', '\\n', '\\u0000',
  '\u200e', '\u200f', '\u202e', '\u2067', '\u2069',
  'e\u0301', '🙂', '👩‍👩‍👧', '🇳🇿', '日本語', 'مرحبا', 'שלום',
  '\u2028', '\u2029', '\uFEFF',
  '1. ', ' Avatar', ' wrote:', '  --  Report as abuse', 'Comments (1)',
];

/**
 * C0 and C1 controls (other than tab, CR and LF) and U+FFFD: an import file
 * holding them raw is refused as binary, and JSON escapes them anyway.
 */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]/g;

/** Any text without controls, leaning hard on the pieces above. */
export const hostileText = (maxParts = 10): fc.Arbitrary<string> =>
  fc
    .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: 'grapheme', maxLength: 6 })), { maxLength: maxParts })
    .map((parts) => parts.join('').replace(CONTROLS, ''));

/** Hostile text with something other than white space in it (titles, ids). */
export const hostileWord = (maxParts = 6): fc.Arbitrary<string> => hostileText(maxParts).filter((s) => s.trim() !== '');
