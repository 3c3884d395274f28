/**
 * Readers' reports in the moderation report: reports per reason over the
 * period, and how often moderators upheld them. Everything through the real
 * routes: comments and reports with an API key, decisions and reports signed in.
 */
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, signIn } from '../helpers/app.ts';

const day = (d: number, hour = 12) => Date.UTC(2026, 10, d, hour);
/** The period: 10 to 20 November 2026, both days included. */
const PERIOD = 'from=2026-11-10&to=2026-11-20';

let app: FastifyInstance;
let t = day(1);
let key: string;
let lead: string;
/** A lead signed in now: sessions end after idle time, and this fixture spans weeks. */
const signedIn = async () => (lead = (await signIn(app, 'lead')).cookie);
let ids: Record<string, number>;

const thread = (id: string) => ({ id, title: `Article ${id}`, url: null });

async function report(commentId: string, reason: string, reporterId: string, at: number) {
  t = at;
  const res = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: { authorization: `Bearer ${key}` }, payload: { commentId, reason, reporterId } });
  expect(res.statusCode, res.body).toBe(200);
}

async function decide(name: string, action: string, at: number): Promise<number> {
  t = at;
  await signedIn();
  const res = await app.inject({ method: 'POST', url: `/api/comments/${ids[name]}/decision`, headers: { cookie: lead }, payload: { action } });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { decision: { id: number } }).decision.id;
}

async function undo(decision: number, at: number) {
  t = at;
  await signedIn();
  expect((await app.inject({ method: 'POST', url: `/api/decisions/${decision}/undo`, headers: { cookie: lead } })).statusCode).toBe(200);
}

beforeEach(async () => {
  t = day(1);
  app = await buildTestApp({ now: () => t });
  key = app.triage.integrations.createKey({ name: 'News', source: 'news.example' }, null).key;
  const comments = ['c1', 'c2', 'c3', 'c4', 'c5'].map((id) => ({ id, thread: thread('a1'), text: `comment ${id}` }));
  comments.push({ id: 'c6', thread: thread('a2'), text: 'comment c6' });
  const res = await app.inject({ method: 'POST', url: '/api/v1/comments', headers: { authorization: `Bearer ${key}` }, payload: { comments } });
  expect(res.statusCode, res.body).toBe(200);
  ids = Object.fromEntries((res.json() as { results: { id: string; triageId: number }[] }).results.map((r) => [r.id, r.triageId]));

  // c5 was approved before anyone reported it: that approval answers no report.
  await decide('c5', 'approve', day(5));
  // Three readers report c1 and a lead hides it: upheld.
  await report('c1', 'spam', 'r1', day(10));
  await report('c1', 'spam', 'r2', day(11));
  await report('c1', 'harassment', 'r3', day(11, 13));
  await decide('c1', 'hide', day(12));
  // c2: hidden, the hide undone, then escalated: the escalation stands, upheld.
  await report('c2', 'hate', 'r1', day(12));
  await undo(await decide('c2', 'hide', day(13)), day(13, 13));
  await decide('c2', 'escalate', day(14));
  // c3: approved after its report: not upheld.
  await report('c3', 'spam', 'r1', day(12));
  await decide('c3', 'approve', day(13));
  // c4: reported, decided only after the period: undecided in it; its later report is outside it.
  await report('c4', 'off_topic', 'r1', day(15));
  await report('c4', 'spam', 'r2', day(25));
  await decide('c4', 'hide', day(25));
  await report('c5', 'spam', 'r1', day(16));
  // c6, another thread: hidden then undone, so no decision stands.
  await report('c6', 'threat', 'r1', day(17));
  await undo(await decide('c6', 'hide', day(18)), day(18, 13));
  t = day(28);
  await signedIn();
});
afterEach(() => app.close());

const summary = async (query: string) => {
  const res = await app.inject({ url: `/api/reports/summary?${PERIOD}${query}`, headers: { cookie: lead } });
  expect(res.statusCode, res.body).toBe(200);
  return res;
};

describe('readers\u2019 reports in the moderation report', () => {
  it('counts reports per reason in the period, and how many reported comments moderators upheld', async () => {
    const s = (await summary('')).json();
    expect(s.readerReports).toEqual({
      received: 8,
      byReason: [
        { reason: 'spam', count: 4 },
        { reason: 'harassment', count: 1 },
        { reason: 'hate', count: 1 },
        { reason: 'off_topic', count: 1 },
        { reason: 'threat', count: 1 },
      ],
      comments: 6,
      upheld: 2,
      notUpheld: 1,
      undecided: 3,
    });
    const a2 = (await app.inject({ url: '/api/threads', headers: { cookie: lead } })).json().items.find((i: { title: string }) => i.title === 'Article a2');
    expect((await summary(`&threads=${a2.id}`)).json().readerReports).toEqual({
      received: 1,
      byReason: [{ reason: 'threat', count: 1 }],
      comments: 1,
      upheld: 0,
      notUpheld: 0,
      undecided: 1,
    });
  });

  it('puts the same figures in the CSV and printable summaries', async () => {
    const rows = parse((await summary('&format=csv')).body, { columns: true }) as { section: string; item: string; metric: string; value: string }[];
    const reader = rows.filter((r) => r.section === 'reader reports').map((r) => [r.item, r.metric, r.value]);
    expect(reader).toEqual([
      ['all', 'received', '8'],
      ['spam', 'received', '4'],
      ['harassment', 'received', '1'],
      ['hate', 'received', '1'],
      ['off_topic', 'received', '1'],
      ['threat', 'received', '1'],
      ['all', 'reported comments', '6'],
      ['all', 'upheld', '2'],
      ['all', 'not upheld', '1'],
      ['all', 'undecided', '3'],
    ]);
    const html = (await summary('&format=html')).body;
    expect(html).toContain("<h2>Readers' reports</h2>");
    expect(html).toMatch(/8 reports received on 6 comments\. Of those comments, moderators upheld the reports on\s+2 \(hidden or escalated\) and approved 1; 3 have no decision/);
  });

  it('gives each decision of the log its comment\u2019s reports, as of the export', async () => {
    const res = await app.inject({ url: `/api/reports/decisions?${PERIOD}`, headers: { cookie: lead } });
    expect(res.statusCode, res.body).toBe(200);
    const rows = parse(res.body, { columns: true }) as Record<string, string>[];
    const of = (name: string) => rows.filter((r) => r.comment_id === String(ids[name])).map((r) => [r.action, r.report_count, r.report_reasons]);
    expect(of('c1')).toEqual([['hide', '3', 'spam (2); harassment (1)']]);
    expect(of('c2')).toEqual([
      ['hide', '1', 'hate (1)'],
      ['undo', '1', 'hate (1)'],
      ['escalate', '1', 'hate (1)'],
    ]);
    expect(of('c4')).toEqual([]);
    const json = (await app.inject({ url: `/api/reports/decisions?${PERIOD}&format=json`, headers: { cookie: lead } })).json() as { commentId: number; reportCount: number; reportReasons: unknown }[];
    expect(json.find((d) => d.commentId === ids.c1)).toMatchObject({ reportCount: 3, reportReasons: [{ reason: 'spam', count: 2 }, { reason: 'harassment', count: 1 }] });
  });
});
