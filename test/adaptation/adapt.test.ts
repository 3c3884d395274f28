import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReport } from '../../server/adaptation/cli.ts';
import { adaptRows, type AdaptationReport, type AdaptOptions } from '../../server/adaptation/service.ts';
import { decisionsForTraining } from '../../server/adaptation/store.ts';
import { DEFAULT_THRESHOLDS } from '../../server/thresholds/defaults.ts';
import { buildSiteFixture, type SiteFixture } from './fixture.ts';

// The shipped model in models/local, a site whose standard it does not know (fixture.ts),
// with 200 pending comments nobody decided (distillation and queue movement).
describe('adapting the model to a site that hides crypto touting', () => {
  let site: SiteFixture;
  let report: AdaptationReport;
  let options: AdaptOptions;

  beforeAll(async () => {
    site = await buildSiteFixture(400, 11, ':memory:', 200);
    options = { thresholds: DEFAULT_THRESHOLDS, undecided: site.triage.stores.adaptation.undecidedForComparison() };
    ({ report } = await adaptRows(decisionsForTraining(site.triage.db), options));
  }, 60_000);
  afterAll(() => site.close());

  it('trains on the oldest 80% of the decided comments and holds out the most recent 20%, never trained on', () => {
    expect(report.decisions).toBe(400);
    expect(report.trained).toBe(320);
    expect(report.comparison.heldOut).toBe(80);
    const trained = new Set(report.commentIds.trained);
    expect(report.commentIds.heldOut.filter((id) => trained.has(id))).toEqual([]);
    expect(report.commentIds.heldOut).toEqual(site.decided.slice(320));
    expect(report.heldOutFrom).toBeGreaterThan(report.trainedUntil);
  });

  it('distils from undecided comments only: none held out, none decided, and the rest measure queue movement', () => {
    const { trained, heldOut, distilled } = report.commentIds;
    expect(report.distillation.rows).toBe(100);
    expect(distilled).toHaveLength(100);
    const decided = new Set([...trained, ...heldOut]);
    expect(distilled.filter((id) => decided.has(id))).toEqual([]);
    expect(new Set(distilled).size).toBe(100);
    expect(distilled.every((id) => site.undecided.includes(id))).toBe(true);
    expect(report.comparison.queue?.compared).toBe(100);
  });

  it('is not moved by the held-out labels: flipping every one leaves the head\'s held-out scores as they were', async () => {
    const rows = decisionsForTraining(site.triage.db);
    const cut = rows.length - report.comparison.heldOut;
    const flipped = rows.map((r, i) => (i < cut ? r : { ...r, label: (1 - r.label) as 0 | 1 }));
    const { report: again } = await adaptRows(flipped, options);
    expect(again.commentIds).toEqual(report.commentIds);
    expect(again.heldOutScores).toEqual(report.heldOutScores);
    expect(again.comparison.adapted.rocAuc).toBeCloseTo(1 - report.comparison.adapted.rocAuc!, 10);
  }, 60_000);

  it('beats the shipped model against the moderators on the held-out slice', () => {
    const c = report.comparison;
    expect(report.current).toBe(report.model);
    expect(c.current.model).toBe(report.model);
    expect(c.shipped.rocAuc).not.toBeNull();
    expect(c.adapted.rocAuc!).toBeGreaterThan(c.shipped.rocAuc! + 0.1);
    expect(c.adapted.prAuc!).toBeGreaterThan(c.shipped.prAuc!);
    // Crypto touting is nothing the shipped model flags: the site head finds more of what the moderators hide.
    expect(c.adapted.atThresholds.recall!).toBeGreaterThan(c.current.atThresholds.recall!);
  });

  it('weights the moderators so the busiest counts less than their share of decisions, and reports it', () => {
    const [top] = report.moderators;
    expect(top!.moderator).toBe('alice');
    expect(top!.share).toBeLessThan(top!.decisions / report.trained);
    expect(report.moderators.reduce((s, m) => s + m.share, 0)).toBeCloseTo(1, 6);
    expect(report.moderators.reduce((s, m) => s + m.weight * m.decisions, 0)).toBeCloseTo(report.trained, 3);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('warns that 80 held-out comments are too few to trust, and prints precision, recall and queue movement', () => {
    const text = formatReport(report).join('\n');
    console.log(text);
    expect(text).toMatch(/Warning: too small to trust: ROC AUC is known only to ±0\.\d+ \(95%\) on 80 held-out comments/);
    expect(text).toMatch(/\nsite head \(max label\) +[01]\.\d{3} ±0\.\d{3} +[01]\.\d{3} +\d+ +(\d+\.\d%|n\/a) +\d+\.\d%\n/);
    expect(text).toMatch(/Queue movement on 100 pending undecided comments: \d+ would enter the queue, \d+ would leave it/);
  });
});
