import { Type, type TProperties } from 'typebox';
import { COMMON_ERRORS, LabelSchema, Nullable, StringEnum } from '../http.ts';
import { LABELS } from '../scoring/labels.ts';
import { AgreementSchema, ThresholdValuesSchema } from '../thresholds/schemas.ts';

const closed = { additionalProperties: false } as const;
const obj = <T extends TProperties>(props: T) => Type.Object(props, closed);
const Int = Type.Integer();
const Time = Type.String({ minLength: 1, maxLength: 40 });

const filterQuery = {
  from: Type.Optional(Time),
  to: Type.Optional(Time),
  threads: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 500 })),
  labels: Type.Optional(Type.Array(LabelSchema, { maxItems: LABELS.length })),
};

const agreementFields = AgreementSchema.properties;

export const SummarySchema = obj({
  filter: obj({ from: Type.Number(), to: Type.Number(), threads: Nullable(Type.Array(Int)), labels: Nullable(Type.Array(LabelSchema)) }),
  generatedAt: Type.Number(),
  comments: obj({ imported: Int, scored: Int, flagged: Int, flaggedByLabel: Type.Array(obj({ label: LabelSchema, count: Int })) }),
  decisions: obj({
    total: Int,
    undone: Int,
    byAction: Type.Array(obj({ action: StringEnum(['approve', 'hide', 'escalate'] as const), count: Int })),
    byModerator: Type.Array(obj({ moderator: Type.String(), approve: Int, hide: Int, escalate: Int, total: Int })),
  }),
  timeToDecision: obj({ n: Int, medianMs: Nullable(Type.Number()), p90Ms: Nullable(Type.Number()) }),
  escalations: obj({ opened: Int, resolved: Int }),
  agreement: obj({ ...agreementFields, unscored: Int, perLabel: Type.Array(obj({ label: LabelSchema, ...agreementFields })) }),
  threadsByHidden: Type.Array(obj({ threadId: Int, title: Type.String(), comments: Int, hidden: Int, share: Type.Number() })),
  thresholds: Type.Array(
    obj({ version: Int, moderator: Nullable(Type.String()), reason: Nullable(Type.String()), since: Type.Number(), until: Nullable(Type.Number()), values: ThresholdValuesSchema }),
  ),
  models: Type.Array(obj({ model: Type.String(), scored: Int, firstScoredAt: Nullable(Type.Number()), lastScoredAt: Nullable(Type.Number()) })),
  /** The models in force during the period (version 0: the shipped model before any promotion); `moderator` and `reason` are typed by people: untrusted. */
  modelsInForce: Type.Array(
    obj({ version: Int, model: Type.String(), moderator: Nullable(Type.String()), reason: Nullable(Type.String()), since: Type.Number(), until: Nullable(Type.Number()) }),
  ),
  /** Readers' reports received in the period and how often moderators upheld them (server/reports/summary.ts `ReaderReportSummary`). */
  readerReports: obj({
    received: Int,
    /** `reason` may be a reader's free text: untrusted. */
    byReason: Type.Array(obj({ reason: Type.String(), count: Int })),
    comments: Int,
    upheld: Int,
    notUpheld: Int,
    undecided: Int,
  }),
});

export const summarySchema = {
  querystring: obj({ ...filterQuery, format: Type.Optional(StringEnum(['json', 'csv', 'html'] as const)) }),
  // format=csv and format=html answer text, sent as it is.
  response: { 200: Type.Union([SummarySchema, Type.String()]), ...COMMON_ERRORS },
};

export const decisionLogSchema = {
  querystring: obj({ ...filterQuery, format: Type.Optional(StringEnum(['csv', 'json'] as const)) }),
  response: { 200: Type.Any({ description: 'streamed: CSV, or a JSON array with one element per decision (docs/api.md)' }), ...COMMON_ERRORS },
};
