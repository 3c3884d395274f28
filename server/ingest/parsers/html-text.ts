/**
 * Comment HTML (Disqus messages, WordPress content) to plain text. The result
 * is stored and shown as text, never as HTML, so "safe" here means faithful:
 * tags and comments are dropped (with the contents of script and style),
 * block ends become line breaks, and entities are decoded once, after the
 * tags are gone, so an escaped `&lt;b&gt;` reads as the text `<b>`.
 */

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0',
  hellip: '\u2026', mdash: '\u2014', ndash: '\u2013', lsquo: '\u2018', rsquo: '\u2019',
  ldquo: '\u201c', rdquo: '\u201d', laquo: '\u00ab', raquo: '\u00bb', copy: '\u00a9',
  reg: '\u00ae', trade: '\u2122', euro: '\u20ac', pound: '\u00a3', deg: '\u00b0',
  times: '\u00d7', middot: '\u00b7', bull: '\u2022', shy: '',
};

function decodeHtmlEntities(text: string): string {
  return text.replace(/&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|([A-Za-z][A-Za-z0-9]{1,31}));?/g, (whole, dec?: string, hex?: string, name?: string) => {
    if (name !== undefined) return whole.endsWith(';') ? (NAMED[name] ?? whole) : whole;
    const n = Number.parseInt(dec ?? hex!, dec !== undefined ? 10 : 16);
    if (!Number.isSafeInteger(n) || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff) || (n < 0x20 && n !== 9 && n !== 10 && n !== 13)) return whole;
    return String.fromCodePoint(n);
  });
}

const BLOCK_END = /<\/(p|div|blockquote|li|ul|ol|dl|dt|dd|h[1-6]|pre|table|tr|td|th|address)\s*>/gi;

export function htmlToText(html: string): string {
  const text = html
    .replace(/\r\n?/g, '\n')
    .replace(/<!--[\s\S]*?(-->|$)/g, '')
    .replace(/<(script|style)\b[^>]*>[\s\S]*?(<\/\1\s*>|$)/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(BLOCK_END, '\n\n')
    .replace(/<\/?[A-Za-z][^>]*>/g, '');
  return decodeHtmlEntities(text)
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
