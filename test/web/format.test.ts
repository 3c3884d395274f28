import { describe, expect, it } from 'vitest';
import { plural as serverPlural } from '../../server/plural.ts';
import { plural } from '../../web/src/lib/format.ts';

describe('plural', () => {
  it('agrees the noun with the count, in the web and on the server', () => {
    for (const p of [plural, serverPlural]) {
      expect(p(1, 'thread')).toBe('1 thread');
      expect(p(0, 'thread')).toBe('0 threads');
      expect(p(2, 'approved comment')).toBe('2 approved comments');
      expect(p(1, 'reply', 'replies')).toBe('1 reply');
      expect(p(3, 'reply', 'replies')).toBe('3 replies');
    }
    expect(plural(1204, 'comment')).toBe(`${(1204).toLocaleString()} comments`);
  });
});
