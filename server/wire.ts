/**
 * The API's wire contract: the request and response types of every route,
 * derived from the routes' own TypeBox schemas, and the fixed lists the
 * screens show. The web imports this module and nothing else from server/;
 * its types are erased at build, so only the lists below reach the browser.
 *
 * Strings in these types that come from comments (body, snippet, author,
 * titles, notes) are untrusted: render them as text, never as HTML.
 */
import type { Static, TSchema } from 'typebox';
import type { addUserSchema, listUsersSchema, loginSchema, UserSchema } from './auth/schemas.ts';
import type { ErrorCode } from './errors.ts';
import type { importSchema } from './ingest/schemas.ts';
import type { ApiKeySchema, createKeySchema, sourceSchema } from './integrations/schemas.ts';
import type { createEndpointSchema, WebhookDeliverySchema, WebhookEndpointSchema } from './integrations/webhooks/schemas.ts';
import type {
  bulkSchema,
  ChangeSchema,
  ClaimSchema,
  claimSchema,
  commentSchema,
  CommentSchema,
  decideSchema,
  DecisionSchema,
  FlagSchema,
  healthSchema,
  queueSchema,
  StaleSchema,
  ReaderReportReasonSchema,
  statsSchema,
  threadSchema,
  threadsSchema,
  ThreadSummarySchema,
  undoableSchema,
} from './moderation/schemas.ts';
import type { SummarySchema } from './reports/schemas.ts';
import type { authorActSchema, AuthorActionSchema, authorPageSchema, authorUndoSchema, hiddenByRuleSchema } from './authors/schemas.ts';
import type { decideSampleSchema, drawSampleSchema, getSampleSchema, SampleItemSchema, SampleSummarySchema } from './samples/schemas.ts';
import type { listCommentsSchema, searchSchema } from './search/schemas.ts';
import type { getRescoreSchema, postRescoreSchema } from './scoring/schemas.ts';
import type { deleteShadowSchema, modelsOverviewSchema, putInForceSchema, putShadowSchema, startTrainingSchema } from './adaptation/schemas.ts';
import type { analysisSchema, getThresholdsSchema, historySchema, putThresholdsSchema, shadowSchema, whatIfSchema } from './thresholds/schemas.ts';

export { LABELS, type Label, type LabelScores } from './scoring/labels.ts';
export { DECISION_ACTIONS, QUEUE_SORTS, STATUS_AFTER, STATUSES, type Action, type DecisionAction, type QueueSort, type Status } from './moderation/statuses.ts';
export { ROLES, type Role } from './auth/roles.ts';
/** The header every signed-in change must carry (server/auth/csrf.ts); web/src/lib/api.ts sends it. */
export { CLIENT_HEADER } from './auth/csrf.ts';
export type { ErrorCode };

/** The 200 answer of a route schema. */
type Ok<S extends { response: { 200: TSchema } }> = Static<S['response'][200]>;
/** The body a route takes. */
type Body<S extends { body: TSchema }> = Static<S['body']>;

// Accounts
export type User = Static<typeof UserSchema>;
export type ManagedUser = Ok<typeof listUsersSchema>['users'][number];
export type Credentials = Body<typeof loginSchema>;
export type NewUser = Body<typeof addUserSchema>;

// Integrations: API keys of the sites Triage moderates
/** A key as lists show it: its prefix, never the key. `name` and `source` are typed by admins: render as text. */
export type ApiKey = Static<typeof ApiKeySchema>;
export type NewApiKey = Body<typeof createKeySchema>;
/** The answer to creating a key: `key` appears here only, once. */
export type CreatedApiKey = Ok<typeof createKeySchema>;
/** GET /api/v1/source. */
export type KeySource = Ok<typeof sourceSchema>;

// Integrations: webhook endpoints and their deliveries
/** An endpoint as lists show it, never its secret. `source`, `url` and `disabledReason` are typed or caused by others: render as text. */
export type WebhookEndpoint = Static<typeof WebhookEndpointSchema>;
/** What an endpoint may subscribe to. */
export type WebhookEventType = WebhookEndpoint['events'][number];
/** One delivery of one message to one endpoint. `lastResponse` and `lastError` come from the receiver: hostile, render as text. */
export type WebhookDelivery = Static<typeof WebhookDeliverySchema>;
export type NewWebhookEndpoint = Body<typeof createEndpointSchema>;
/** The answer to registering an endpoint: `secret` appears here only, once. */
export type CreatedWebhookEndpoint = Ok<typeof createEndpointSchema>;

// Import
export type ImportResult = Ok<typeof importSchema>;
/** How the server reads an uploaded file; `auto` lets it detect the format. */
export type ImportFormat = NonNullable<Static<(typeof importSchema)['querystring']>['format']>;

// The queue, threads, comments and decisions
/**
 * A comment. In lists (queue, thread, context neighbours, decision answers) `body` is an excerpt of
 * at most 2,000 characters with `bodyTruncated` and `bodyBytes`; `CommentContext.comment` is whole.
 */
export type Comment = Static<typeof CommentSchema>;
export type Flag = Static<typeof FlagSchema>;
export type Decision = Static<typeof DecisionSchema>;
export type ThreadSummary = Static<typeof ThreadSummarySchema>;
export type QueuePage = Ok<typeof queueSchema>;
export type QueueItem = QueuePage['items'][number];
export type ThreadPage = Ok<typeof threadsSchema>;
export type ThreadWithComments = Ok<typeof threadSchema>;
export type CommentContext = Ok<typeof commentSchema>;
/** Why readers reported a comment: a reason (untrusted text), how many readers gave it, when the last did. */
export type ReaderReportReason = Static<typeof ReaderReportReasonSchema>;
export type DecisionRequest = Body<typeof decideSchema>;
export type DecisionAnswer = Ok<typeof decideSchema>;
export type BulkDecisionRequest = Body<typeof bulkSchema>;
export type BulkDecisionAnswer = Ok<typeof bulkSchema>;
export type Stats = Ok<typeof statsSchema>;

// A team on one queue: versions, conflicts, claims, undo kept on the server
/** Who is reviewing a comment, until when (ms since epoch). `username` is typed by admins: render as text. */
export type Claim = Static<typeof ClaimSchema>;
export type ClaimAnswer = Ok<typeof claimSchema>;
/** What changed a comment since a moderator saw it: who (null: the site or the model), what (`hid it`…), its status now, when. */
export type Change = Static<typeof ChangeSchema>;
/** A comment that changed since it was seen: the `current` of a 409, and each entry of a bulk answer's `changed`. */
export type Stale = Static<typeof StaleSchema>;
/** The signed-in user's decisions they can still undo, newest first, and how long a moderator's undo window is. */
export type UndoableAnswer = Ok<typeof undoableSchema>;
export type Health = Ok<typeof healthSchema>;

// Thresholds: what GET answers, changed, is what PUT takes.
export type ThresholdsResource = Ok<typeof getThresholdsSchema>;
export type ThresholdVersion = ThresholdsResource['version'];
export type ThresholdValues = ThresholdsResource['thresholds'];
export type ThresholdsUpdate = Body<typeof putThresholdsSchema>;
export type ThresholdsSaved = Ok<typeof putThresholdsSchema>;
export type ThresholdHistoryEntry = Ok<typeof historySchema>['versions'][number];
export type LabelAnalysis = Ok<typeof analysisSchema>;
export type HistogramBin = LabelAnalysis['histogram'][number];
export type CurvePoint = LabelAnalysis['curve'][number];
export type PointWithSample = LabelAnalysis['atCurrent'];
export type Sample = PointWithSample['sample'];
export type CommentList = Ok<typeof whatIfSchema>;
export type ListedComment = CommentList['items'][number];
export type ShadowView = Ok<typeof shadowSchema>;
export type Agreement = ShadowView['overall'];

// Reports
export type Summary = Static<typeof SummarySchema>;

// All comments and search: pages shaped as the queue's, newest first
export type CommentPage = Ok<typeof listCommentsSchema>;
export type CommentListQuery = Static<(typeof listCommentsSchema)['querystring']>;
export type SearchQuery = Static<(typeof searchSchema)['querystring']>;

// Missed-abuse samples
/** A sample with how its comments were decided and the estimate of the abuse the model misses. */
export type MissedSample = Static<typeof SampleSummarySchema>;
export type MissedEstimate = NonNullable<MissedSample['estimate']>;
/** A comment of a sample, with the verdict its reviewer gave in the sample. */
export type SampleItem = Static<typeof SampleItemSchema>;
export type DrawSampleRequest = Body<typeof drawSampleSchema>;
export type SampleWithItems = Ok<typeof getSampleSchema>;
export type SampleDecisionRequest = Body<typeof decideSampleSchema>;
export type SampleDecisionAnswer = Ok<typeof decideSampleSchema>;

// Rescoring with the model in force (GET/POST /api/scoring/rescore).
export type RescoreStatus = Ok<typeof getRescoreSchema>;
export type RescoreQueued = Static<(typeof postRescoreSchema.response)[202]>;

// Site models (GET /api/models, POST /api/models/training, PUT /api/models/in-force, PUT/DELETE /api/models/shadow)
export type ModelsOverview = Ok<typeof modelsOverviewSchema>;
export type SiteModelSummary = ModelsOverview['models'][number];
export type TrainingJob = NonNullable<ModelsOverview['training']>;
export type TrainingStarted = Static<(typeof startTrainingSchema.response)[202]>;
export type PutInForceRequest = Body<typeof putInForceSchema>;
export type PutInForceAnswer = Ok<typeof putInForceSchema>;
export type PutShadowRequest = Body<typeof putShadowSchema>;
export type ShadowStopped = Ok<typeof deleteShadowSchema>;

// Authors: watch, trust and ban, notes, the author page (GET /api/authors), banned authors' comments hidden on arrival
/** An action on an author (watch, trust, ban, their opposites, note, undo). `reason` is typed by moderators: render as text. */
export type AuthorAction = Static<typeof AuthorActionSchema>;
export type AuthorActionKind = Body<typeof authorActSchema>['action'];
export type AuthorActionRequest = Body<typeof authorActSchema>;
export type AuthorActionAnswer = Ok<typeof authorActSchema>;
export type AuthorUndoAnswer = Ok<typeof authorUndoSchema>;
export type AuthorPageQuery = Static<(typeof authorPageSchema)['querystring']>;
/** The author page: who (`name` is the site's: hostile, render as text), standing (null = not), stats, comments newest first, notes, one log. */
export type AuthorPage = Ok<typeof authorPageSchema>;
export type AuthorStanding = AuthorPage['standing'];
export type AuthorStats = AuthorPage['stats'];
/** One entry of the author's log: an action on the author, or a decision on one of their comments. */
export type AuthorLogEntry = AuthorPage['log'][number];
/** A banned author's comment hidden on arrival, with the rule's decision. */
export type HiddenByRuleItem = Ok<typeof hiddenByRuleSchema>['items'][number];
