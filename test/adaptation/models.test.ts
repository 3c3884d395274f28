import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeHead, headChecksum } from '../../server/adaptation/head-format.ts';
import type { SiteHead } from '../../server/adaptation/head.ts';
import { agreement } from '../../server/adaptation/models.ts';
import { siteLabelScores } from '../../server/adaptation/site-scores.ts';
import type { SiteModelReport } from '../../server/adaptation/schemas.ts';
import { summaryCsv } from '../../server/reports/export.ts';
import { summaryHtml } from '../../server/reports/html.ts';
import { createScorer, type Scorer } from '../../server/scoring/index.ts';
import type { LocalModelManifest } from '../../server/scoring/local-model.ts';
import { LABELS, type Label } from '../../server/scoring/labels.ts';
import { buildTestApp, insertThreads, makeComment, makeThread, signIn } from '../helpers/app.ts';

// The shipped model, loaded once; site models score in this thread (the server puts them in a worker).
const SHIPPED = JSON.parse(readFileSync('models/local/model.json', 'utf8')) as LocalModelManifest;
const SHIPPED_NAME = `${SHIPPED.id}@${SHIPPED.version}`;
let scorer: Scorer;
beforeAll(async () => {
  scorer = await createScorer({ model: 'local', inWorker: false });
});
afterAll(() => scorer.dispose());

let app: FastifyInstance | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await app?.close();
  app = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Only toxicity flags: the site head decides alone whether a comment enters the queue. */
const TOXICITY_ONLY = Object.fromEntries(LABELS.map((l) => [l, l === 'toxicity' ? 0.5 : null])) as Record<Label, number | null>;

/** A head that finds nothing unwelcome: every comment's toxicity is about 0.0003. */
function lenientHead(): SiteHead {
  const d = SHIPPED.architecture.outputs + SHIPPED.architecture.hidden * (SHIPPED.architecture.members ?? 1);
  return { bias: -8, mean: new Float32Array(d), std: new Float32Array(d).fill(1), dense: new Float32Array(d), ngrams: new Map([[12345, 0.5]]) };
}

const figures = { rocAuc: 0.5, prAuc: 0.5, rocAucHalfWidth: 0.1, atThresholds: { flagged: 0, precision: null, recall: null } };
/** A report as training writes it (the comparison is not what these tests look at). */
const REPORT: SiteModelReport = {
  model: SHIPPED_NAME,
  current: SHIPPED_NAME,
  decisions: 200,
  trained: 160,
  positivesTrained: 40,
  trainedUntil: 1,
  heldOutFrom: 2,
  moderators: [{ moderatorId: 1, moderator: 'alice', decisions: 160, weight: 1, share: 1 }],
  samples: { trained: 0, weight: 3 },
  distillation: { rows: 0, share: 0, target: 'toxicity' },
  comparison: { heldOut: 40, positives: 10, negatives: 30, shipped: figures, current: { ...figures, model: SHIPPED_NAME }, adapted: figures, thresholds: TOXICITY_ONLY, queue: null, warnings: [] },
  ms: 1,
};

function storeSiteModel(a: FastifyInstance, head = lenientHead()): string {
  const bytes = encodeHead(head);
  return a.triage.stores.siteModels.insert({
    baseModel: SHIPPED_NAME,
    baseSha256: SHIPPED.weights.sha256,
    denseDim: head.dense.length,
    ngrams: head.ngrams.size,
    head: bytes,
    sha256: headChecksum(bytes),
    report: JSON.stringify(REPORT),
    decisions: REPORT.decisions,
    origin: 'trained',
    importedFrom: null,
    createdBy: null,
    createdAt: a.triage.now(),
  });
}

const HOSTILE = ['You are a worthless idiot and everyone hates you', 'Shut up you stupid moron', 'I hope you die, scum'];
const CIVIL = ['Thanks for the clear write-up on the budget', 'The library opens at nine on Saturdays'];

async function siteApp(dbPath = ':memory:'): Promise<FastifyInstance> {
  const a = await buildTestApp({
    dbPath,
    scoring: { scorer, scorerFor: (files) => createScorer({ model: 'local', site: files, inWorker: false }) },
    initialThresholds: TOXICITY_ONLY,
  });
  await a.ready();
  return a;
}

const count = (a: FastifyInstance, sql: string, ...params: unknown[]) => (a.triage.db.prepare(sql).get(...params) as { n: number }).n;
const queued = (a: FastifyInstance) => count(a, "SELECT count(*) AS n FROM comments WHERE flagged = 1 AND status = 'pending'");

describe('site models: promote, rescore, roll back', () => {
  it('promoting a site model rescores every comment with it, changes the queue, and records it on decisions; a rollback restores the flags without scoring twice', async () => {
    app = await siteApp();
    insertThreads(app, [makeThread({ comments: [...HOSTILE, ...CIVIL].map((body) => makeComment({ body })) })]);
    await app.triage.pipeline!.idle();
    const before = queued(app);
    expect(before).toBeGreaterThanOrEqual(2);
    const first = (app.triage.db.prepare('SELECT min(id) AS id FROM comments').get() as { id: number }).id;
    expect(count(app, 'SELECT flagged AS n FROM comments WHERE id = ?', first)).toBe(1);
    const site = storeSiteModel(app);
    const admin = await signIn(app, 'admin');

    const overview = await app.inject({ url: '/api/models', headers: { cookie: admin.cookie } });
    expect(overview.json()).toMatchObject({ inForce: SHIPPED_NAME, shipped: SHIPPED_NAME, version: 0, models: [{ model: site, state: 'candidate', fits: true }] });

    const promoted = await app.inject({ method: 'PUT', url: '/api/models/in-force', headers: { cookie: admin.cookie }, payload: { model: site, reason: 'the site shrugs at insults', version: 0 } });
    expect(promoted.statusCode, promoted.body).toBe(200);
    expect(promoted.json()).toEqual({ version: 1, model: site });
    expect(app.triage.model()).toBe(site);
    await app.triage.pipeline!.idle();

    // Every comment now has a score of the site model.
    expect(count(app, 'SELECT count(*) AS n FROM scores WHERE model = ?', site)).toBe(5);
    // Its toxicity is the head's; the head caps the other labels, threats aside.
    const pairs = app.triage.db
      .prepare(
        `SELECT s.toxicity AS siteTox, s.insult AS siteInsult, o.insult AS shippedInsult, s.threat AS siteThreat, o.threat AS shippedThreat
         FROM scores s JOIN scores o ON o.comment_id = s.comment_id AND o.model = ? WHERE s.model = ?`,
      )
      .all(SHIPPED_NAME, site) as { siteTox: number; siteInsult: number; shippedInsult: number; siteThreat: number; shippedThreat: number }[];
    for (const p of pairs) {
      expect(p.siteTox).toBeLessThan(0.01);
      expect(p.siteInsult).toBeCloseTo(Math.min(p.shippedInsult, p.siteTox), 6);
      expect(p.siteThreat).toBeCloseTo(p.shippedThreat, 6);
    }
    expect(queued(app)).toBe(0);

    // A decision names the model in force.
    const decided = await app.inject({ method: 'POST', url: `/api/comments/${first}/decision`, headers: { cookie: admin.cookie }, payload: { action: 'hide' } });
    expect(decided.statusCode, decided.body).toBe(200);
    expect((app.triage.db.prepare('SELECT model FROM decisions WHERE comment_id = ?').get(first) as { model: string }).model).toBe(site);

    // A stale version is refused: two admins cannot undo each other unseen.
    const stale = await app.inject({ method: 'PUT', url: '/api/models/in-force', headers: { cookie: admin.cookie }, payload: { model: SHIPPED_NAME, reason: 'back', version: 0 } });
    expect(stale.statusCode).toBe(409);

    const shippedScores = count(app, 'SELECT count(*) AS n FROM scores WHERE model = ?', SHIPPED_NAME);
    const rolledBack = await app.inject({ method: 'PUT', url: '/api/models/in-force', headers: { cookie: admin.cookie }, payload: { model: SHIPPED_NAME, reason: 'Roll back to version 0', version: 1 } });
    expect(rolledBack.statusCode, rolledBack.body).toBe(200);
    await app.triage.pipeline!.idle();
    expect(app.triage.model()).toBe(SHIPPED_NAME);
    // The shipped model's stored scores flag again; nothing was scored twice.
    expect(count(app, 'SELECT count(*) AS n FROM scores WHERE model = ?', SHIPPED_NAME)).toBe(shippedScores);
    // Back as before, less the comment hidden meanwhile.
    expect(queued(app)).toBe(before - 1);
    expect(count(app, "SELECT count(*) AS n FROM flags WHERE model = ?", site)).toBe(0);

    const history = (await app.inject({ url: '/api/models', headers: { cookie: admin.cookie } })).json() as { versions: { model: string; reason: string; by: string }[] };
    expect(history.versions.map((v) => [v.model, v.reason, v.by])).toEqual([
      [SHIPPED_NAME, 'Roll back to version 0', admin.user.username],
      [site, 'the site shrugs at insults', admin.user.username],
    ]);
    // Reports say which model was in force when.
    const report = app.triage.reports.summary({ from: 0, to: app.triage.now() + 1, threads: null, labels: null });
    expect(report.modelsInForce.map((v) => [v.version, v.model, v.until === null])).toEqual([
      [0, SHIPPED_NAME, false],
      [1, site, false],
      [2, SHIPPED_NAME, true],
    ]);
    expect(summaryCsv(report)).toContain(`models in force,version 1,model,${site}`);
    expect(summaryCsv(report)).toContain('models in force,version 1,reason,the site shrugs at insults');
    expect(summaryHtml(report)).toContain(`<td>1</td><td>${site}</td>`);
  });

  it('only admins train, promote and shadow; anyone signed in reads', async () => {
    app = await siteApp();
    const site = storeSiteModel(app);
    const mod = await signIn(app, 'moderator');
    expect((await app.inject({ url: '/api/models', headers: { cookie: mod.cookie } })).statusCode).toBe(200);
    for (const [method, url, payload] of [
      ['PUT', '/api/models/in-force', { model: site, reason: 'x', version: 0 }],
      ['PUT', '/api/models/shadow', { model: site }],
      ['DELETE', '/api/models/shadow', undefined],
      ['POST', '/api/models/training', undefined],
    ] as const) {
      expect((await app.inject({ method, url, headers: { cookie: mod.cookie }, payload })).statusCode, url).toBe(403);
    }
    expect((await app.inject({ url: '/api/models' })).statusCode).toBe(401);
  });

  it('refuses a reason left empty, a model that does not exist, and the model already in force', async () => {
    app = await siteApp();
    const admin = await signIn(app, 'admin');
    const put = (payload: object) => app!.inject({ method: 'PUT', url: '/api/models/in-force', headers: { cookie: admin.cookie }, payload });
    expect((await put({ model: 'triage-site@9', reason: 'x', version: 0 })).statusCode).toBe(404);
    expect((await put({ model: SHIPPED_NAME, reason: 'x', version: 0 })).statusCode).toBe(409);
    const blank = await put({ model: storeSiteModel(app), reason: '   ', version: 0 });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().message).toMatch(/reason/);
  });
});

describe('site models: shadow', () => {
  it('scores only comments stored after it started, flags nothing, and compares both models with the decisions made since', async () => {
    app = await siteApp();
    insertThreads(app, [makeThread({ comments: HOSTILE.map((body) => makeComment({ body })) })]);
    await app.triage.pipeline!.idle();
    const site = storeSiteModel(app);
    const admin = await signIn(app, 'admin');
    const started = await app.inject({ method: 'PUT', url: '/api/models/shadow', headers: { cookie: admin.cookie }, payload: { model: site } });
    expect(started.statusCode, started.body).toBe(200);
    const flagsBefore = count(app, 'SELECT count(*) AS n FROM flags');

    const ids = insertThreads(app, [makeThread({ comments: [makeComment({ externalId: 'late-1', body: HOSTILE[0] }), makeComment({ externalId: 'late-2', body: CIVIL[0] })] })]);
    await app.triage.pipeline!.idle();
    await app.triage.shadow!.idle();
    expect(count(app, 'SELECT count(*) AS n FROM shadow_scores WHERE model = ?', site)).toBe(2);
    expect(count(app, 'SELECT count(*) AS n FROM scores WHERE model = ?', site)).toBe(0);
    expect(count(app, 'SELECT count(*) AS n FROM flags WHERE model = ?', site)).toBe(0);
    expect(count(app, 'SELECT count(*) AS n FROM flags')).toBeGreaterThan(flagsBefore);

    // The hostile one hidden, the civil one approved: the model in force agrees on both, the lenient shadow on one.
    for (const [ext, action] of [['late-1', 'hide'], ['late-2', 'approve']] as const) {
      const r = await app.inject({ method: 'POST', url: `/api/comments/${ids.get(ext)}/decision`, headers: { cookie: admin.cookie }, payload: { action } });
      expect(r.statusCode, r.body).toBe(200);
    }
    const { shadow } = (await app.inject({ url: '/api/models', headers: { cookie: admin.cookie } })).json() as { shadow: { model: string; scored: number; decided: number; agreement: { inForce: { n: number; agree: number }; shadow: { n: number; agree: number; recall: number } } } };
    expect(shadow).toMatchObject({ model: site, scored: 2, decided: 2 });
    expect(shadow.agreement.inForce).toMatchObject({ n: 2, agree: 2 });
    expect(shadow.agreement.shadow).toMatchObject({ n: 2, agree: 1, recall: 0 });

    expect((await app.inject({ method: 'DELETE', url: '/api/models/shadow', headers: { cookie: admin.cookie } })).json()).toEqual({ stopped: true });
    insertThreads(app, [makeThread({ comments: [makeComment({ body: CIVIL[1] })] })]);
    await app.triage.shadow!.idle();
    expect(count(app, 'SELECT count(*) AS n FROM shadow_scores')).toBe(2);
  });

  it("a site model's scores: toxicity is the head's probability, which caps every label but threat and severe toxicity", () => {
    const outputOf = { toxicity: 0, severe_toxicity: null, identity_attack: 1, insult: 2, threat: 3, sexual_explicit: 4, obscene: 5 } as Record<Label, number | null>;
    const probs = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
    expect(siteLabelScores(outputOf, probs, 6, 0, null)).toEqual({ toxicity: 0.9, severe_toxicity: null, identity_attack: 0.8, insult: 0.7, threat: 0.6, sexual_explicit: 0.5, obscene: 0.4 });
    expect(siteLabelScores(outputOf, probs, 6, 0, 0.45)).toEqual({ toxicity: 0.45, severe_toxicity: null, identity_attack: 0.45, insult: 0.45, threat: 0.6, sexual_explicit: 0.45, obscene: 0.4 });
    expect(siteLabelScores(outputOf, probs, 6, 0, 0.95)).toEqual({ toxicity: 0.95, severe_toxicity: null, identity_attack: 0.8, insult: 0.7, threat: 0.6, sexual_explicit: 0.5, obscene: 0.4 });
  });

  it('agreement: flagged by scores against hidden or escalated', () => {
    const s = (toxicity: number) => Object.fromEntries(LABELS.map((l) => [l, l === 'toxicity' ? toxicity : null])) as Record<Label, number | null>;
    const a = agreement(
      [
        { label: 1, scores: s(0.9) },
        { label: 1, scores: s(0.1) },
        { label: 0, scores: s(0.8) },
        { label: 0, scores: s(0.2) },
      ],
      TOXICITY_ONLY,
    );
    expect(a).toEqual({ n: 4, agree: 2, rate: 0.5, precision: 0.5, recall: 0.5 });
  });
});

describe('site models: files and restarts', () => {
  it('exports to a directory with a checksum and imports it back; a corrupt or foreign head is refused with the field at fault', async () => {
    app = await siteApp();
    const site = storeSiteModel(app);
    const dir = mkdtempSync(join(tmpdir(), 'triage-site-model-'));
    dirs.push(dir);
    app.triage.siteModels.exportTo(site, dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 1, model: site, label: 'toxicity', base: { model: SHIPPED_NAME, sha256: SHIPPED.weights.sha256 } });
    expect(app.triage.siteModels.importFrom(dir, null)).toEqual({ model: site, existed: true });

    // Into another installation: a new name, a candidate, scoring like the original.
    const other = await siteApp();
    try {
      const imported = other.triage.siteModels.importFrom(dir, null);
      expect(imported).toEqual({ model: 'triage-site@1', existed: false });
      expect(other.triage.siteModels.overview().models[0]).toMatchObject({ origin: 'imported', importedFrom: site, state: 'candidate' });
    } finally {
      await other.close();
    }

    const bytes = readFileSync(join(dir, 'head.bin'));
    bytes[10] ^= 0xff;
    writeFileSync(join(dir, 'head.bin'), bytes);
    expect(() => app!.triage.siteModels.importFrom(dir, null)).toThrow(/head\.sha256.*corrupt/);
    bytes[10] ^= 0xff;
    writeFileSync(join(dir, 'head.bin'), bytes);
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...manifest, head: { ...manifest.head, sha256: '0'.repeat(64) } }));
    expect(() => app!.triage.siteModels.importFrom(dir, null)).toThrow(/head\.sha256/);
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...manifest, report: { ...manifest.report, comparison: { ...manifest.report.comparison, heldOut: 'many' } } }));
    expect(() => app!.triage.siteModels.importFrom(dir, null)).toThrow(/report\/comparison\/heldOut must be integer/);
    const foreign = { ...manifest, base: { model: 'triage-local@1.2.0', sha256: 'a'.repeat(64) } };
    writeFileSync(join(dir, 'model.json'), JSON.stringify(foreign));
    expect(() => app!.triage.siteModels.importFrom(dir, null)).toThrow(/trained on triage-local@1\.2\.0/);
  });

  it('a restarted server keeps the promoted model in force and scores new comments with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'triage-site-restart-'));
    dirs.push(dir);
    const path = join(dir, 'triage.db');
    app = await siteApp(path);
    const site = storeSiteModel(app);
    app.triage.siteModels.promote({ model: site, reason: 'trial' }, null);
    await app.close();

    app = await siteApp(path);
    expect(app.triage.model()).toBe(site);
    insertThreads(app, [makeThread({ comments: [makeComment({ body: HOSTILE[1] })] })]);
    await app.triage.pipeline!.idle();
    expect(count(app, 'SELECT count(*) AS n FROM scores WHERE model = ?', site)).toBe(1);
    expect(count(app, 'SELECT count(*) AS n FROM scores WHERE model = ?', SHIPPED_NAME)).toBe(0);
    expect(queued(app)).toBe(0);
  });
});
