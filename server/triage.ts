import { createAdaptationService } from './adaptation/service.ts';
import { createSiteModels } from './adaptation/models.ts';
import { createSiteModelStore } from './adaptation/models-store.ts';
import { createShadowRunner } from './adaptation/shadow.ts';
import type { SiteModelFiles } from './adaptation/site-scorer.ts';
import { createAdaptationStore } from './adaptation/store.ts';
import { createAuthService } from './auth/service.ts';
import { createAuthStore } from './auth/store.ts';
import { createAuthorService } from './authors/service.ts';
import { createAuthorStore } from './authors/store.ts';
import type { Db } from './db/open.ts';
import { createNotifier } from './events/notifier.ts';
import { createRetention } from './events/retention.ts';
import { createEventStore } from './events/store.ts';
import type { ThresholdValues } from './flagging/rules.ts';
import { createFlagging } from './flagging/service.ts';
import { createFlagStore } from './flagging/store.ts';
import { createIntegrationService } from './integrations/service.ts';
import { createIntegrationStore } from './integrations/store.ts';
import { createWebhookSender, type SenderOptions } from './integrations/webhooks/sender.ts';
import { createWebhookService } from './integrations/webhooks/service.ts';
import { createWebhookStore } from './integrations/webhooks/store.ts';
import { parseOffThread } from './ingest/parse-worker.ts';
import { createIngestService } from './ingest/service.ts';
import { createSiteIngest } from './ingest/site.ts';
import { createIngestStore } from './ingest/store.ts';
import { createModerationService } from './moderation/service.ts';
import { createModerationStore } from './moderation/store.ts';
import { createSampleService } from './samples/service.ts';
import { createSampleStore } from './samples/store.ts';
import { createSearchService } from './search/service.ts';
import { createSearchStore } from './search/store.ts';
import { readJobs } from './reads/jobs.ts';
import { createReadRunner } from './reads/runner.ts';
import { createReaderReports } from './reader-reports/service.ts';
import { createReaderReportStore } from './reader-reports/store.ts';
import { createReportService } from './reports/service.ts';
import { createReportStore } from './reports/store.ts';
import { createScoringPipeline, type PipelineOptions } from './scoring/pipeline.ts';
import { createScoringService } from './scoring/service.ts';
import { createScoringStore } from './scoring/store.ts';
import type { Scorer } from './scoring/types.ts';
import { createAnalysisStore } from './thresholds/analysis-store.ts';
import { createThresholdService } from './thresholds/service.ts';
import { createThresholdStore } from './thresholds/store.ts';

export interface TriageOptions {
  /** An open, migrated database; the caller closes it. */
  db: Db;
  /** The clock, so tests can pin time. */
  now?: () => number;
  /** Scores queued comments in the background when given; the caller disposes of it. */
  scorer?: Scorer | null;
  /**
   * `<model id>@<version>` whose scores count. Default: the scorer's model,
   * else the model of the newest stored score when first found (a process that does not score).
   */
  model?: () => string | null;
  /** Thresholds of version 1 when the database has none yet (default DEFAULT_THRESHOLDS). */
  initialThresholds?: ThresholdValues;
  /** Comment ids per re-flagging transaction after a threshold change (default 20,000). */
  reflagChunk?: number;
  /** How the scoring pipeline runs, when there is a scorer. */
  pipeline?: PipelineOptions;
  /** Readers' reports that bring a comment to the queue (default 1; TRIAGE_REPORTS_TO_QUEUE). */
  reportsToQueue?: number;
  /** How webhooks are sent (the sender runs only once started: the server starts it). */
  webhooks?: SenderOptions;
  /** Authors: the score a trusted author's comment must reach (default 0.95; TRIAGE_TRUSTED_BAR), and the repeat-offender rule (off by default; TRIAGE_REPEAT_OFFENDER). */
  authors?: { trustedBar?: number; repeatOffender?: { hidden: number; days: number } | null };
  /** How long opening a comment claims it (default 2 minutes; TRIAGE_CLAIM_SECONDS) and how long a moderator can undo (default 10 minutes; TRIAGE_UNDO_MINUTES). */
  team?: { claimMs?: number; undoWindowMs?: number };
  /** How long events and finished webhook deliveries are kept (default 30 days, and never less than twice the retry window). */
  keepEventsMs?: number;
  /** Loads a site model's scorer (in a worker thread), for the pipeline when one is in force and for shadow scoring. Without it, site models can be trained and promoted, but this process scores only with `scorer`. */
  scorerFor?: (files: SiteModelFiles) => Promise<Scorer>;
}

/**
 * The composition root: every store and service of Triage, each built once on
 * one connection. The server (`buildApp`), every `npx triage` command, the
 * read worker and the benchmarks all start here; nothing else wires services.
 *
 * Dependencies run one way: ingest queues scoring; scoring records scores and
 * asks flagging why each comment needs a human; thresholds keep versions and
 * ask flagging to re-flag; moderation reads the queue and writes decisions;
 * reports read it all.
 */
export function createTriage(options: TriageOptions) {
  const { db, scorer = null } = options;
  const now = options.now ?? Date.now;

  // Readers of the event log (webhook sender, live screens) wake on it after each commit that appended.
  const notifier = createNotifier();
  const stores = {
    events: createEventStore(db, notifier.notify),
    auth: createAuthStore(db),
    ingest: createIngestStore(db),
    scoring: createScoringStore(db),
    flags: createFlagStore(db),
    thresholds: createThresholdStore(db),
    analysis: createAnalysisStore(db),
    moderation: createModerationStore(db, () => model()),
    reports: createReportStore(db),
    integrations: createIntegrationStore(db),
    readerReports: createReaderReportStore(db),
    authors: createAuthorStore(db),
    webhooks: createWebhookStore(db),
    search: createSearchStore(db, () => model()),
    samples: createSampleStore(db, () => model()),
    adaptation: createAdaptationStore(db),
    siteModels: createSiteModelStore(db),
  };
  // A read-only connection (the read worker's) finds the versions the server wrote.
  if (!db.readonly) stores.thresholds.ensureDefaults(now(), options.initialThresholds);

  const siteModels = createSiteModels({
    db,
    store: stores.siteModels,
    events: stores.events,
    now,
    thresholds: () => stores.thresholds.current().values,
    shipped: () => scorer?.model ?? null,
    onInForceChanged: () => pipeline?.wake(),
    flagging: { flag: (ids, m) => flagging.flag(ids, m) },
  });
  // The model whose scores count: the one promoted last (model_versions), else the scorer's. Without a
  // scorer and before any promotion, the newest stored score's model, looked up until one exists and
  // then kept: model() is asked on every request.
  let stored: string | null = null;
  const model: () => string | null =
    options.model ??
    (() => (scorer || stores.siteModels.latestVersion() ? siteModels.inForce() : (stored ??= stores.scoring.latestModel())));
  const scorerFor = options.scorerFor ? (m: string) => options.scorerFor!(siteModels.files(m)) : undefined;

  const flagging = createFlagging({
    db,
    store: stores.flags,
    thresholds: () => stores.thresholds.current(),
    model,
    now,
    reflagChunk: options.reflagChunk,
    reportsToQueue: options.reportsToQueue,
    trustedBar: options.authors?.trustedBar,
    events: stores.events,
  });
  // The reports count is configuration: comments reported before a change follow the count in force.
  if (!db.readonly) flagging.reflagReported();
  const scoring = createScoringService({ db, store: stores.scoring, flagging });
  const pipeline = scorer
    ? createScoringPipeline({ ...options.pipeline, store: stores.scoring, scoring, scorer, now, modelInForce: model, scorerFor, reflagStep: siteModels.reflagStep })
    : null;
  const shadow = scorerFor ? createShadowRunner({ store: stores.siteModels, scorerFor, now, logger: options.pipeline?.logger }) : null;
  const thresholds = createThresholdService({ db, store: stores.thresholds, evidence: stores.analysis, flagging, events: stores.events, now, model });
  const webhooks = createWebhookService({ db, store: stores.webhooks, events: stores.events, now, allowPrivate: options.webhooks?.allowPrivate ?? false });
  const webhookSender = createWebhookSender({ ...options.webhooks, db, store: stores.webhooks, service: webhooks, now });
  notifier.subscribe(webhookSender.wake);
  const retryWindowMs = options.webhooks?.retryWindowMs ?? 24 * 3600_000;
  const retention = createRetention({
    pruners: [stores.events.prune, stores.webhooks.pruneFinished],
    now,
    keepMs: Math.max(options.keepEventsMs ?? 30 * 24 * 3600_000, 2 * retryWindowMs),
  });
  const moderation = createModerationService({
    db,
    store: stores.moderation,
    scoringCounts: scoring.counts,
    thresholds: stores.thresholds,
    now,
    model,
    flagging,
    events: stores.events,
    ...options.team,
  });
  const authors = createAuthorService({
    db,
    store: stores.authors,
    flagging,
    moderation,
    events: stores.events,
    notifier,
    now,
    repeatOffender: options.authors?.repeatOffender,
  });
  const reports = createReportService({ store: stores.reports, thresholds: stores.thresholds, now, model, modelHistory: siteModels.history });
  // New comments: score them (and in shadow) now, and tell the open screens, whose counts and
  // scoring progress no event would otherwise change.
  const commentsArrived = () => {
    pipeline?.wake();
    shadow?.wake();
    notifier.notify();
  };
  const services = {
    db,
    now,
    model,
    stores,
    notifier,
    auth: createAuthService({ db, store: stores.auth, now, onSignOut: (user) => moderation.releaseAll(user) }),
    ingest: createIngestService({
      db,
      store: stores.ingest,
      scoring: stores.scoring,
      now,
      model,
      onImported: commentsArrived,
      onArrived: (from, to) => authors.hideBannedArrivals(from, to),
      parseOffThread,
    }),
    /** Comments sites push through the API. */
    site: createSiteIngest({
      db,
      store: stores.ingest,
      scoring: stores.scoring,
      flagging,
      now,
      model,
      onStored: commentsArrived,
      onArrived: (from, to) => authors.hideBannedArrivals(from, to),
    }),
    /** Readers' reports that sites send. */
    readerReports: createReaderReports({ db, store: stores.readerReports, comments: stores.ingest, flagging, events: stores.events, now }),
    scoring,
    /** Null when nothing scores in this process. */
    pipeline,
    flagging,
    thresholds,
    moderation,
    /** Authors: their comments across threads; watch, trust, ban. */
    authors,
    reports,
    /** API keys of the sites Triage moderates. */
    integrations: createIntegrationService({ db, store: stores.integrations, now }),
    /** Webhook endpoints, their deliveries, and the decisions feed. */
    webhooks,
    /** Sends webhook deliveries in the background, once started. */
    webhookSender,
    /** Prunes old events and deliveries in the background, once started. */
    retention,
    /** Long reads (threshold analysis, shadow view, report summary) off the main thread when the database is a file. */
    reads: createReadRunner(db, readJobs({ thresholds, reports }), () => ({ model: model(), now: now() })),
  };
  return {
    ...services,
    /** Every comment newest first, and full-text search over them. */
    search: createSearchService({ store: stores.search, hydrate: services.moderation.hydrate }),
    /** Missed-abuse samples: unflagged comments drawn at random for moderators to decide. */
    samples: createSampleService({ db, store: stores.samples, moderation: services.moderation, now }),
    /** A site head trained on the moderators' decisions, measured on the most recent ones. */
    adaptation: createAdaptationService({
      store: stores.adaptation,
      now,
      thresholds: () => stores.thresholds.current().values,
      current: () => {
        const inForce = model() ?? siteModels.shipped();
        return { model: inForce, head: siteModels.head(inForce) };
      },
      onTrained: (trained) => siteModels.saveTrained(trained),
    }),
    /** Site models: stored, shadowed, promoted and rolled back; the pipeline follows the one in force. */
    siteModels,
    /** Scores new comments with the shadowing site model, once started; null without `scorerFor`. */
    shadow,
  };
}

export type Triage = ReturnType<typeof createTriage>;

/** Stops background work in order: webhook attempts in flight finish, the pipeline writes its last batch, then the read worker ends. The caller closes the database and scorer. */
export async function stopTriage(triage: Triage): Promise<void> {
  await triage.webhookSender.stop();
  await triage.retention.stop();
  triage.authors.stop();
  await triage.pipeline?.stop();
  await triage.shadow?.stop();
  await triage.adaptation.stop();
  await triage.flagging.stop();
  await triage.reads.close();
}
