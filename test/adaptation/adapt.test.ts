import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReport } from '../../server/adaptation/cli.ts';
import { adaptRows, type AdaptationReport } from '../../server/adaptation/service.ts';
import { decisionsForTraining } from '../../server/adaptation/store.ts';
import { buildSiteFixture, type SiteFixture } from './fixture.ts';

// The shipped model in models/local, a site whose standard it does not know (fixture.ts).
describe('adapting the model to a site that hides crypto touting', () => {
  let site: SiteFixture;
  let report: AdaptationReport;

  beforeAll(async () => {
    site = await buildSiteFixture(400);
    report = await site.triage.adaptation.adapt();
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

  it('is not moved by the held-out labels: flipping every one leaves the head\'s held-out scores as they were', async () => {
    const rows = decisionsForTraining(site.triage.db);
    const cut = rows.length - report.comparison.heldOut;
    const flipped = rows.map((r, i) => (i < cut ? r : { ...r, label: (1 - r.label) as 0 | 1 }));
    const again = await adaptRows(flipped);
    expect(again.commentIds).toEqual(report.commentIds);
    expect(again.heldOutScores).toEqual(report.heldOutScores);
    expect(again.comparison.adapted.rocAuc).toBeCloseTo(1 - report.comparison.adapted.rocAuc!, 10);
  });

  it('beats the shipped model against the moderators on the held-out slice', () => {
    const c = report.comparison;
    expect(c.shipped.rocAuc).not.toBeNull();
    expect(c.adapted.rocAuc!).toBeGreaterThan(c.shipped.rocAuc! + 0.1);
    expect(c.adapted.prAuc!).toBeGreaterThan(c.shipped.prAuc!);
  });

  it('weights the moderators so the busiest counts less than their share of decisions, and reports it', () => {
    const [top] = report.moderators;
    expect(top!.moderator).toBe('alice');
    expect(top!.share).toBeLessThan(top!.decisions / report.trained);
    expect(report.moderators.reduce((s, m) => s + m.share, 0)).toBeCloseTo(1, 6);
    expect(report.moderators.reduce((s, m) => s + m.weight * m.decisions, 0)).toBeCloseTo(report.trained, 3);
  });

  it('warns that 80 held-out comments are too few to trust, and says nothing was promoted', () => {
    const text = formatReport(report).join('\n');
    expect(text).toMatch(/Warning: too small to trust: ROC AUC is known only to ±0\.\d+ \(95%\) on 80 held-out comments/);
    expect(text).toMatch(/Nothing was saved or promoted/);
  });
});
