import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accessHook, checkAccessDeclaration } from './auth/access.ts';
import { authRoutes } from './auth/routes.ts';
import type { User } from './auth/store.ts';
import { openDatabase, type Db } from './db/open.ts';
import { createStorageHealth, type StorageHealth } from './db/storage-health.ts';
import { AppError, StaleComment, TooManyAttempts } from './errors.ts';
import { validationMessage, type SchemaError } from './http.ts';
import type { ThresholdValues } from './flagging/rules.ts';
import { siteIngestRoutes } from './ingest/site-routes.ts';
import { readerReportRoutes } from './reader-reports/routes.ts';
import { webhookRoutes } from './integrations/webhooks/routes.ts';
import { eventRoutes } from './events/routes.ts';
import { authorRoutes } from './authors/routes.ts';
import type { SenderOptions } from './integrations/webhooks/sender.ts';
import { ingestRoutes, IMPORT_LIMIT_BYTES } from './ingest/routes.ts';
import { OPENAPI_OPTIONS, openapiRoutes } from './integrations/openapi.ts';
import { DEFAULT_KEY_RATE_LIMIT, integrationRoutes } from './integrations/routes.ts';
import type { IngestService } from './ingest/service.ts';
import { moderationRoutes } from './moderation/routes.ts';
import { sampleRoutes } from './samples/routes.ts';
import { searchRoutes } from './search/routes.ts';
import { healthSchema } from './moderation/schemas.ts';
import { reportRoutes } from './reports/routes.ts';
import { scoringRoutes } from './scoring/routes.ts';
import { modelRoutes } from './adaptation/routes.ts';
import type { ModelChoice, Scorer } from './scoring/types.ts';
import type { SiteModelFiles } from './adaptation/site-scorer.ts';
import { SECURITY_HEADERS } from './security-headers.ts';
import { coerceParamsAndQuery } from './strict-coercion.ts';
import { thresholdRoutes } from './thresholds/routes.ts';
import { createTriage, stopTriage, type Triage, type TriageOptions } from './triage.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SEED_DIR = join(ROOT, 'seeds');
export const WEB_DIST = join(ROOT, 'web', 'dist');

export interface BuildAppOptions {
  /** SQLite file, or `:memory:` (the default, for tests). Ignored when `db` is given. */
  dbPath?: string;
  /** An open, migrated database; the caller closes it. */
  db?: Db;
  /**
   * Scoring: a scorer the caller owns (and disposes of), a model to load
   * (the app disposes of it on close), or false to run without scoring
   * (comments stay queued until a server with a scorer starts).
   */
  scoring?: { scorer: Scorer; scorerFor?: (files: SiteModelFiles) => Promise<Scorer> } | { model: ModelChoice } | false;
  /** Jobs per scoring batch (default 256). */
  scoringBatchSize?: number;
  /** Import the threads in `seedDir` when the database has none (default false; main.ts turns it on). */
  seed?: boolean;
  seedDir?: string;
  /** Thresholds of version 1 when the database has none yet (default DEFAULT_THRESHOLDS). */
  initialThresholds?: ThresholdValues;
  /** The clock, so tests can pin time. */
  now?: () => number;
  /** Fastify logger options; off by default (tests). */
  logger?: FastifyServerOptions['logger'];
  /** Folder of the built dashboard; served with SPA fallback when it holds an index.html. False to skip. */
  webDist?: string | false;
  /**
   * Fastify's `trustProxy` (server/config.ts, TRIAGE_TRUST_PROXY): believe
   * X-Forwarded-Proto/-Host/-For from these proxies (true: from any), so
   * cookies get Secure behind a TLS proxy. Default false.
   */
  trustProxy?: boolean | string;
  /** Requests an API key may make a minute on /api/v1/ routes (server/config.ts, TRIAGE_API_RATE_LIMIT; default 600). */
  keyRateLimit?: number;
  /** Readers' reports that bring a comment to the review queue (server/config.ts, TRIAGE_REPORTS_TO_QUEUE; default 1). */
  reportsToQueue?: number;
  /** How webhooks are sent: retry window, private addresses (TRIAGE_WEBHOOK_RETRY_HOURS, TRIAGE_WEBHOOKS_ALLOW_PRIVATE). */
  webhooks?: SenderOptions;
  /** Authors: the trusted bar and the repeat-offender rule (TRIAGE_TRUSTED_BAR, TRIAGE_REPEAT_OFFENDER). */
  authors?: TriageOptions['authors'];
  /** Claims and undo (TRIAGE_CLAIM_SECONDS, TRIAGE_UNDO_MINUTES). */
  team?: TriageOptions['team'];
  /** Send webhooks from this app (default true; tests that look at deliveries without sending turn it off). */
  sendWebhooks?: boolean;
  /** Called for each route as it is registered, with its options (the tests list every route this way). */
  onRoute?: (route: RouteOptions) => void;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every store and service (server/triage.ts). */
    triage: Triage;
    /** Whether the database file has been failing, for the error handler and GET /api/health. */
    storage: StorageHealth;
  }
  interface FastifyRequest {
    /** Set by the access hook (server/auth/access.ts) on every route that needs a session. */
    user: User | null;
  }
}

/** The single place errors become responses: `{ error: code, message }`. */
export function errorHandler(this: FastifyInstance, error: FastifyError | AppError | Error, request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) {
  // Disk full, read-only or broken database file: a 503 naming the file and the cause; health turns degraded.
  const storage = this.storage.record(error);
  if (storage) {
    request.log.error({ err: error, file: this.storage.file, code: storage.storageCode }, 'database storage failed');
    return reply.status(storage.status).send({ error: storage.code, message: storage.message });
  }
  if (error instanceof TooManyAttempts) reply.header('retry-after', String(error.retryAfter));
  if (error instanceof StaleComment) return reply.status(409).send({ error: error.code, message: error.message, current: error.current });
  if (error instanceof AppError) {
    if (error.status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(error.status).send({ error: error.code, message: error.message });
  }
  const fe = error as FastifyError;
  if (fe.validation) {
    return reply.status(400).send({ error: 'VALIDATION', message: validationMessage((fe.validation ?? []) as SchemaError[], fe.validationContext ?? 'body') ?? fe.message });
  }
  const status = fe.statusCode ?? 500;
  if (status === 413) {
    // The limit of this route: 1 MB for most, the import's own for /api/import.
    const limit = fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? request.routeOptions.bodyLimit : IMPORT_LIMIT_BYTES;
    return reply.status(413).send({ error: 'PAYLOAD_TOO_LARGE', message: `Request body is larger than ${megabytes(limit)}` });
  }
  if (status === 415) return reply.status(415).send({ error: 'UNSUPPORTED_MEDIA_TYPE', message: `Unsupported content type ${request.headers['content-type'] ?? '(none)'}` });
  if (status >= 400 && status < 500) {
    // Parser messages can quote the body (comment text): say what, not the content.
    const message =
      fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
        ? 'body must not be empty'
        : fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
          ? 'body is not valid JSON'
          : 'bad request';
    return reply.status(status).send({ error: 'VALIDATION', message });
  }
  request.log.error({ err: error }, 'unexpected error');
  return reply.status(500).send({ error: 'INTERNAL', message: 'Something went wrong on the server; it has been logged' });
}

const megabytes = (bytes: number): string => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/** Imports every file in the seed folder, in name order, as one import each. */
export function importSeeds(ingest: IngestService, dir: string): number {
  if (!existsSync(dir)) return 0;
  let threads = 0;
  for (const name of readdirSync(dir).filter((f) => !f.startsWith('.')).sort()) {
    const result = ingest.importText(readFileSync(join(dir, name), 'utf8'), { moderatorId: null, source: `seed:${name}` });
    threads += result.threads;
  }
  return threads;
}

/**
 * The whole server as a Fastify instance, not listening: main.ts listens,
 * tests use `app.inject`. Registers, in order: database, scorer, domains,
 * the error handler, cookies, uploads and the dashboard.
 */
export async function buildApp(options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const now = options.now ?? Date.now;
  const app = Fastify({
    logger: options.logger ?? false,
    // No type coercion: a JSON body must have the right types. Params and query strings are text,
    // coerced strictly by server/strict-coercion.ts before validation.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false } },
    trustProxy: options.trustProxy ?? false,
    // Sane default for JSON bodies; the import route raises its own limit.
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // 1. Database.
  const ownsDb = !options.db;
  const db = options.db ?? openDatabase(options.dbPath ?? ':memory:');
  const storage = createStorageHealth(db);
  app.decorate('storage', storage);

  // 2. Scorer (in a worker thread).
  const scoring = options.scoring ?? { model: 'local' as const };
  let scorer: Scorer | null = null;
  let ownsScorer = false;
  // Site models (issue 11) score in a worker thread of their own, over the local model.
  let scorerFor: ((files: SiteModelFiles) => Promise<Scorer>) | undefined;
  if (scoring) {
    if ('scorer' in scoring) {
      scorer = scoring.scorer;
      scorerFor = scoring.scorerFor;
    } else {
      const { createScorer } = await import('./scoring/index.ts');
      if (scoring.model !== 'toxicity') scorerFor = (files) => createScorer({ model: 'local', site: files, logger: app.log });
      try {
        scorer = await createScorer({ model: scoring.model, logger: app.log });
      } catch (err) {
        if (ownsDb) db.close();
        throw err;
      }
      ownsScorer = true;
    }
  }

  // 3. Every store and service, built once.
  const triage = createTriage({
    db,
    now,
    scorer,
    scorerFor,
    initialThresholds: options.initialThresholds,
    reportsToQueue: options.reportsToQueue,
    authors: options.authors,
    team: options.team,
    webhooks: { log: app.log, ...options.webhooks },
    pipeline: { batchSize: options.scoringBatchSize, logger: app.log, onError: (err) => storage.record(err) },
  });
  // In this order: the pipeline writes its last batch, then the scorer and the database go.
  app.addHook('onClose', async () => {
    await stopTriage(triage);
    if (ownsScorer) await scorer?.dispose();
    if (ownsDb && db.open) db.close();
  });
  app.decorate('triage', triage);
  app.decorateRequest('user', null);
  app.decorateRequest('apiKey', null);

  if (options.seed && triage.stores.ingest.countThreads() === 0) {
    try {
      const threads = importSeeds(triage.ingest, options.seedDir ?? SEED_DIR);
      app.log.info({ threads }, 'imported seed threads');
    } catch (err) {
      // The app never started, so its onClose will not run: release what it holds.
      if (ownsScorer) await scorer?.dispose();
      if (ownsDb) db.close();
      throw err;
    }
  }

  // 4. One error handler, then the plumbing every route relies on.
  app.setErrorHandler(errorHandler);
  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: IMPORT_LIMIT_BYTES, files: 1 } });
  // Security headers first, so every answer has them, refusals included.
  await app.register(helmet, SECURITY_HEADERS);
  // Deny by default: every route needs a session unless it declares `config: { access: 'public' }`.
  app.addHook('onRoute', checkAccessDeclaration);
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  app.addHook('onRequest', accessHook(triage.auth, triage.integrations));
  app.addHook('preValidation', coerceParamsAndQuery);

  // Per-address limits, on the routes that ask for them (sign-in: server/auth/throttle.ts).
  await app.register(rateLimit, { global: false });
  // The /api/v1/ routes' OpenAPI document (server/integrations/openapi.ts): before any route, to see them all.
  await app.register(swagger, OPENAPI_OPTIONS);

  app.get('/api/health', { schema: healthSchema, config: { access: 'public' } }, async (_request, reply) => {
    let m: string | null = null;
    try {
      m = triage.model();
      const failure = storage.failure();
      if (failure) return reply.status(503).send({ ok: false as const, reason: failure.message, model: m });
      const counts = m ? triage.scoring.counts(m) : { pending: 0, done: 0, failed: 0 };
      return { ok: true as const, model: m, scoring: { pending: counts.pending, done: counts.done, failed: counts.failed } };
    } catch (err) {
      const failure = storage.record(err);
      if (!failure) throw err;
      return reply.status(503).send({ ok: false as const, reason: failure.message, model: m });
    }
  });
  await app.register(authRoutes, { auth: triage.auth });
  await app.register(ingestRoutes, { ingest: triage.ingest });
  await app.register(moderationRoutes, { moderation: triage.moderation });
  await app.register(searchRoutes, { search: triage.search });
  await app.register(sampleRoutes, { samples: triage.samples });
  await app.register(thresholdRoutes, { thresholds: triage.thresholds, reads: triage.reads });
  await app.register(scoringRoutes, { store: triage.stores.scoring, pipeline: triage.pipeline, model: triage.model, now: triage.now });
  await app.register(reportRoutes, { reports: triage.reports, reads: triage.reads, now: triage.now });
  const keyRateLimit = options.keyRateLimit ?? DEFAULT_KEY_RATE_LIMIT;
  await app.register(integrationRoutes, { integrations: triage.integrations, keyRateLimit });
  await app.register(siteIngestRoutes, { site: triage.site, keyRateLimit });
  await app.register(readerReportRoutes, { readerReports: triage.readerReports, keyRateLimit });
  await app.register(webhookRoutes, { webhooks: triage.webhooks, keyRateLimit });
  await app.register(authorRoutes, { authors: triage.authors, moderation: triage.moderation });
  await app.register(eventRoutes, { events: triage.stores.events, notifier: triage.notifier, counts: () => triage.moderation.stats().comments });
  app.addHook('onReady', async () => {
    if (options.sendWebhooks ?? true) triage.webhookSender.start();
    triage.retention.start();
    triage.authors.start();
  });
  await app.register(modelRoutes, { adaptation: triage.adaptation, siteModels: triage.siteModels, shadow: triage.shadow });
  await app.register(openapiRoutes);

  // 5. The dashboard, when built: any non-API path gets index.html (client-side routing).
  // Its files are public (the sign-in page loads without a session), and only they: the
  // onRoute hook below sees the routes of this one plugin context.
  const webDist = options.webDist ?? WEB_DIST;
  const indexHtml = webDist !== false && existsSync(join(webDist, 'index.html')) ? join(webDist, 'index.html') : null;
  if (webDist !== false && indexHtml) {
    await app.register(async function dashboard(web) {
      web.addHook('onRoute', (route) => {
        route.config = { ...route.config, access: 'public' };
      });
      // The page and the top-level files: a route per file found at start.
      await web.register(fastifyStatic, { root: webDist, wildcard: false });
      // The hashed bundles: looked up per request under /assets/ only, so a rebuild under a running
      // server is served at once, and a missing one is a 404 (the not-found handler), never the page.
      await web.register(fastifyStatic, { root: join(webDist, 'assets'), prefix: '/assets/', wildcard: true, decorateReply: false });
    });
  }
  // Unmatched requests are public too (access.ts): they get the dashboard's page or an error naming
  // the path, never data. The path only chooses which of the two: a page route gets the page, a
  // missing file (an old hashed asset after a rebuild, anything with an extension) a 404, so the
  // browser fails loudly instead of running index.html as a script.
  app.setNotFoundHandler(async (request, reply) => {
    if (indexHtml && request.method === 'GET' && isPageRoute(request.url)) {
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(await readFile(indexHtml));
    }
    return reply.status(404).send({ error: 'NOT_FOUND', message: `${request.method} ${request.url.split('?')[0]} not found` });
  });

  app.addHook('onReady', async () => {
    triage.pipeline?.start();
    triage.shadow?.start();
    // A threshold change a stopped server left half re-flagged finishes now,
    // and an import it left half written is taken back out, in the background.
    void triage.flagging.resume().catch((err: unknown) => {
      storage.record(err);
      app.log.error({ err }, 're-flagging failed');
    });
    void triage.ingest
      .recover()
      .then((n) => n > 0 && app.log.warn({ imports: n }, 'took back imports a stopped process left half written'))
      .catch((err: unknown) => {
        storage.record(err);
        app.log.error({ err }, 'taking back unfinished imports failed');
      });
  });
  return app;
}

/** A path the dashboard's page answers: not the API, not its built files, not a file name. */
function isPageRoute(url: string): boolean {
  const path = url.split('?')[0];
  if (path.startsWith('/api/') || path === '/assets' || path.startsWith('/assets/')) return false;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return !last.includes('.');
}
