/**
 * The dashboard's only HTTP client: every call to the server goes through
 * `request`, so errors arrive in one shape (`ApiError`) carrying the server's
 * code and message (docs/api.md).
 */
import type {
  ApiKey,
  AuthorActionAnswer,
  AuthorActionRequest,
  AuthorPage,
  AuthorUndoAnswer,
  BulkDecisionAnswer,
  ClaimAnswer,
  CreatedApiKey,
  CreatedWebhookEndpoint,
  CommentContext,
  CommentPage,
  DecisionAction,
  DecisionAnswer,
  ErrorCode,
  HiddenByRuleItem,
  ImportFormat,
  ImportResult,
  Label,
  ManagedUser,
  MissedSample,
  NewApiKey,
  NewWebhookEndpoint,
  QueuePage,
  QueueSort,
  Role,
  SampleDecisionAnswer,
  SampleWithItems,
  Stale,
  Stats,
  Status,
  ThreadPage,
  ThreadWithComments,
  UndoableAnswer,
  User,
  WebhookDelivery,
  WebhookEndpoint,
} from '../../../server/wire.ts';

import { CLIENT_HEADER } from '../../../server/wire.ts';

// The wire types are the server's own (server/wire.ts, derived from its route
// schemas), imported as types only: Vite erases these imports. Text from
// comments (`Comment.body`, authors, titles) is untrusted: render it with
// `{comment.body}`, never as HTML.
export type * from '../../../server/wire.ts';
/** What a moderator decides about a comment; an undo is a call of its own. */
export type Action = DecisionAction;

export interface QueueFilters {
  sort: QueueSort;
  status: Status;
  label: Label | '';
  thread: number | null;
  minScore: number | null;
  maxScore: number | null;
  /** Only comments readers reported. */
  reported: boolean;
}

/** The all-comments list's filters; `q` (words) turns it into a search. */
export interface CommentFilters {
  q: string;
  status: Status | '';
  label: Label | '';
  thread: number | null;
  reported: boolean;
}

/**
 * A failed call. `code` is the server's error code, or NETWORK when no answer came.
 * `current`: on a 409 for a comment that changed since it was seen, the comment now and what changed it.
 */
export class ApiError extends Error {
  readonly code: ErrorCode | 'NETWORK' | 'BAD_RESPONSE';
  readonly status: number;
  readonly current: Stale | null;

  constructor(code: ApiError['code'], status: number, message: string, current: Stale | null = null) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.current = current;
  }
}

/** Called on every 401 that is not a failed sign-in, so the session can show the sign-in screen. */
let onUnauthenticated: () => void = () => {};
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

export type Query = Record<string, string | number | null | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * Sends one API call and returns its JSON. Exported so other typed clients
 * (e.g. `api-thresholds.ts`) share the one fetch and its error handling.
 */
export async function request<T>(
  method: string,
  path: string,
  options: { query?: Query; json?: unknown; form?: FormData; keepalive?: boolean } = {},
): Promise<T> {
  // The client header on every call: the server refuses signed-in changes without it (CSRF, docs/api.md).
  const init: RequestInit = { method, headers: { accept: 'application/json', [CLIENT_HEADER.name]: CLIENT_HEADER.value }, credentials: 'same-origin' };
  // Sent even while the page unloads (releasing a claim as the moderator leaves).
  if (options.keepalive) init.keepalive = true;
  if (options.json !== undefined) {
    init.body = JSON.stringify(options.json);
    init.headers = { ...init.headers, 'content-type': 'application/json' };
  } else if (options.form) {
    init.body = options.form;
  }
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), init);
  } catch {
    throw new ApiError('NETWORK', 0, 'The server did not answer; check that it is running');
  }
  const text = await response.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      throw new ApiError('BAD_RESPONSE', response.status, `The server answered ${response.status} with something that is not JSON`);
    }
  }
  if (!response.ok) {
    const body = (data ?? {}) as { error?: string; message?: string; current?: Stale };
    const code = (typeof body.error === 'string' ? body.error : 'INTERNAL') as ErrorCode;
    const current = response.status === 409 && body.current ? body.current : null;
    const error = new ApiError(code, response.status, body.message ?? `Request failed with status ${response.status}`, current);
    if (response.status === 401 && code === 'UNAUTHENTICATED') onUnauthenticated();
    throw error;
  }
  return data as T;
}

export const api = {
  login: (username: string, password: string) => request<{ user: User }>('POST', '/api/auth/login', { json: { username, password } }),
  logout: () => request<{ ok: true }>('POST', '/api/auth/logout'),
  me: () => request<{ user: User }>('GET', '/api/me'),

  users: () => request<{ users: ManagedUser[] }>('GET', '/api/users'),
  addUser: (user: { username: string; password: string; role: Role }) => request<{ user: User }>('POST', '/api/users', { json: user }),
  updateUser: (id: number, change: { role?: Role; password?: string; disabled?: boolean }) =>
    request<{ user: User }>('PATCH', `/api/users/${id}`, { json: change }),

  apiKeys: () => request<{ keys: ApiKey[] }>('GET', '/api/integrations/keys'),
  /** The answer holds the key itself, this once. */
  createApiKey: (key: NewApiKey) => request<CreatedApiKey>('POST', '/api/integrations/keys', { json: key }),
  revokeApiKey: (id: number) => request<{ apiKey: ApiKey }>('DELETE', `/api/integrations/keys/${id}`),

  webhooks: () => request<{ endpoints: WebhookEndpoint[] }>('GET', '/api/webhooks'),
  /** The answer holds the signing secret itself, this once. */
  createWebhook: (endpoint: NewWebhookEndpoint) => request<CreatedWebhookEndpoint>('POST', '/api/webhooks', { json: endpoint }),
  deleteWebhook: (id: number) => request<{ endpoint: WebhookEndpoint }>('DELETE', `/api/webhooks/${id}`),
  /** Turns a disabled endpoint back on; its waiting events are sent again. */
  enableWebhook: (id: number) => request<{ endpoint: WebhookEndpoint }>('POST', `/api/webhooks/${id}/enable`),
  /** The endpoint's 50 newest deliveries, newest first. */
  webhookDeliveries: (id: number) => request<{ deliveries: WebhookDelivery[] }>('GET', `/api/webhooks/${id}/deliveries`),
  sendTestWebhook: (id: number) => request<{ delivery: WebhookDelivery }>('POST', `/api/webhooks/${id}/test`),
  redeliverWebhook: (deliveryId: number) => request<{ delivery: WebhookDelivery }>('POST', `/api/webhooks/deliveries/${deliveryId}/redeliver`),

  queue: (filters: QueueFilters, cursor: string | null, limit = 50) =>
    request<QueuePage>('GET', '/api/queue', {
      query: {
        sort: filters.sort,
        status: filters.status,
        label: filters.label,
        thread: filters.thread,
        minScore: filters.minScore,
        maxScore: filters.maxScore,
        reported: filters.reported ? 'true' : null,
        cursor,
        limit,
      },
    }),
  /** Every comment, newest first, flagged or not; with `q`, a full-text search (words of the text or author) over the same list. */
  comments: (filters: CommentFilters, cursor: string | null, limit = 50) => {
    const query = {
      status: filters.status || null,
      label: filters.label || null,
      reported: filters.reported ? 'true' : null,
      cursor,
      limit,
    };
    const q = filters.q.trim();
    return q === ''
      ? request<CommentPage>('GET', '/api/comments', { query: { ...query, thread: filters.thread } })
      : request<CommentPage>('GET', '/api/search', { query: { ...query, q, threadId: filters.thread } });
  },

  samples: () => request<{ samples: MissedSample[] }>('GET', '/api/samples'),
  sample: (id: number) => request<SampleWithItems>('GET', `/api/samples/${id}`),
  /** Leads and admins: draws `size` unflagged comments at random. */
  drawSample: (size: number) => request<{ sample: MissedSample }>('POST', '/api/samples', { json: { size } }),
  decideSampleItem: (sampleId: number, commentId: number, action: Action) =>
    request<SampleDecisionAnswer>('POST', `/api/samples/${sampleId}/decisions`, { json: { commentId, action } }),

  threads: (cursor: string | null = null, limit = 100) =>
    request<ThreadPage>('GET', '/api/threads', { query: { cursor, limit } }),
  thread: (id: number) => request<ThreadWithComments>('GET', `/api/threads/${id}`),
  comment: (id: number) => request<CommentContext>('GET', `/api/comments/${id}`),

  /** Decides a comment as the moderator saw it (`expectedVersion`): a 409 with `current` if it changed since. */
  decide: (id: number, action: Action, note: string | undefined, expectedVersion: number) =>
    request<DecisionAnswer>('POST', `/api/comments/${id}/decision`, { json: { action, expectedVersion, ...(note ? { note } : {}) } }),
  /** Decides several comments; those that changed since they were seen come back in `changed`, undecided. */
  decideMany: (commentIds: number[], action: Action, note: string | undefined, expectedVersions: number[]) =>
    request<BulkDecisionAnswer>('POST', '/api/decisions', { json: { commentIds, action, expectedVersions, ...(note ? { note } : {}) } }),
  undo: (decisionId: number) => request<DecisionAnswer>('POST', `/api/decisions/${decisionId}/undo`),
  /** The signed-in user's decisions they can still undo, newest first: `u` undoes the first. */
  undoable: () => request<UndoableAnswer>('GET', '/api/decisions/undoable'),
  /** Claims (or renews the claim on) a comment while the moderator reviews it; `takeOver`: a lead takes it from whoever holds it. */
  claim: (id: number, takeOver = false) =>
    request<ClaimAnswer>('POST', `/api/comments/${id}/claim`, { query: { takeOver: takeOver ? 'true' : null } }),
  release: (id: number, keepalive = false) => request<ClaimAnswer>('DELETE', `/api/comments/${id}/claim`, { keepalive }),

  /** An author within a site (`source`, `key` as a comment's `authorKey`): standing, stats, their comments newest first (`before`: older ones), notes and the log. */
  author: (source: string, key: string, before: number | null = null, limit = 50) =>
    request<AuthorPage>('GET', '/api/authors', { query: { source, key, before, limit } }),
  /** Watch, trust, ban, their opposites or a note, with a reason; `expiresAt` (ms) lapses it. Trust and ban need a lead: 403 otherwise. */
  actOnAuthor: (action: AuthorActionRequest) => request<AuthorActionAnswer>('POST', '/api/authors/actions', { json: action }),
  /** Undoes an action on an author: one's own, or anyone's for a lead. */
  undoAuthorAction: (id: number) => request<AuthorUndoAnswer>('POST', `/api/authors/actions/${id}/undo`),
  /** Banned authors' comments hidden on arrival and still hidden; deciding one again (`decide`) reverses it. */
  hiddenByRule: () => request<{ items: HiddenByRuleItem[] }>('GET', '/api/hidden-by-rule'),

  importFile: (file: File, format: ImportFormat) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return request<ImportResult>('POST', '/api/import', { query: { format }, form });
  },
  stats: () => request<Stats>('GET', '/api/stats'),
};

export type Api = typeof api;
