// @ts-check
// A tiny news site that has Triage moderate its comments: one article, its
// comments in memory, and the three ways a site talks to Triage:
//   - each new comment is pushed to POST /api/v1/comments (and, on start, every
//     comment: the upsert by comment id makes sending one twice harmless);
//   - a reader's "Report" goes to POST /api/v1/reports;
//   - Triage's webhooks come to POST /webhooks/triage: a comment a moderator
//     hid is shown as removed, one approved (or an undone hide) shows again.
// Plain Node, no dependencies: node:http, node:crypto and fetch.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { REPORT_REASONS, renderArticle } from './page.mjs';
import { createTriageClient, TriageError } from './triage-client.mjs';
import { verifyWebhook } from './verify.mjs';

/**
 * @typedef {import('./page.mjs').Article} Article
 * @typedef {import('./page.mjs').PageComment & { decisionId: number | null }} SiteComment
 *   A comment as the site keeps it; `decisionId`: Triage's last decision applied to it.
 * @typedef {{ id: string, parentId: string | null, author: { id: string, name: string }, text: string, postedAt: string }} SeedComment
 * @typedef {{ article: Article, comments: SeedComment[] }} Seed
 * @typedef {Pick<Console, 'info' | 'warn' | 'error'>} Log
 * @typedef {{
 *   port?: number, host?: string, triageUrl?: string, apiKey?: string, webhookSecret?: string,
 *   publicUrl?: string, seed?: Seed, log?: Log, syncOnStart?: boolean, now?: () => number
 * }} SiteOptions
 *   port 0 picks a free one. publicUrl: the site's address as readers see it
 *   (the thread's url in Triage); default the address it listens on.
 *   syncOnStart: push every comment to Triage before answering (default true).
 */

export const DEFAULT_SEED = /** @type {Seed} */ (JSON.parse(readFileSync(new URL('./seed.json', import.meta.url), 'utf8')));

const FORM_LIMIT_BYTES = 64 * 1024;
const WEBHOOK_LIMIT_BYTES = 1024 * 1024;
const NAME_MAX = 80;
const TEXT_MAX = 5000;
/** Webhook ids remembered to answer a repeat without acting twice. Triage retries a delivery for up to a day. */
const SEEN_MAX = 10_000;
/** Comments per push: POST /api/v1/comments takes at most 1,000. */
const PUSH_BATCH = 1000;

/** @type {Record<string, { text: string, error?: boolean }>} */
const NOTICES = {
  posted: { text: 'Thanks: your comment is up.' },
  reported: { text: 'Thanks: a moderator will look at that comment.' },
  'already-reported': { text: 'You have reported that comment already.' },
  'report-failed': { text: 'Your report could not be sent. Please try again in a minute.', error: true },
};

class HttpError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Starts the site; resolves once it listens (and, with syncOnStart, once its
 * comments were offered to Triage: a Triage that cannot be reached is logged,
 * and those comments go with the next push).
 * @param {SiteOptions} [options]
 */
export async function startSite(options = {}) {
  const {
    port = 4000,
    host = '127.0.0.1',
    triageUrl = 'http://127.0.0.1:3000',
    apiKey,
    webhookSecret,
    seed = DEFAULT_SEED,
    log = console,
    syncOnStart = true,
    now = Date.now,
  } = options;

  const article = seed.article;
  /** Every comment by id, in the order posted (a reply always after its parent). @type {Map<string, SiteComment>} */
  const comments = new Map(seed.comments.map((c) => [c.id, { ...c, hidden: false, decisionId: null }]));
  /** Comments Triage has not acknowledged yet. */
  const unsent = new Set(comments.keys());
  /** Webhook ids already acted on, oldest first. @type {Set<string>} */
  const seenWebhooks = new Set();
  const triage = apiKey ? createTriageClient({ url: triageUrl, apiKey }) : null;
  if (!triage) log.warn('example site: TRIAGE_API_KEY is not set; comments and reports stay on the site');
  if (!webhookSecret) log.warn('example site: TRIAGE_WEBHOOK_SECRET is not set; webhooks are refused');

  let publicUrl = options.publicUrl ?? '';

  /** @param {SiteComment} c @returns {import('./triage-client.mjs').TriageComment} */
  const toTriage = (c) => ({
    id: c.id,
    thread: { id: article.id, title: article.title, url: `${publicUrl}/`, closed: false },
    parentId: c.parentId,
    author: { id: c.author.id, name: c.author.name },
    text: c.text,
    postedAt: c.postedAt,
  });

  /** Sends every unsent comment, parents first. Never throws: a failure is logged and retried with the next push. */
  async function sendUnsent() {
    if (!triage || unsent.size === 0) return;
    const batch = [...comments.values()].filter((c) => unsent.has(c.id)).slice(0, PUSH_BATCH);
    try {
      const answer = await triage.pushComments(batch.map(toTriage));
      for (const r of answer.results) {
        const id = batch[r.index].id;
        unsent.delete(id);
        // A refusal does not go away by sending the same comment again.
        if (r.outcome === 'refused') log.warn(`example site: Triage refused comment ${id}: ${r.reason}`);
      }
      log.info(`example site: sent ${batch.length} comment(s) to Triage: ${JSON.stringify(answer.counts)}`);
    } catch (err) {
      log.error(`example site: could not send comments to Triage (kept for the next try): ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (unsent.size > 0) await sendUnsent();
  }

  // One push at a time, so a reply never overtakes its parent.
  let pushing = Promise.resolve();
  const push = () => (pushing = pushing.then(sendUnsent));

  /**
   * Applies a verified webhook. Only `comment.decided` changes the page;
   * the other events (flagged, report received, test) are acknowledged.
   * @param {any} event
   */
  function applyEvent(event) {
    if (event?.type !== 'comment.decided') return;
    const { comment: ref, decision } = event.data ?? {};
    const comment = typeof ref?.id === 'string' ? comments.get(ref.id) : undefined;
    if (!comment || typeof decision?.status !== 'string') {
      log.warn(`example site: comment.decided for an unknown comment ${JSON.stringify(ref?.id ?? null)}`);
      return;
    }
    // A retried delivery can arrive after a later decision: the newest decision wins.
    if (typeof decision.id === 'number' && comment.decisionId !== null && decision.id < comment.decisionId) return;
    comment.hidden = decision.status === 'hidden';
    comment.decisionId = typeof decision.id === 'number' ? decision.id : comment.decisionId;
    log.info(`example site: comment ${comment.id} is now ${decision.status} (${decision.action})`);
  }

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function webhook(req, res) {
    const raw = await readBody(req, WEBHOOK_LIMIT_BYTES);
    if (!webhookSecret) return sendJson(res, 503, { error: 'This site has no webhook secret (TRIAGE_WEBHOOK_SECRET)' });
    const verified = verifyWebhook(webhookSecret, req.headers, raw, now());
    if (!verified.ok) {
      log.warn(`example site: refused a webhook: ${verified.reason}`);
      return sendJson(res, 401, { error: verified.reason });
    }
    if (seenWebhooks.has(verified.id)) return sendJson(res, 200, { ok: true, duplicate: true });
    let event;
    try {
      event = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendJson(res, 400, { error: 'The body is not JSON' });
    }
    applyEvent(event);
    seenWebhooks.add(verified.id);
    if (seenWebhooks.size > SEEN_MAX) seenWebhooks.delete(seenWebhooks.values().next().value ?? '');
    sendJson(res, 200, { ok: true });
  }

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function postComment(req, res) {
    const form = new URLSearchParams((await readBody(req, FORM_LIMIT_BYTES)).toString('utf8'));
    const name = (form.get('name') ?? '').trim();
    const text = (form.get('text') ?? '').trim();
    const parentId = form.get('parentId') || null;
    if (!name || name.length > NAME_MAX) throw new HttpError(400, `A name of 1 to ${NAME_MAX} characters, please.`);
    if (!text || text.length > TEXT_MAX) throw new HttpError(400, `A comment of 1 to ${TEXT_MAX} characters, please.`);
    if (parentId !== null && !comments.has(parentId)) throw new HttpError(400, 'That comment does not exist any more.');
    /** @type {SiteComment} */
    const comment = {
      id: `c-${randomUUID()}`,
      parentId,
      author: { id: `reader-${readerOf(req, res)}`, name },
      text,
      postedAt: new Date(now()).toISOString(),
      hidden: false,
      decisionId: null,
    };
    comments.set(comment.id, comment);
    unsent.add(comment.id);
    await push();
    redirect(res, `/?notice=posted#comment-${encodeURIComponent(comment.id)}`);
  }

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res @param {string} id */
  async function report(req, res, id) {
    const form = new URLSearchParams((await readBody(req, FORM_LIMIT_BYTES)).toString('utf8'));
    const reason = form.get('reason') ?? 'other';
    const comment = comments.get(id);
    if (!comment) throw new HttpError(404, 'No such comment.');
    if (!REPORT_REASONS.some(([value]) => value === reason)) throw new HttpError(400, 'Pick a reason from the list.');
    let notice = 'report-failed';
    if (triage) {
      try {
        // A comment Triage has not acknowledged yet cannot be reported there: send it first.
        if (unsent.has(id)) await push();
        const answer = await triage.report({ commentId: id, reason, reporterId: readerOf(req, res) });
        notice = answer.counted ? 'reported' : 'already-reported';
      } catch (err) {
        log.error(`example site: could not report comment ${id}: ${err instanceof TriageError ? err.message : String(err)}`);
      }
    }
    redirect(res, `/?notice=${notice}#comment-${encodeURIComponent(id)}`);
  }

  /** @param {URL} url @param {import('node:http').ServerResponse} res @param {import('node:http').IncomingMessage} req */
  function page(url, req, res) {
    readerOf(req, res);
    const notice = NOTICES[url.searchParams.get('notice') ?? ''] ?? null;
    const html = renderArticle({ article, comments: [...comments.values()], notice });
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      // No script at all; forms post only here.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    res.end(html);
  }

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function route(req, res) {
    const url = new URL(req.url ?? '/', 'http://site.invalid');
    const path = url.pathname;
    if (req.method === 'GET' && (path === '/' || path === `/articles/${article.id}`)) return page(url, req, res);
    if (req.method === 'POST' && path === '/comments') return postComment(req, res);
    const reportMatch = /^\/comments\/([^/]+)\/report$/.exec(path);
    if (req.method === 'POST' && reportMatch) return report(req, res, decodeURIComponent(reportMatch[1]));
    if (req.method === 'POST' && path === '/webhooks/triage') return webhook(req, res);
    throw new HttpError(404, 'Not found.');
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) log.error(`example site: ${err instanceof Error ? err.stack : String(err)}`);
      if (res.headersSent) return res.end();
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
      res.end(status === 500 ? 'Something went wrong.' : err.message);
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const shownHost = address.family === 'IPv6' ? `[${address.address === '::' ? '::1' : address.address}]` : address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
  const url = `http://${shownHost}:${address.port}`;
  publicUrl ||= url;
  if (syncOnStart) await push();

  return {
    /** Where the site listens, `http://127.0.0.1:4000`. */
    url,
    port: address.port,
    /** Stops listening, after the push under way. */
    async close() {
      await pushing;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}

/**
 * The reader's id: a random one kept in a cookie (the site has no sign-in).
 * Triage counts one report per reader and comment.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @returns {string}
 */
function readerOf(req, res) {
  const known = /(?:^|;\s*)reader=([0-9a-f-]{36})(?:;|$)/.exec(req.headers.cookie ?? '')?.[1];
  if (known) return known;
  const id = randomUUID();
  // Set once per response, so a page that asks twice gets the same reader.
  const existing = res.getHeader('set-cookie');
  if (typeof existing === 'string' && existing.startsWith('reader=')) return existing.slice(7, 43);
  res.setHeader('set-cookie', `reader=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000`);
  return id;
}

/**
 * The request body as bytes; 413 past `limit`.
 * @param {import('node:http').IncomingMessage} req
 * @param {number} limit
 * @returns {Promise<Buffer>}
 */
async function readBody(req, limit) {
  /** @type {Buffer[]} */
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'That is too long.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** @param {import('node:http').ServerResponse} res @param {number} status @param {unknown} body */
function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Post, redirect, get: a reload does not post again. @param {import('node:http').ServerResponse} res @param {string} location */
function redirect(res, location) {
  res.writeHead(303, { location });
  res.end();
}
