import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp, type BuildAppOptions } from '../../server/app.ts';
import { CLIENT_HEADER } from '../../server/auth/csrf.ts';
import type { Role } from '../../server/auth/roles.ts';
import type { User } from '../../server/auth/store.ts';
import { LABELS, type LabelScores } from '../../server/scoring/labels.ts';
import { FIXTURE_THRESHOLDS } from '../thresholds/fixture.ts';
import type { ParsedComment, ParsedThread } from '../../server/ingest/types.ts';

/** The model name test scores are written under when no scorer runs. */
export const TEST_MODEL = 'test-fixture@1';

/**
 * A fresh in-memory app, without a scorer unless one is asked for, with every threshold at 0.8.
 * Its `inject` sends the client header (X-Requested-With: triage) on every request, as the
 * dashboard's client does, unless the request names that header itself: `undefined` leaves it out.
 */
export async function buildTestApp(options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = await buildApp({ dbPath: ':memory:', scoring: false, webDist: false, initialThresholds: FIXTURE_THRESHOLDS, ...options });
  const inject = app.inject.bind(app);
  app.inject = ((opts: InjectOptions | string) => inject(asClient(opts))) as FastifyInstance['inject'];
  return app;
}

function asClient(opts: InjectOptions | string): InjectOptions {
  const request = typeof opts === 'string' ? { url: opts } : opts;
  const given = { ...(request.headers as Record<string, string | string[] | undefined> | undefined) };
  const { [CLIENT_HEADER.name]: client, ...others } = given;
  const value = CLIENT_HEADER.name in given ? client : CLIENT_HEADER.value;
  return { ...request, headers: (value === undefined ? others : { ...others, [CLIENT_HEADER.name]: value }) as InjectOptions['headers'] };
}

let counter = 0;

export function makeComment(overrides: Partial<ParsedComment> = {}): ParsedComment {
  counter++;
  return { externalId: `c${counter}`, parentExternalId: null, author: `author${counter}`, body: `comment ${counter}`, postedAt: 1_700_000_000_000 + counter, ...overrides };
}

export function makeThread(overrides: Partial<ParsedThread> = {}): ParsedThread {
  counter++;
  return { source: 'test', externalId: `t${counter}`, title: `Thread ${counter}`, url: null, body: 'The article.', comments: [], ...overrides };
}

/** Stores threads through the real import service; returns the new comments' ids by externalId. */
export function insertThreads(app: FastifyInstance, threads: ParsedThread[]): Map<string, number> {
  const result = app.triage.ingest.importParsed({ format: 'json', threads }, { moderatorId: null, source: 'test' });
  const ids = new Map<string, number>();
  for (const threadId of result.threadIds) {
    for (const row of app.triage.stores.moderation.listThreadComments(threadId)) ids.set(row.external_id, row.id);
  }
  return ids;
}

export function scores(partial: Partial<LabelScores>): LabelScores {
  const s = {} as LabelScores;
  for (const label of LABELS) s[label] = partial[label] ?? 0.01;
  return s;
}

/** Writes scores for comments and flags them, as the pipeline does. */
export function writeScores(app: FastifyInstance, entries: [number, Partial<LabelScores>][], model = TEST_MODEL): void {
  const { stores, scoring, now } = app.triage;
  for (const [id] of entries) stores.scoring.enqueue(id, model, now());
  scoring.record(
    entries.map(([commentId, partial]) => ({ commentId, scores: scores(partial) })),
    { model, now: now() },
  );
}

const PASSWORD = 'correct horse battery';

/** Creates a user with the role and signs them in; returns the cookie header to send. */
export async function signIn(app: FastifyInstance, role: Role = 'moderator', username = `${role}${++counter}`): Promise<{ cookie: string; user: User }> {
  const user = await app.triage.auth.addUser({ username, password: PASSWORD, role });
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: PASSWORD } });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.body}`);
  const setCookie = res.cookies.find((c) => c.name === 'triage_session');
  return { cookie: `triage_session=${setCookie!.value}`, user };
}
