import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BadImport } from '../../server/errors.ts';
import { parse, parseNewsDate } from '../../server/ingest/parsers/news-page.ts';

const seed = readFileSync(new URL('../../seeds/004_f0a9f0132b37af5b.txt', import.meta.url), 'utf8');
const thread = parse(seed).threads[0]!;

describe('news page (seed 004)', () => {
  it('finds the title and the article, without the comment policy', () => {
    expect(thread.source).toBe('news');
    expect(thread.title).toBe('Iran general says ready to help Iraq against militants');
    expect(thread.body.startsWith('DUBAI Sun Jun 29, 2014 4:15am EDT\n\nA member of the Iraqi security forces')).toBe(true);
    expect(thread.body.endsWith('(Reporting by Mehrdad Balali, Editing by William Maclean and Andrew Heavens)')).toBe(true);
    expect(thread.body).not.toContain('We welcome comments');
    expect(thread.body).not.toContain('This discussion is now closed');
  });

  it('reads the 3 flat comments with authors, full bodies and UTC times', () => {
    expect(thread.comments.map(({ author, body, postedAt, parentExternalId }) => ({ author, body, postedAt, parentExternalId }))).toEqual([
      {
        author: 'itsmysayokay',
        body: 'That would be a huge mistake to let the terrorist sponsered state Iran to be allowed into the fray. BIG mistake indeed',
        postedAt: Date.UTC(2014, 5, 29, 10, 39),
        parentExternalId: null,
      },
      {
        author: 'WestFlorida',
        body:
          'More double talk from the so-called Supreme Leader. He “rejects” outside intervention in Iraq, but is at the same time threatening to send in Iranian arms, advisory teams, its army and air force. ' +
          'So the Supreme Leader “rejects” outside intervention — except for his own country, which of course can intervene at will.',
        postedAt: Date.UTC(2014, 5, 29, 12, 51),
        parentExternalId: null,
      },
      {
        author: 'ChangeIranNow',
        body:
          'This is just another example of Iran’s efforts to fight proxy wars and broaden its reach in these regional conflicts popping up now throughout the Middle East. ' +
          'If we draw the line backwards to Iran’s initial efforts to build Shiite governments and groups throughout the region, we see now what it’s efforts are reaping which is conflict, sectarian violence and destabilization. ' +
          'We haven’t seen a domino effect of disasters since the US tried to invade Cuba and lost Vietnam.',
        postedAt: Date.UTC(2014, 5, 30, 22, 41),
        parentExternalId: null,
      },
    ]);
    expect(thread.comments[0]!.postedAt).toBe(1404038340000);
  });

  it('gives content-hash ids that are stable across parses', () => {
    const ids = thread.comments.map((c) => c.externalId);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(parse(seed).threads[0]!.comments.map((c) => c.externalId)).toEqual(ids);
    expect(parse(`\ufeff${seed.replace(/\n/g, '\r\n')}`).threads[0]).toEqual(thread);
  });

  it('converts EST, 12am and 12pm correctly', () => {
    expect(parseNewsDate('Jan 5, 2015 12:05am EST', 1)).toBe(Date.UTC(2015, 0, 5, 5, 5));
    expect(parseNewsDate('Jan 5, 2015 12:05pm EST', 1)).toBe(Date.UTC(2015, 0, 5, 17, 5));
    expect(() => parseNewsDate('Feb 30, 2015 1:00pm EST', 7)).toThrow(/^line 7: impossible day/);
    expect(() => parseNewsDate('Jun 29, 2014 6:39am XYZ', 3)).toThrow(/^line 3: unknown time zone "XYZ"/);
  });

  it('names the line of a comment without its date line', () => {
    const broken = seed.replace(/^Jun 30, 2014.*Report as abuse$/m, '');
    expect(broken).not.toBe(seed);
    expect(() => parse(broken)).toThrow(BadImport);
    expect(() => parse(broken)).toThrow(/^line 49: comment has no closing/);
  });

  it('marks the thread closed when the footer says the discussion is closed', () => {
    expect(thread.closed).toBe(true);
    const open = seed.replace(/^This discussion is now closed\..*$/m, '');
    expect(open).not.toBe(seed);
    expect(parse(open).threads[0]!.closed).toBe(false);
  });

  it('rejects a page whose comment count does not match', () => {
    expect(() => parse(seed.replace('Comments (3)', 'Comments (4)'))).toThrow(/^line 53: expected a comment header "NAME wrote:" \(comment 4 of 4\)/);
  });
});
