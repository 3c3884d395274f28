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
  SCORER_UNAVAILABLE: 503,
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

export class ScorerUnavailable extends AppError {
  constructor(message: string) {
    super('SCORER_UNAVAILABLE', message);
  }
}
