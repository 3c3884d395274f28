import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { DECISION_LOG_COLUMNS, summaryCsv } from '../../server/reports/export.ts';
import { createTriage } from '../../server/triage.ts';
import { addComment, addModerator, addThread, decide, freshDb } from '../thresholds/fixture.ts';
import { assertNoFormulaLine, parseCsvStrictly } from './csv-strict.ts';

/** Hostile text and what the CSV cell must hold after formula neutralisation: every line that starts with = + - @ or tab gets a leading '. */
const HOSTILE: [input: string, cell: string][] = [
  ['x\n=1+2', "x\n'=1+2"],
  ['x\r=1+2', "x\r'=1+2"],
  ['x\r\n=1+2', "x\r\n'=1+2"],
  ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
  ['safe\n+1\n-1\n@me\n\tindented', "safe\n'+1\n'-1\n'@me\n'\tindented"],
  ['line\r=HYPERLINK("http://evil.example","click")', 'line\r\'=HYPERLINK("http://evil.example","click")'],
  ['He said "hi", then\nleft — 日本語 🙂', 'He said "hi", then\nleft — 日本語 🙂'],
  ['a,b\r\n"=c"\r\n', 'a,b\r\n"=c"\r\n'],
  ['\r\n=1', "'\r\n'=1"],
  ['\n\n@x\r\r-y', "\n\n'@x\r\r'-y"],
  ['\u2067مرحبا\u2069\n＝1\n＋2', "\u2067مرحبا\u2069\n'＝1\n'＋2"],
  ["'=already text", "'=already text"],
  ['1,000 = a lot', '1,000 = a lot'],
  ['plain', 'plain'],
];

/** Thread titles: the title, its decision log cell, and its summary item after the thread id (which keeps the first line from starting a formula). */
const TITLES: [title: string, logCell: string, summaryItem: string][] = [
  ['Budget\n=1+2', "Budget\n'=1+2", "Budget\n'=1+2"],
  ['=HYPERLINK("http://evil.example")\r\n@x', '\'=HYPERLINK("http://evil.example")\r\n\'@x', '=HYPERLINK("http://evil.example")\r\n\'@x'],
  ['Plain, "quoted"\r-2\n\t+3', 'Plain, "quoted"\r\'-2\n\'\t+3', 'Plain, "quoted"\r\'-2\n\'\t+3'],
];
const MODERATORS: [name: string, cell: string][] = [
  ['mo', 'mo'],
  ['=evil\n@mod', "'=evil\n'@mod"],
];

const ALL = { from: 0, to: 10_000_000, threads: null, labels: null };

/** A database where every thread title, author, body, note and moderator name is hostile text; each comment is hidden once. */
function hostileDb() {
  const db = freshDb();
  const moderators = MODERATORS.map(([name]) => addModerator(db, name));
  const threads = TITLES.map(([title]) => addThread(db, title));
  const expected: { thread_title: string; author: string; text: string; note: string; moderator: string }[] = [];
  HOSTILE.forEach(([body, text], i) => {
    const [author, authorCell] = HOSTILE[(i + 3) % HOSTILE.length]!;
    const [note, noteCell] = HOSTILE[(i + 7) % HOSTILE.length]!;
    const comment = addComment(db, { threadId: threads[i % threads.length]!, importedAt: 1_000 + i, scores: { toxicity: 0.9 }, author, body });
    decide(db, comment, moderators[i % moderators.length]!, 'hide', 10_000 + i, note);
    expected.push({ thread_title: TITLES[i % TITLES.length]![1], author: authorCell, text, note: noteCell, moderator: MODERATORS[i % MODERATORS.length]![1] });
  });
  return { db, threads, expected };
}

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += chunk.toString();
  return out;
}

describe('CSV exports with hostile text', () => {
  it('writes the decision log as strict RFC 4180, one row per decision, with no line of any cell starting a formula', async () => {
    const { db, expected } = hostileDb();
    const csv = await text(createTriage({ db }).reports.decisionLog(ALL, 'csv'));
    const rows = parseCsvStrictly(csv);
    expect(rows[0]).toEqual([...DECISION_LOG_COLUMNS]);
    expect(rows).toHaveLength(1 + HOSTILE.length);
    assertNoFormulaLine(rows);
    const records = parse(csv, { columns: true, relax_quotes: false, relax_column_count: false }) as Record<string, string>[];
    expect(records.map((r) => ({ thread_title: r.thread_title, author: r.author, text: r.text, note: r.note, moderator: r.moderator }))).toEqual(expected);
  });

  it('writes the summary as strict RFC 4180 with hostile thread titles and moderator names kept in their cells', () => {
    const { db, threads } = hostileDb();
    const csv = summaryCsv(createTriage({ db }).reports.summary(ALL));
    const rows = parseCsvStrictly(csv);
    expect(rows[0]).toEqual(['section', 'item', 'metric', 'value']);
    assertNoFormulaLine(rows);
    // Every thread has hidden comments: three rows each (comments, hidden, share).
    const threadItems = rows.filter((r) => r[0] === 'threads by hidden share').map((r) => r[1]);
    expect(threadItems).toHaveLength(3 * TITLES.length);
    expect(new Set(threadItems)).toEqual(new Set(TITLES.map(([, , item], i) => `${threads[i]} ${item}`)));
    const moderators = rows.filter((r) => r[0] === 'decisions by moderator').map((r) => r[1]);
    expect(new Set(moderators)).toEqual(new Set(MODERATORS.map(([, cell]) => cell)));
  });
});
