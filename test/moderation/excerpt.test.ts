import { describe, expect, it } from 'vitest';
import { EXCERPT_BYTES, EXCERPT_CHARS, excerpt } from '../../server/moderation/excerpt.ts';

/** What the store reads for a body: its first EXCERPT_BYTES bytes, and its size. */
function head(body: string, bytes = EXCERPT_BYTES): [Uint8Array, number] {
  const all = Buffer.from(body, 'utf8');
  return [all.subarray(0, bytes), all.length];
}

describe('excerpt', () => {
  it('keeps a short body whole and counts its code points', () => {
    expect(excerpt(...head('héllo 😀'))).toEqual({ text: 'héllo 😀', truncated: false, chars: 7 });
    expect(excerpt(...head(''))).toEqual({ text: '', truncated: false, chars: 0 });
  });

  it('cuts a long body at EXCERPT_CHARS code points, never inside a surrogate pair', () => {
    const body = `${'a'.repeat(EXCERPT_CHARS - 1)}😀${'b'.repeat(50)}`;
    const cut = excerpt(...head(body));
    expect(cut).toMatchObject({ truncated: true, chars: EXCERPT_CHARS });
    expect(cut.text.endsWith('a😀')).toBe(true);
    expect([...cut.text]).toHaveLength(EXCERPT_CHARS);
    expect(cut.text.length).toBe(EXCERPT_CHARS + 1);
  });

  it('counts a body of exactly EXCERPT_CHARS characters as whole', () => {
    expect(excerpt(...head('😀'.repeat(EXCERPT_CHARS)))).toMatchObject({ truncated: false, chars: EXCERPT_CHARS });
  });

  it('drops a character whose bytes the read cut in two, and says the text goes on', () => {
    // Four-byte characters read 6 bytes at a time: one whole, one half.
    expect(excerpt(...head('😀😀😀', 6))).toEqual({ text: '😀', truncated: true, chars: 1 });
    expect(excerpt(...head('é€😀', 5))).toEqual({ text: 'é€', truncated: true, chars: 2 });
    expect(excerpt(...head('abc', 2))).toEqual({ text: 'ab', truncated: true, chars: 2 });
  });

  it('keeps NUL characters, which SQLite text functions stop at', () => {
    expect(excerpt(...head('a\u0000b'))).toEqual({ text: 'a\u0000b', truncated: false, chars: 3 });
  });
});
