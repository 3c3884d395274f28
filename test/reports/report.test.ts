import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { summaryCsv } from '../../server/reports/export.ts';
import { summaryHtml } from '../../server/reports/html.ts';
import { createTriage } from '../../server/triage.ts';
import { createReportStore } from '../../server/reports/store.ts';
import { PERIOD, reportFixture, TRICKY_BODY } from './fixture.ts';

const all = { ...PERIOD, threads: null, labels: null };

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += chunk.toString();
  return out;
}

describe('moderation report summary on a fixture database', () => {
  it('has the hand-computed figures', async () => {
    const { db, ids } = await reportFixture();
    const s = createTriage({ db, now: () => 123 }).reports.summary(all);
    // Imported in the period: c1-c5 and c7 (c6 came before); c7 is unscored; c1-c3 are flagged.
    expect(s.comments).toEqual({
      imported: 6,
      scored: 5,
      flagged: 3,
      flaggedByLabel: [
        { label: 'toxicity', count: 2 },
        { label: 'severe_toxicity', count: 0 },
        { label: 'identity_attack', count: 0 },
        { label: 'insult', count: 1 },
        { label: 'threat', count: 0 },
        { label: 'sexual_explicit', count: 0 },
        { label: 'obscene', count: 0 },
      ],
    });
    // Standing decisions in the period: c6 hide, c2 escalate, c3 approve, c4 approve, c1 hide, c2 hide.
    // The undone hide of c4 and its undo row are left out; c5's hide is after the period.
    expect(s.decisions).toEqual({
      total: 6,
      undone: 1,
      byAction: [
        { action: 'approve', count: 2 },
        { action: 'hide', count: 3 },
        { action: 'escalate', count: 1 },
      ],
      byModerator: [
        { moderator: 'mo', approve: 1, hide: 2, escalate: 1, total: 4 },
        { moderator: 'lee', approve: 1, hide: 1, escalate: 0, total: 2 },
      ],
    });
    // First standing decision per comment minus import: c6 15s, c2 10s, c3 10s, c4 20s, c1 60s.
    // Sorted 10, 10, 15, 20, 60: median 15 s; p90 at rank 3.6 = 20 + 0.6 * 40 = 44 s.
    expect(s.timeToDecision).toEqual({ n: 5, medianMs: 15_000, p90Ms: 44_000 });
    expect(s.escalations).toEqual({ opened: 1, resolved: 1 });
    // Only c3 (approved, flagged by insult) disagrees.
    expect(s.agreement).toMatchObject({ n: 6, agree: 5, share: 5 / 6, modelOnly: 1, moderatorOnly: 0, unscored: 0 });
    expect(s.agreement.perLabel.find((l) => l.label === 'toxicity')).toMatchObject({ n: 5, agree: 5 });
    expect(s.agreement.perLabel.find((l) => l.label === 'insult')).toMatchObject({ n: 1, agree: 0 });
    // Alpha: c1, c2 hidden of c1-c3; the other thread: c5 hidden (now) of c4, c5, c7.
    expect(s.threadsByHidden.map((t) => [t.threadId, t.comments, t.hidden])).toEqual([
      [ids.a, 3, 2],
      [ids.b, 3, 1],
    ]);
    expect(s.thresholds.map((v) => [v.version, v.since, v.until, v.values.toxicity, v.reason])).toEqual([
      [1, 1_000, 80_000, 0.8, 'defaults'],
      [2, 80_000, null, 0.5, 'catch more'],
    ]);
    expect(s.models).toEqual([{ model: 'local@1', scored: 5, firstScoredAt: 10_000, lastScoredAt: 50_000 }]);
    expect(s.generatedAt).toBe(123);
  });

  it('filters by thread and by label', async () => {
    const { db, ids } = await reportFixture();
    const service = createTriage({ db }).reports;
    const b = service.summary({ ...all, threads: [ids.b!] });
    expect(b.comments).toMatchObject({ imported: 3, scored: 2, flagged: 0 });
    expect(b.decisions).toMatchObject({ total: 1, undone: 1 });
    const insult = service.summary({ ...all, labels: ['insult'] });
    expect(insult.comments).toMatchObject({ flagged: 1, flaggedByLabel: [{ label: 'insult', count: 1 }] });
    expect(insult.decisions.total).toBe(1);
    expect(insult.agreement.perLabel.map((l) => l.label)).toEqual(['insult']);
    const later = service.summary({ ...all, from: 100_000, to: 200_000 });
    expect(later.decisions.total).toBe(1);
    expect(later.thresholds.map((v) => v.version)).toEqual([2]);
  });

  it('exports the summary as RFC 4180 CSV with formula cells neutralised', async () => {
    const { db } = await reportFixture();
    const csv = summaryCsv(createTriage({ db }).reports.summary(all));
    expect(csv.startsWith('section,item,metric,value\r\n')).toBe(true);
    expect(csv.split('\r\n').every((line) => !line.includes('\n'))).toBe(true);
    const rows = parse(csv, { columns: true }) as { section: string; item: string; metric: string; value: string }[];
    expect(rows.find((r) => r.section === 'decisions' && r.item === 'hide')?.value).toBe('3');
    const thread = rows.find((r) => r.section === 'threads by hidden share' && r.item.includes('HYPERLINK'));
    // The thread's id comes first in the cell, so it cannot start a formula.
    expect(thread?.item.startsWith('2 =HYPERLINK')).toBe(true);
  });

  it('renders a printable HTML page with escaped text and SVG charts', async () => {
    const { db } = await reportFixture();
    const html = summaryHtml(createTriage({ db }).reports.summary(all));
    expect(html).toContain('<svg');
    expect(html).toContain('Decisions per action');
    expect(html).toContain('=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)');
    expect(html).not.toContain('<script');
  });
});

describe('decision log export', () => {
  it('streams one CSV row per decision with escaping for quotes, newlines, Unicode and formulas', async () => {
    const { db, ids } = await reportFixture();
    const csv = await text(createTriage({ db }).reports.decisionLog(all, 'csv'));
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.action)).toEqual(['hide', 'escalate', 'approve', 'hide', 'undo', 'approve', 'hide', 'hide']);
    const c1 = rows.find((r) => r.comment_id === String(ids.c1))!;
    expect(c1.text).toBe(TRICKY_BODY);
    expect(c1.author).toBe("'@bob");
    expect(c1).toMatchObject({ moderator: 'mo', toxicity: '0.9', insult: '', flagged_labels: 'toxicity', threshold_version: '1', model: 'local@1' });
    expect(rows.find((r) => r.comment_id === String(ids.c2))!.text).toBe("'-5 points");
    const spam = rows.find((r) => r.note !== '')!;
    expect(spam.note).toBe("'+1 spam");
    const undoRow = rows.find((r) => r.action === 'undo')!;
    expect(undoRow.undoes_id).toBe(rows[3]!.decision_id);
    expect(rows.find((r) => r.thread_title.includes('HYPERLINK'))!.thread_title.startsWith("'=")).toBe(true);
    expect(csv).toContain('"He said ""hi"",\nthen left — 日本語 🙂"');
  });

  it('streams the same rows as JSON', async () => {
    const { db, ids } = await reportFixture();
    const json = JSON.parse(await text(createTriage({ db }).reports.decisionLog({ ...all, threads: [ids.a!] }, 'json')));
    expect(json).toHaveLength(5);
    expect(json[0]).toMatchObject({ commentId: ids.c6, action: 'hide', moderator: 'mo', flaggedLabels: ['toxicity'], scores: { toxicity: 0.9 } });
    expect(json.find((r: { commentId: number }) => r.commentId === ids.c1).text).toBe(TRICKY_BODY);
  });

  it('pages through more rows than one page holds', async () => {
    const { db } = await reportFixture();
    const service = createTriage({ db }).reports;
    const rows: unknown[] = [];
    for (const r of createReportStore(db).decisionLog(all, 'local@1', 3)) rows.push(r);
    expect(rows).toHaveLength(8);
    expect(JSON.parse(await text(service.decisionLog({ ...all, from: 0, to: 10 }, 'json')))).toEqual([]);
  });
});
