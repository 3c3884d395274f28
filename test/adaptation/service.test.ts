import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { adaptRows, createAdaptationService, type AdaptationDeps, type AdaptationResult, type TrainingJob } from '../../server/adaptation/service.ts';
import { Conflict, ValidationError } from '../../server/errors.ts';
import { openDatabase } from '../../server/db/open.ts';
import { createAdaptationStore } from '../../server/adaptation/store.ts';
import { DEFAULT_THRESHOLDS } from '../../server/thresholds/defaults.ts';
import { buildSiteFixture, type SiteFixture } from './fixture.ts';

// Training on a worker thread: the contract server/triage.ts wires
// (createAdaptationService), on the synthetic site of fixture.ts.
describe('createAdaptationService: training on a worker thread', () => {
  let site: SiteFixture;
  let shipped: string;
  let inProcess: AdaptationResult;
  const deps = (onTrained: AdaptationDeps['onTrained']): AdaptationDeps => ({
    store: site.triage.stores.adaptation,
    now: () => 42,
    thresholds: () => DEFAULT_THRESHOLDS,
    current: () => ({ model: shipped, head: null }),
    onTrained,
  });

  beforeAll(async () => {
    site = await buildSiteFixture(250, 5, ':memory:', 60);
    const store = site.triage.stores.adaptation;
    inProcess = await adaptRows(store.decisionsForTraining(), { thresholds: DEFAULT_THRESHOLDS, undecided: store.undecidedForComparison() });
    shipped = inProcess.report.model;
  }, 60_000);
  afterAll(() => site.close());

  it('runs start → progress → done, saving once through onTrained a head that scores as adaptRows does in-process', async () => {
    const onTrained = vi.fn(() => 'triage-site@7');
    const service = createAdaptationService(deps(onTrained));
    const seen: TrainingJob[] = [];
    const job = service.start({ id: 1, name: 'alice' }, { onProgress: (j) => seen.push(j) });
    expect(job).toMatchObject({ id: 1, state: 'running', phase: 'reading', by: 'alice', decisions: 250, startedAt: 42, finishedAt: null, model: null });
    expect(() => service.start(null)).toThrow(Conflict);
    expect(service.job()!.state).toBe('running');

    // The server's event loop keeps turning while the worker trains.
    let last = performance.now();
    let longest = 0;
    const tick = setInterval(() => {
      const t = performance.now();
      longest = Math.max(longest, t - last);
      last = t;
    }, 10);
    const done = await service.wait();
    clearInterval(tick);
    expect(longest).toBeLessThan(500);
    expect(done).toMatchObject({ id: 1, state: 'done', phase: 'saving', model: 'triage-site@7', error: null, finishedAt: 42 });
    expect(service.job()).toEqual(done);
    const phases = [...new Set(seen.map((j) => j.phase))];
    expect(phases).toEqual(['featurising', 'training', 'evaluating', 'saving']);
    const featurising = seen.filter((j) => j.phase === 'featurising');
    expect(featurising.at(-1)).toMatchObject({ done: 250 + 60, total: 250 + 60 });
    expect(seen.find((j) => j.phase === 'training' && j.done === j.total)).toMatchObject({ total: 300 });

    expect(onTrained).toHaveBeenCalledTimes(1);
    const [{ head, report, by }] = onTrained.mock.calls[0]! as unknown as Parameters<AdaptationDeps['onTrained']>;
    expect(by).toEqual({ id: 1, name: 'alice' });
    expect(head.ngrams).toBeInstanceOf(Map);
    expect(head.dense).toBeInstanceOf(Float32Array);
    expect(report.commentIds).toEqual(inProcess.report.commentIds);
    expect(head.bias).toBeCloseTo(inProcess.head.bias, 4);
    report.heldOutScores.adapted.forEach((s, i) => expect(s).toBeCloseTo(inProcess.report.heldOutScores.adapted[i]!, 4));
    expect(report.comparison.queue).toEqual(inProcess.report.comparison.queue);
    // A second training may start once the first has ended.
    service.start(null);
    expect((await service.wait()).id).toBe(2);
    expect(onTrained).toHaveBeenCalledTimes(2);
  }, 60_000);

  it('fails the job, saving nothing, when onTrained throws', async () => {
    const service = createAdaptationService(
      deps(() => {
        throw new Error('disk full');
      }),
    );
    service.start(null);
    expect(await service.wait()).toMatchObject({ state: 'failed', model: null, error: 'training succeeded but saving the model failed: disk full' });
  }, 60_000);

  it('stops a running training (server shutdown)', async () => {
    const onTrained = vi.fn(() => 'never');
    const service = createAdaptationService(deps(onTrained));
    service.start(null);
    await service.stop();
    expect(service.job()).toMatchObject({ state: 'failed', error: 'stopped: the server is shutting down' });
    expect(onTrained).not.toHaveBeenCalled();
  });

  it('refuses below 200 decided comments at once, starting nothing', async () => {
    const db = openDatabase(':memory:');
    const onTrained = vi.fn(() => 'never');
    const service = createAdaptationService({ ...deps(onTrained), store: createAdaptationStore(db) });
    expect(() => service.start(null)).toThrow(ValidationError);
    expect(() => service.start(null)).toThrow(/needs at least 200 decided comments; this database has 0 /);
    expect(service.job()).toBeNull();
    await expect(service.wait()).rejects.toThrow(/no site model has been trained/);
    db.close();
  });
});
