// @ts-check
// The two calls a site makes to Triage, from its server (never from its
// pages: the key would be anyone's). docs/integrations.md has the details.

/**
 * @typedef {{ id: string, thread: { id: string, title?: string, url?: string | null, closed?: boolean },
 *   parentId: string | null, author: { id: string | null, name: string | null } | null,
 *   text: string, postedAt: string, deleted?: boolean }} TriageComment
 *   One comment as `POST /api/v1/comments` takes it.
 * @typedef {{ index: number, id: string | null, outcome: 'created' | 'updated' | 'unchanged' | 'refused',
 *   triageId: number | null, reason: string | null }} PushResult
 * @typedef {{ results: PushResult[], counts: Record<PushResult['outcome'], number> }} PushAnswer
 * @typedef {{ commentId: string, triageId: number, counted: boolean, reportCount: number }} ReportAnswer
 */

/** Triage answered with an error (or could not be reached: status 0). */
export class TriageError extends Error {
  /**
   * @param {string} message
   * @param {number} status the HTTP status, 0 when no answer came
   * @param {string | null} code Triage's error code (`UNAUTHENTICATED`, `RATE_LIMITED`, …)
   */
  constructor(message, status, code) {
    super(message);
    this.name = 'TriageError';
    this.status = status;
    this.code = code;
  }
}

/**
 * @param {{ url: string, apiKey: string, timeoutMs?: number }} options
 *   url: where Triage is (`http://127.0.0.1:3000`); apiKey: `trk_…`
 */
export function createTriageClient({ url, apiKey, timeoutMs = 10_000 }) {
  const base = url.replace(/\/+$/, '');

  /**
   * @param {string} path
   * @param {unknown} body
   * @returns {Promise<unknown>}
   */
  async function post(path, body) {
    let res;
    try {
      res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new TriageError(`could not reach Triage at ${base}: ${err instanceof Error ? err.message : String(err)}`, 0, null);
    }
    const text = await res.text();
    /** @type {any} */
    let answer = null;
    try {
      answer = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): reported below by status.
    }
    if (!res.ok) {
      const message = typeof answer?.message === 'string' ? answer.message : `HTTP ${res.status}`;
      throw new TriageError(`Triage refused ${path}: ${message}`, res.status, typeof answer?.error === 'string' ? answer.error : null);
    }
    return answer;
  }

  return {
    /**
     * Sends comments, new or changed (an upsert by comment id: sending one
     * again is harmless). Parents must come before their replies. Answers 200
     * even when some items are refused: look at each result.
     * @param {TriageComment[]} comments at most 1,000
     * @returns {Promise<PushAnswer>}
     */
    pushComments: async (comments) => /** @type {PushAnswer} */ (await post('/api/v1/comments', { comments })),

    /**
     * A reader reported a comment; the same reader reporting it again counts once.
     * @param {{ commentId: string, reason: string, reporterId: string }} report
     * @returns {Promise<ReportAnswer>}
     */
    report: async (report) => /** @type {ReportAnswer} */ (await post('/api/v1/reports', report)),
  };
}
