/**
 * One error type per failure kind. The HTTP error handler (server/app.ts) is
 * the only place that turns them into responses: `{ error: code, message }`
 * with `status`. The web client matches on the same codes.
 */
export const ERROR_CODES = {
  VALIDATION: 400,
  BAD_IMPORT: 400,
  UNAUTHENTICATED: 401,
  BAD_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  SCORER_UNAVAILABLE: 503,
  STORAGE_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Safe to show to the client (never comment text or secrets). */
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = ERROR_CODES[code];
    this.details = details;
  }
}

/** Input that breaks a rule the schema cannot express. */
export class ValidationError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('VALIDATION', message, details);
  }
}

/** An import file that cannot be parsed; `where` names the line or field. */
export class BadImport extends AppError {
  constructor(message: string, where?: { line?: number; field?: string }) {
    super('BAD_IMPORT', where?.line !== undefined ? `line ${where.line}: ${message}` : where?.field ? `${where.field}: ${message}` : message, where);
  }
}

export class Unauthenticated extends AppError {
  constructor(message = 'Sign in first') {
    super('UNAUTHENTICATED', message);
  }
}

export class BadCredentials extends AppError {
  constructor() {
    super('BAD_CREDENTIALS', 'Wrong username or password');
  }
}

export class Forbidden extends AppError {
  constructor(needed: string) {
    super('FORBIDDEN', `This needs the ${needed} role`, { needed });
  }
}

/**
 * A state change refused as a possible cross-site request forgery
 * (server/auth/csrf.ts): from another origin, or signed in without the
 * client header.
 */
export class CrossSiteRefused extends AppError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

export class NotFound extends AppError {
  constructor(what: string, id: string | number) {
    super('NOT_FOUND', `${what} ${id} not found`, { what, id });
  }
}

/** The action does not fit the current state (deciding twice, undoing an undo…). */
export class Conflict extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('CONFLICT', message, details);
  }
}

/**
 * A decision or undo on a comment that changed since the moderator saw it:
 * 409, with `current` (the comment now, and what changed it) in the answer,
 * so the screen shows the new state instead of reversing it silently.
 */
export class StaleComment extends AppError {
  readonly current: Record<string, unknown>;
  constructor(message: string, current: Record<string, unknown>) {
    super('CONFLICT', message);
    this.current = current;
  }
}

export class ScorerUnavailable extends AppError {
  constructor(message: string) {
    super('SCORER_UNAVAILABLE', message);
  }
}

/** Too many attempts (sign-in): the message says when to try again; the error handler sends Retry-After. */
export class TooManyAttempts extends AppError {
  /** Seconds until a new attempt may succeed. */
  readonly retryAfter: number;

  constructor(message: string, retryAfterSeconds: number) {
    super('RATE_LIMITED', message, { retryAfter: retryAfterSeconds });
    this.retryAfter = retryAfterSeconds;
  }
}

/**
 * What each storage failure means: SQLite result codes (their extended codes,
 * such as SQLITE_IOERR_WRITE, too) and the file system's, from creating the
 * database's folder.
 */
const STORAGE_CAUSES: [code: string, cause: string, advice: string][] = [
  ['SQLITE_FULL', 'the disk is full', 'free some space'],
  ['SQLITE_READONLY_DIRECTORY', 'its folder is read-only', 'make the folder writable by the server (SQLite keeps its journal beside the file)'],
  ['SQLITE_READONLY', 'the file is read-only', 'make the file and its folder writable by the server'],
  ['SQLITE_CANTOPEN', 'the file cannot be opened', 'check that its folder exists and that the server may read and write both'],
  ['SQLITE_CORRUPT', 'the file is corrupt', 'restore it from a backup'],
  ['SQLITE_NOTADB', 'the file is not a SQLite database', 'check the path'],
  ['SQLITE_IOERR', 'the disk reported an input/output error', 'check the disk'],
  ['SQLITE_PERM', 'the server may not access the file', 'check its permissions'],
  ['ENOSPC', 'the disk is full', 'free some space'],
  ['EROFS', 'the file system is read-only', 'put the database on a writable disk'],
  ['EACCES', 'the server may not create or open it', 'check the permissions of the file and its folder'],
  ['EPERM', 'the server may not create or open it', 'check the permissions of the file and its folder'],
  ['ENOTDIR', 'part of its folder path is a file', 'check the path'],
  ['EEXIST', 'part of its folder path is a file', 'check the path'],
  ['EIO', 'the disk reported an input/output error', 'check the disk'],
];

function causeOf(code: string): [code: string, cause: string, advice: string] | undefined {
  return STORAGE_CAUSES.find(([c]) => code === c || code.startsWith(`${c}_`));
}

/**
 * The database file cannot be used (disk full, read-only, unopenable,
 * corrupt, I/O error). The message names the file and the cause, never the
 * SQL or the data being written.
 */
export class StorageUnavailable extends AppError {
  /** The SQLite result code (SQLITE_FULL…) or the file system's (ENOSPC…). */
  readonly storageCode: string;

  constructor(file: string, storageCode: string) {
    const [, cause, advice] = causeOf(storageCode) ?? ['', 'storage failed', 'check the disk'];
    super('STORAGE_UNAVAILABLE', `The database file ${file} cannot be used: ${cause} (${storageCode}); ${advice}`, { file, code: storageCode });
    this.storageCode = storageCode;
  }
}

/**
 * `err` as a StorageUnavailable of the database `file` when it is a storage
 * failure: better-sqlite3's SqliteError or a file system error with one of
 * the codes above, or a StorageUnavailable already. Else null.
 */
export function storageFailure(err: unknown, file: string): StorageUnavailable | null {
  if (err instanceof StorageUnavailable) return err;
  if (!(err instanceof Error)) return null;
  const { code, syscall } = err as Error & { code?: unknown; syscall?: unknown };
  if (typeof code !== 'string' || (err.name !== 'SqliteError' && typeof syscall !== 'string')) return null;
  return causeOf(code) ? new StorageUnavailable(file, code) : null;
}
