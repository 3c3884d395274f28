import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ThresholdValues } from '../../server/flagging/rules.ts';
import { DECISION_LOG_COLUMNS, decisionLogStream, summaryCsv } from '../../server/reports/export.ts';
import type { DecisionLogRow } from '../../server/reports/store.ts';
import { summarise } from '../../server/reports/summary.ts';
import { LABELS, type LabelScores } from '../../server/scoring/labels.ts';
import { hostileText, SEED } from '../helpers/hostile-text.ts';
import { assertNoFormulaLine, parseCsvStrictly } from './csv-strict.ts';

/**
 * The documented neutralisation (docs/api.md), written out independently of
 * the writer: a ' before the cell when it starts with = + - @ tab CR (or a
 * full-width = + - @), and before every line inside it (after CR, LF or
 * CRLF) that starts with one of them other than CR.
 */
function neutralised(text: string): string {
  const parts = text.split(/(\r\n|\r|\n)/);
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return part;
      const startsCell = i === 0 && /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(text);
      return startsCell || (i > 0 && /^[=+\-@\t\uFF1D\uFF0B\uFF0D\uFF20]/.test(part)) ? `'${part}` : part;
    })
    .join('');
}

const THRESHOLDS = { version: 1, values: Object.fromEntries(LABELS.map((l) => [l, 0.5])) as ThresholdValues };

const scores: fc.Arbitrary<LabelScores | null> = fc.option(
  fc.tuple(...LABELS.map(() => fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }))).map(
    (values) => Object.fromEntries(LABELS.map((l, i) => [l, values[i]!])) as LabelScores,
  ),
  { nil: null },
);

const decisionRow: fc.Arbitrary<DecisionLogRow> = fc.record({
  id: fc.nat(),
  decidedAt: fc.integer({ min: 0, max: 4_000_000_000_000 }),
  commentId: fc.nat(),
  threadId: fc.nat(),
  threadTitle: hostileText(),
  author: fc.option(hostileText(), { nil: null }),
  body: hostileText(16),
  action: fc.constantFrom('approve' as const, 'hide' as const, 'escalate' as const, 'undo' as const),
  undoesId: fc.option(fc.nat(), { nil: null }),
  moderator: hostileText(4),
  note: fc.option(hostileText(), { nil: null }),
  thresholdVersion: fc.option(fc.nat(), { nil: null }),
  model: fc.option(hostileText(3), { nil: null }),
  scores,
  reportCount: fc.nat({ max: 50 }),
  // Readers' reasons may be free text: as hostile as any comment.
  reportReasons: fc.array(fc.record({ reason: hostileText(2), count: fc.integer({ min: 1, max: 9 }) }), { maxLength: 3 }),
});

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += chunk.toString();
  return out;
}

const column = (name: (typeof DECISION_LOG_COLUMNS)[number]) => DECISION_LOG_COLUMNS.indexOf(name);

describe('CSV writer on random rows (fast-check)', () => {
  it('writes decision log rows that parse back strictly to the same cells, formulas neutralised line by line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(decisionRow, { maxLength: 8 }), async (rows) => {
        const csv = await text(decisionLogStream(rows, 'csv', () => THRESHOLDS));
        const parsed = parseCsvStrictly(csv);
        expect(parsed[0]).toEqual([...DECISION_LOG_COLUMNS]);
        expect(parsed).toHaveLength(rows.length + 1);
        assertNoFormulaLine(parsed);
        rows.forEach((row, i) => {
          const cells = parsed[i + 1]!;
          expect(cells[column('thread_title')]).toBe(neutralised(row.threadTitle));
          expect(cells[column('author')]).toBe(neutralised(row.author ?? ''));
          expect(cells[column('text')]).toBe(neutralised(row.body));
          expect(cells[column('moderator')]).toBe(neutralised(row.moderator));
          expect(cells[column('note')]).toBe(neutralised(row.note ?? ''));
          expect(cells[column('model')]).toBe(neutralised(row.model ?? ''));
          expect(cells[column('decision_id')]).toBe(String(row.id));
          expect(cells[column('report_count')]).toBe(String(row.reportCount));
          expect(cells[column('report_reasons')]).toBe(neutralised(row.reportReasons.map((r) => `${r.reason} (${r.count})`).join('; ')));
          // Numbers are never prefixed.
          for (const label of LABELS) expect(cells[column(label)]).toBe(row.scores?.[label] == null ? '' : String(row.scores[label]));
        });
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('writes summaries whose thread titles and moderator names parse back strictly, formulas neutralised line by line', () => {
    const thread = fc.record({ threadId: fc.integer({ min: 1, max: 1e6 }), title: hostileText(), comments: fc.integer({ min: 1, max: 5 }), hidden: fc.integer({ min: 1, max: 5 }) });
    fc.assert(
      fc.property(fc.uniqueArray(thread, { maxLength: 5, selector: (t) => t.threadId }), fc.uniqueArray(hostileText(4), { maxLength: 4 }), fc.uniqueArray(hostileText(2), { maxLength: 3 }), (threads, moderators, reasons) => {
        const summary = summarise({
          filter: { from: 0, to: 1_000, threads: null, labels: null },
          generatedAt: 0,
          comments: { imported: 0, scored: 0, flagged: 0, flaggedByLabel: [] },
          undone: 0,
          decisions: moderators.map((moderator, i) => ({
            commentId: i,
            action: 'hide' as const,
            statusBefore: 'pending',
            moderator,
            decidedAt: 10,
            importedAt: 0,
            scores: null,
            thresholds: THRESHOLDS.values,
          })),
          threads,
          thresholds: [],
          models: [],
          modelsInForce: [],
          readerReports: { received: reasons.length, byReason: reasons.map((reason) => ({ reason, count: 1 })), comments: 1, upheld: 1, notUpheld: 0, undecided: 0 },
        });
        const rows = parseCsvStrictly(summaryCsv(summary));
        expect(rows[0]).toEqual(['section', 'item', 'metric', 'value']);
        assertNoFormulaLine(rows);
        const items = new Set(rows.filter((r) => r[0] === 'threads by hidden share').map((r) => r[1]));
        expect(items).toEqual(new Set(threads.map((t) => neutralised(`${t.threadId} ${t.title}`))));
        const names = new Set(rows.filter((r) => r[0] === 'decisions by moderator').map((r) => r[1]));
        expect(names).toEqual(new Set(moderators.map(neutralised)));
        const given = rows.filter((r) => r[0] === 'reader reports' && r[2] === 'received' && r[1] !== 'all').map((r) => r[1]);
        expect(new Set(given)).toEqual(new Set(reasons.map(neutralised)));
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});
