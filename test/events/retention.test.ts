import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/open.ts';
import { createTriage } from '../../server/triage.ts';

describe('event retention', () => {
  it('prunes events and finished deliveries older than the retention, in chunks, and keeps what is pending or recent', async () => {
    const db = openDatabase(':memory:');
    let t = 1_000_000;
    const day = 24 * 3600_000;
    const triage = createTriage({ db, now: () => t, keepEventsMs: 30 * day, webhooks: { allowPrivate: true } });
    await triage.site.receive('s', [{ id: 'c1', thread: { id: 'a' }, text: 'x' }]);
    const endpoint = await triage.webhooks.createEndpoint({ source: 's', url: 'http://127.0.0.1:9/hooks', events: ['report.received'] }, null);
    for (let i = 0; i < 12_000; i++) triage.stores.events.append({ type: 'report.received', commentId: 1, payload: { i }, now: t });
    while (triage.webhooks.fanOut());
    db.prepare("UPDATE webhook_deliveries SET state = 'delivered', finished_at = ? WHERE id <= 100").run(t);
    t += 31 * day;
    triage.stores.events.append({ type: 'report.received', commentId: 1, payload: { i: 'new' }, now: t });
    expect(await triage.retention.prune()).toBe(12_000 + 100);
    expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 1 });
    // Pending deliveries stay, with their bodies, whatever their age.
    expect(db.prepare("SELECT count(*) AS n FROM webhook_deliveries WHERE state = 'pending'").get()).toEqual({ n: 11_900 });
    expect(endpoint.endpoint.id).toBe(1);
    db.close();
  });

  it('never keeps events for less than twice the webhook retry window', async () => {
    const db = openDatabase(':memory:');
    let t = 1_000_000;
    const triage = createTriage({ db, now: () => t, keepEventsMs: 1000, webhooks: { retryWindowMs: 10_000 } });
    await triage.site.receive('s', [{ id: 'c1', thread: { id: 'a' }, text: 'x' }]);
    triage.stores.events.append({ type: 'report.received', commentId: 1, payload: {}, now: t });
    t += 15_000;
    expect(await triage.retention.prune()).toBe(0);
    t += 10_000;
    expect(await triage.retention.prune()).toBe(1);
    db.close();
  });
});
