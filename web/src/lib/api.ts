/**
 * The dashboard's only HTTP client: every call to the server goes through
 * `request`, so errors arrive in one shape (`ApiError`) carrying the server's
 * code and message (docs/api.md).
 */
import type { Role, User } from '../../../server/auth/store.ts';
import type { ErrorCode } from '../../../server/errors.ts';
import type { ImportFormat as FileFormat } from '../../../server/ingest/parse.ts';
import type { DecisionAction } from '../../../server/moderation/service.ts';
import type { Comment, Decision, Flag, QueueSort, Status, ThreadSummary } from '../../../server/moderation/store.ts';
import type { Label, LabelScores } from '../../../server/scoring/labels.ts';

// The wire types are the server's own, imported as types only: Vite erases
// these imports and bundles no server code. `Comment.body` is untrusted text:
// render it with `{comment.body}`, never as HTML.
export type { Comment, Decision, Flag, Label, LabelScores, QueueSort, Role, Status, ThreadSummary, User };
/** What a moderator decides about a comment; an undo is a call of its own. */
export type Action = DecisionAction;
/** How the server reads an uploaded file; `auto` lets it detect the format. */
export type ImportFormat = 'auto' | FileFormat;

export interface ManagedUser extends User {
  disabled: boolean;
}

export interface QueueItem extends Comment {
  threadTitle: string;
}

export interface CommentContext {
  comment: Comment;
  thread: ThreadSummary;
  ancestors: Comment[];
  siblings: Comment[];
  replies: Comment[];
  history: Decision[];
}

export interface Stats {
  comments: {
    total: number;
    flagged: number;
    queue: number;
    pending: number;
    approved: number;
    hidden: number;
    escalated: number;
  };
  threads: number;
  scoring: { model: string | null; total: number; done: number; pending: number; failed: number };
}

export interface QueueFilters {
  sort: QueueSort;
  status: Status;
  label: Label | '';
  thread: number | null;
  minScore: number | null;
  maxScore: number | null;
}

export interface ImportResult {
  import: { id: number; format: string; threads: number; commentsNew: number; commentsSeen: number };
  threadIds: number[];
}

/** A failed call. `code` is the server's error code, or NETWORK when no answer came. */
export class ApiError extends Error {
  readonly code: ErrorCode | 'NETWORK' | 'BAD_RESPONSE';
  readonly status: number;

  constructor(code: ApiError['code'], status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
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
export async function request<T>(method: string, path: string, options: { query?: Query; json?: unknown; form?: FormData } = {}): Promise<T> {
  const init: RequestInit = { method, headers: { accept: 'application/json' }, credentials: 'same-origin' };
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
    const body = (data ?? {}) as { error?: string; message?: string };
    const code = (typeof body.error === 'string' ? body.error : 'INTERNAL') as ErrorCode;
    const error = new ApiError(code, response.status, body.message ?? `Request failed with status ${response.status}`);
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

  queue: (filters: QueueFilters, cursor: string | null, limit = 50) =>
    request<{ items: QueueItem[]; nextCursor: string | null }>('GET', '/api/queue', {
      query: {
        sort: filters.sort,
        status: filters.status,
        label: filters.label,
        thread: filters.thread,
        minScore: filters.minScore,
        maxScore: filters.maxScore,
        cursor,
        limit,
      },
    }),
  threads: (cursor: string | null = null, limit = 100) =>
    request<{ items: ThreadSummary[]; nextCursor: string | null }>('GET', '/api/threads', { query: { cursor, limit } }),
  thread: (id: number) => request<{ thread: ThreadSummary & { body: string }; comments: Comment[] }>('GET', `/api/threads/${id}`),
  comment: (id: number) => request<CommentContext>('GET', `/api/comments/${id}`),

  decide: (id: number, action: Action, note?: string) =>
    request<{ decision: Decision; comment: Comment }>('POST', `/api/comments/${id}/decision`, { json: note ? { action, note } : { action } }),
  decideMany: (commentIds: number[], action: Action, note?: string) =>
    request<{ decisions: Decision[] }>('POST', '/api/decisions', { json: note ? { commentIds, action, note } : { commentIds, action } }),
  undo: (decisionId: number) => request<{ decision: Decision; comment: Comment }>('POST', `/api/decisions/${decisionId}/undo`),

  importFile: (file: File, format: ImportFormat) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return request<ImportResult>('POST', '/api/import', { query: { format }, form });
  },
  stats: () => request<Stats>('GET', '/api/stats'),
};

export type Api = typeof api;
