/**
 * A team on one queue: comment versions and conditional decisions (no
 * silent reversals), claims, undo kept on the server, and the live event
 * stream (GET /api/events) over a real listening server.
 */
import type { FastifyInstance } from 'fastify';
import { get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, insertThreads, makeComment, makeThread, signIn, writeScores } from '../helpers/app.ts';

let app: FastifyInstance;
let t = 1_800_000_000_000;
let ids: Map<string, number>;
let mod1: string;
let mod2: string;
let lead: string;

beforeEach(async () => {
  t = 1_800_000_000_000;
  app = await buildTestApp({ now: () => t });
  ids = insertThreads(app, [makeThread({ comments: ['a', 'b', 'c', 'd'].map((id) => makeComment({ externalId: id, body: `comment ${id}` })) })]);
  writeScores(app, [...ids.values()].map((id) => [id, { insult: 0.9 }]));
  mod1 = (await signIn(app, 'moderator', 'mod1')).cookie;
  mod2 = (await signIn(app, 'moderator', 'mod2')).cookie;
  lead = (await signIn(app, 'lead', 'lead1')).cookie;
});
afterEach(() => app.close());

const comment = async (id: number, cookie = mod1) => (await app.inject({ url: `/api/comments/${id}`, headers: { cookie } })).json().comment;
const decide = (cookie: string, id: number, body: Record<string, unknown>) => app.inject({ method: 'POST', url: `/api/comments/${id}/decision`, headers: { cookie }, payload: body });

describe('comment versions and conditional decisions', () => {
  it('every comment carries a version, bumped on each change of status, text or flags', async () => {
    const a = ids.get('a')!;
    const v1 = (await comment(a)).version;
    await decide(mod1, a, { action: 'escalate' });
    const v2 = (await comment(a)).version;
    expect(v2).toBe(v1 + 1);
    // Its flag goes when the threshold rises above its score.
    await app.triage.thresholds.update({ insult: 0.95 }, { moderatorId: null });
    expect((await comment(a)).version).toBe(v2 + 1);
    const queue = (await app.inject({ url: '/api/queue', headers: { cookie: mod1 } })).json();
    expect(queue.items.every((c: { version: number }) => Number.isInteger(c.version))).toBe(true);
  });

  it('a decision on a comment changed since it was seen is a 409 naming who changed it, to what and when; nothing is reversed', async () => {
    const a = ids.get('a')!;
    const seen = (await comment(a, mod2)).version;
    t += 5000;
    expect((await decide(mod1, a, { action: 'hide', expectedVersion: seen })).statusCode).toBe(200);
    t += 6500;
    const stale = await decide(mod2, a, { action: 'approve', expectedVersion: seen });
    expect(stale.statusCode).toBe(409);
    const body = stale.json();
    expect(body.error).toBe('CONFLICT');
    const at = new Date(1_800_000_005_000).toISOString().slice(11, 19);
    expect(body.message).toBe(`Comment ${a} changed since you saw it: mod1 hid it at ${at} UTC; it is now hidden`);
    expect(body.current.change).toEqual({ by: 'mod1', what: 'hid it', status: 'hidden', at: 1_800_000_005_000 });
    expect(body.current.comment).toMatchObject({ id: a, status: 'hidden', version: seen + 1 });
    expect(app.triage.stores.moderation.getComment(a)!.status).toBe('hidden');
    expect(app.triage.stores.moderation.listDecisions(a)).toHaveLength(1);
  });

  it('of 20 parallel conflicting decisions on one comment, exactly one is recorded', async () => {
    const b = ids.get('b')!;
    const seen = (await comment(b)).version;
    const actions = ['approve', 'hide', 'escalate'];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => decide(i % 2 ? mod1 : mod2, b, { action: actions[i % 3], expectedVersion: seen })),
    );
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(19);
    expect(app.triage.stores.moderation.listDecisions(b)).toHaveLength(1);
  });

  it('bulk decisions apply what is unchanged and report what changed, per comment', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((k) => ids.get(k)!);
    const versions = await Promise.all([a, b, c].map(async (id) => (await comment(id)).version));
    await decide(mod2, b, { action: 'approve' });
    const res = await app.inject({ method: 'POST', url: '/api/decisions', headers: { cookie: mod1 }, payload: { commentIds: [a, b, c], action: 'hide', expectedVersions: versions } });
    expect(res.statusCode, res.body).toBe(200);
    const answer = res.json();
    expect(answer.decisions.map((d: { commentId: number }) => d.commentId)).toEqual([a, c]);
    expect(answer.changed).toHaveLength(1);
    expect(answer.changed[0]).toMatchObject({ comment: { id: b, status: 'approved' }, change: { by: 'mod2', what: 'approved it' } });
    const bad = await app.inject({ method: 'POST', url: '/api/decisions', headers: { cookie: mod1 }, payload: { commentIds: [a, b], action: 'hide', expectedVersions: [1] } });
    expect(bad.json().message).toBe('body/expectedVersions must give one version per comment of commentIds');
  });
});

describe('undo kept on the server', () => {
  it('lists a moderator\u2019s undoable decisions after a reload, and refuses an undo of a comment someone else decided since', async () => {
    const [a, b] = ['a', 'b'].map((k) => ids.get(k)!);
    const first = (await decide(mod1, a, { action: 'hide' })).json().decision;
    const second = (await decide(mod1, b, { action: 'approve' })).json().decision;
    // A new page load asks the server: both are there, newest first.
    const list = (await app.inject({ url: '/api/decisions/undoable', headers: { cookie: mod1 } })).json();
    expect(list.decisions.map((d: { id: number }) => d.id)).toEqual([second.id, first.id]);
    expect(list.windowMs).toBe(600_000);
    expect((await app.inject({ url: '/api/decisions/undoable', headers: { cookie: mod2 } })).json().decisions).toEqual([]);

    await decide(mod2, a, { action: 'escalate' });
    const refused = await app.inject({ method: 'POST', url: `/api/decisions/${first.id}/undo`, headers: { cookie: mod1 } });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().current.change).toMatchObject({ by: 'mod2', what: 'escalated it', status: 'escalated' });
    expect((await app.inject({ url: '/api/decisions/undoable', headers: { cookie: mod1 } })).json().decisions.map((d: { id: number }) => d.id)).toEqual([second.id]);
  });

  it('a moderator undoes within the window; a lead any time', async () => {
    const a = ids.get('a')!;
    const d = (await decide(mod1, a, { action: 'hide' })).json().decision;
    t += 11 * 60_000;
    const late = await app.inject({ method: 'POST', url: `/api/decisions/${d.id}/undo`, headers: { cookie: mod1 } });
    expect(late.statusCode).toBe(409);
    expect(late.json().message).toContain('older than 10 minutes');
    expect((await app.inject({ method: 'POST', url: `/api/decisions/${d.id}/undo`, headers: { cookie: lead } })).statusCode).toBe(200);
  });
});

describe('claims', () => {
  it('opening a comment claims it; others are told who is reviewing it; a lead can take over; release frees it', async () => {
    const a = ids.get('a')!;
    const mine = await app.inject({ method: 'POST', url: `/api/comments/${a}/claim`, headers: { cookie: mod1 } });
    expect(mine.json().claim).toMatchObject({ username: 'mod1', expiresAt: t + 120_000 });
    const queue = (await app.inject({ url: '/api/queue', headers: { cookie: mod2 } })).json();
    expect(queue.items.find((c: { id: number }) => c.id === a).claim).toMatchObject({ username: 'mod1' });
    const theirs = await app.inject({ method: 'POST', url: `/api/comments/${a}/claim`, headers: { cookie: mod2 } });
    expect(theirs.statusCode).toBe(409);
    expect(theirs.json().message).toBe(`mod1 is reviewing comment ${a}`);
    expect((await app.inject({ method: 'POST', url: `/api/comments/${a}/claim`, headers: { cookie: mod2 }, query: { takeOver: 'true' } })).statusCode).toBe(403);
    // Renewed while open.
    t += 60_000;
    expect((await app.inject({ method: 'POST', url: `/api/comments/${a}/claim`, headers: { cookie: mod1 } })).json().claim.expiresAt).toBe(t + 120_000);
    const taken = await app.inject({ method: 'POST', url: `/api/comments/${a}/claim`, headers: { cookie: lead }, query: { takeOver: 'true' } });
    expect(taken.json().claim.username).toBe('lead1');
    expect((await app.inject({ method: 'DELETE', url: `/api/comments/${a}/claim`, headers: { cookie: lead } })).json()).toEqual({ claim: null });
    expect((await comment(a, mod2)).claim).toBeNull();
    // A claim lapses by itself.
    await app.inject({ method: 'POST', url: `/api/comments/${a}/claim`, headers: { cookie: mod2 } });
    t += 120_001;
    expect((await comment(a, mod1)).claim).toBeNull();
    const types = (app.triage.db.prepare("SELECT type FROM events WHERE type LIKE 'comment.%claim%' OR type = 'comment.released' ORDER BY id").all() as { type: string }[]).map((r) => r.type);
    expect(types).toEqual(['comment.claimed', 'comment.claimed', 'comment.released', 'comment.claimed']);
  });

  it('signing out releases the claims the moderator holds', async () => {
    const [a, b] = ['a', 'b'].map((k) => ids.get(k)!);
    for (const id of [a, b]) await app.inject({ method: 'POST', url: `/api/comments/${id}/claim`, headers: { cookie: mod1 } });
    expect((await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: mod1 } })).statusCode).toBe(200);
    expect((await comment(a, mod2)).claim).toBeNull();
    expect((await comment(b, mod2)).claim).toBeNull();
    expect(app.triage.db.prepare("SELECT count(*) AS n FROM events WHERE type = 'comment.released'").get()).toEqual({ n: 2 });
  });
});

/** Reads Server-Sent Events from a real connection. */
function stream(base: string, cookie: string, lastEventId?: string) {
  const events: { id?: string; event: string; data: Record<string, unknown> }[] = [];
  let response: IncomingMessage | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    const req = get(`${base}/api/events`, { headers: { cookie, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) } }, (res) => {
      response = res;
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const fields = Object.fromEntries(block.split('\n').filter((l) => l && !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
          if (fields.data) events.push({ id: fields.id, event: fields.event ?? 'message', data: JSON.parse(fields.data) });
        }
      });
      resolve();
    });
    req.on('error', reject);
  });
  return { events, ready, status: () => response?.statusCode, close: () => response?.destroy() };
}

async function until<T>(check: () => T | undefined | false, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('GET /api/events', () => {
  it('pushes decisions, claims and counts to other screens at once, and catches up from Last-Event-ID', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const screen = stream(base, mod2);
    await screen.ready;
    expect(screen.status()).toBe(200);
    await until(() => screen.events.find((e) => e.event === 'counts'));
    const a = ids.get('a')!;
    await app.inject({ method: 'POST', url: `/api/comments/${a}/claim`, headers: { cookie: mod1 } });
    await decide(mod1, a, { action: 'hide' });
    const decided = await until(() => screen.events.find((e) => e.event === 'comment.decided'));
    expect(decided.data).toMatchObject({ comment: { triageId: a }, decision: { action: 'hide', status: 'hidden' }, moderator: { username: 'mod1', role: 'moderator' } });
    expect(screen.events.map((e) => e.event)).toContain('comment.claimed');
    await until(() => screen.events.filter((e) => e.event === 'counts').length >= 2);
    expect(screen.events.filter((e) => e.event === 'counts').at(-1)!.data).toMatchObject({ queue: 3, hidden: 1 });
    screen.close();

    // Missed while away: resumed from the last id seen.
    await decide(mod1, ids.get('b')!, { action: 'approve' });
    const again = stream(base, mod2, decided.id);
    await again.ready;
    const missed = await until(() => again.events.find((e) => e.event === 'comment.decided'));
    expect(missed.data).toMatchObject({ decision: { status: 'approved' } });
    again.close();

    const anonymous = stream(base, '');
    await anonymous.ready;
    expect(anonymous.status()).toBe(401);
  });
});
