import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, insertThreads, makeComment, makeThread, signIn, writeScores } from '../helpers/app.ts';

const NOW = Date.UTC(2026, 10, 20, 12);

describe('report routes', () => {
  let app: FastifyInstance;
  let ids: Map<string, number>;

  beforeEach(async () => {
    app = await buildTestApp({ now: () => NOW });
    ids = insertThreads(app, [
      makeThread({ title: '@cmd|calc', comments: [makeComment({ externalId: 'a', body: '=1+1 "quoted"\nnext line ✓' }), makeComment({ externalId: 'b' })] }),
    ]);
    writeScores(app, [
      [ids.get('a')!, { toxicity: 0.95 }],
      [ids.get('b')!, { toxicity: 0.2 }],
    ]);
    const { cookie } = await signIn(app, 'moderator', 'mo');
    await app.inject({ method: 'POST', url: `/api/comments/${ids.get('a')}/decision`, headers: { cookie }, payload: { action: 'hide', note: '-rude' } });
    await app.inject({ method: 'POST', url: `/api/comments/${ids.get('b')}/decision`, headers: { cookie }, payload: { action: 'approve' } });
  });
  afterEach(() => app.close());

  it('is for leads and admins', async () => {
    const { cookie } = await signIn(app, 'moderator');
    for (const url of ['/api/reports/summary', '/api/reports/decisions']) {
      const res = await app.inject({ method: 'GET', url, headers: { cookie } });
      expect(res.statusCode).toBe(403);
    }
    expect((await app.inject({ method: 'GET', url: '/api/reports/summary' })).statusCode).toBe(401);
  });

  it('answers the summary as JSON, CSV and printable HTML', async () => {
    const { cookie } = await signIn(app, 'lead');
    const json = await app.inject({ method: 'GET', url: '/api/reports/summary?from=2026-11-01&to=2026-11-30', headers: { cookie } });
    expect(json.statusCode).toBe(200);
    const s = json.json();
    expect(s.filter).toEqual({ from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 11, 1), threads: null, labels: null });
    expect(s.comments).toMatchObject({ imported: 2, scored: 2, flagged: 1 });
    expect(s.decisions).toMatchObject({ total: 2, byModerator: [{ moderator: 'mo', approve: 1, hide: 1, escalate: 0, total: 2 }] });
    expect(s.agreement).toMatchObject({ n: 2, agree: 2, share: 1 });
    expect(s.timeToDecision).toEqual({ n: 2, medianMs: 0, p90Ms: 0 });

    const csv = await app.inject({ method: 'GET', url: '/api/reports/summary?format=csv&from=2026-11-01&to=2026-11-30', headers: { cookie } });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="triage-summary-2026-11-01-2026-11-30.csv"');
    const rows = parse(csv.body, { columns: true }) as { section: string; item: string; value: string }[];
    expect(rows.find((r) => r.section === 'decisions' && r.item === 'hide')?.value).toBe('1');

    const html = await app.inject({ method: 'GET', url: '/api/reports/summary?format=html', headers: { cookie } });
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.body).toContain('<svg');
    expect(html.body).toContain('@cmd|calc');
  });

  it('filters by thread and label through repeated query parameters', async () => {
    const { cookie } = await signIn(app, 'admin');
    const one = (await app.inject({ method: 'GET', url: `/api/reports/summary?threads=999&labels=insult&labels=toxicity`, headers: { cookie } })).json();
    expect(one.filter).toMatchObject({ threads: [999], labels: ['insult', 'toxicity'] });
    expect(one.comments.imported).toBe(0);
  });

  it('rejects a bad period with a message naming the field', async () => {
    const { cookie } = await signIn(app, 'admin');
    const bad = await app.inject({ method: 'GET', url: '/api/reports/summary?from=yesterday', headers: { cookie } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('querystring/from must be a date');
    const backwards = await app.inject({ method: 'GET', url: '/api/reports/summary?from=2026-11-10&to=2026-11-01', headers: { cookie } });
    expect(backwards.json().message).toBe('querystring/from must be before querystring/to');
  });

  it('streams the decision log as CSV and JSON', async () => {
    const { cookie } = await signIn(app, 'admin');
    const csv = await app.inject({ method: 'GET', url: '/api/reports/decisions?format=csv', headers: { cookie } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="triage-decisions-.*\.csv"$/);
    const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.comment_id, r.action, r.moderator])).toEqual([
      [String(ids.get('a')), 'hide', 'mo'],
      [String(ids.get('b')), 'approve', 'mo'],
    ]);
    expect(rows[0]).toMatchObject({ text: "'=1+1 \"quoted\"\nnext line ✓", thread_title: "'@cmd|calc", note: "'-rude", flagged_labels: 'toxicity', threshold_version: '1' });
    const json = await app.inject({ method: 'GET', url: '/api/reports/decisions?format=json', headers: { cookie } });
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.json()).toHaveLength(2);
  });
});
