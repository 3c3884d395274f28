import { Type, type TProperties } from 'typebox';
import { COMMON_ERRORS, LabelSchema, Nullable, PerLabel, StringEnum } from '../http.ts';

const closed = { additionalProperties: false } as const;

const Probability = Type.Number({ minimum: 0, maximum: 1 });
const Share = Nullable(Type.Number());

/** A threshold in a query string: a number from 0 to 1, or `off`. */
const ThresholdQuery = Type.String({ pattern: '^(off|0(\\.[0-9]+)?|1(\\.0+)?|\\.[0-9]+)$' });

export const ThresholdValuesSchema = PerLabel(Nullable(Probability));

const VersionSchema = Type.Object(
  { id: Type.Integer(), moderatorId: Nullable(Type.Integer()), reason: Nullable(Type.String()), createdAt: Type.Number(), values: ThresholdValuesSchema },
  closed,
);

const ChangeSchema = Type.Object({ label: LabelSchema, old: Nullable(Type.Number()), new: Nullable(Type.Number()) }, closed);

/**
 * The thresholds resource: what GET answers, with values changed, is a PUT
 * body. `version` is the version read; PUT refuses to save over a newer one.
 */
export const getThresholdsSchema = {
  response: { 200: Type.Object({ version: VersionSchema, thresholds: ThresholdValuesSchema }, closed), ...COMMON_ERRORS },
};

export const putThresholdsSchema = {
  body: Type.Object(
    {
      /** Some or all labels; those left out keep their value. */
      thresholds: Type.Partial(ThresholdValuesSchema, { ...closed, minProperties: 1 }),
      reason: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
      /** The version these values were based on, as GET gave it; only its id is checked. */
      version: Type.Optional(VersionSchema),
    },
    closed,
  ),
  response: {
    200: Type.Object(
      {
        version: VersionSchema,
        changes: Type.Array(ChangeSchema),
        reevaluation: Type.Object(
          {
            flagsRaised: Type.Integer(),
            flagsRemoved: Type.Integer(),
            commentsFlagged: Type.Integer(),
            commentsUnflagged: Type.Integer(),
            queueEntered: Type.Integer(),
            queueLeft: Type.Integer(),
          },
          closed,
        ),
        ms: Type.Number(),
      },
      closed,
    ),
    ...COMMON_ERRORS,
  },
};

export const historySchema = {
  response: {
    200: Type.Object(
      {
        versions: Type.Array(
          Type.Object(
            {
              id: Type.Integer(),
              moderatorId: Nullable(Type.Integer()),
              moderator: Nullable(Type.String()),
              reason: Nullable(Type.String()),
              createdAt: Type.Number(),
              values: ThresholdValuesSchema,
              changes: Type.Array(ChangeSchema),
            },
            closed,
          ),
        ),
      },
      closed,
    ),
    ...COMMON_ERRORS,
  },
};

const CurvePointFields = {
  threshold: Type.Number(),
  truePositives: Type.Integer(),
  falsePositives: Type.Integer(),
  falseNegatives: Type.Integer(),
  precision: Share,
  recall: Share,
  flagged: Type.Integer(),
};
const CurvePointSchema = Type.Object(CurvePointFields, closed);
const SampleSchema = Type.Object(
  { precisionSample: Type.Integer(), recallSample: Type.Integer(), decided: Type.Integer(), trusted: Type.Boolean(), note: Nullable(Type.String()) },
  closed,
);
const PointWithSampleSchema = Type.Object({ ...CurvePointFields, sample: SampleSchema }, closed);

const ListedCommentSchema = Type.Object(
  {
    id: Type.Integer(),
    threadId: Type.Integer(),
    threadTitle: Type.String(),
    author: Nullable(Type.String()),
    snippet: Type.String(),
    status: Type.String(),
    score: Type.Number(),
  },
  closed,
);
const CommentListSchema = Type.Object({ count: Type.Integer(), items: Type.Array(ListedCommentSchema) }, closed);

const LabelParams = Type.Object({ label: LabelSchema }, closed);

export const analysisSchema = {
  params: LabelParams,
  querystring: Type.Object(
    {
      candidate: Type.Optional(ThresholdQuery),
      targetPrecision: Type.Optional(Probability),
      targetRecall: Type.Optional(Probability),
      bins: Type.Optional(Type.Integer({ minimum: 2, maximum: 100 })),
      limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 200 })),
    },
    closed,
  ),
  response: {
    200: Type.Object(
      {
        label: LabelSchema,
        model: Nullable(Type.String()),
        thresholdVersion: Type.Integer(),
        current: Nullable(Type.Number()),
        candidate: Nullable(Type.Number()),
        counts: Type.Object(
          { scored: Type.Integer(), decided: Type.Integer(), positives: Type.Integer(), negatives: Type.Integer(), undecided: Type.Integer() },
          closed,
        ),
        histogram: Type.Array(
          Type.Object(
            { from: Type.Number(), to: Type.Number(), approved: Type.Integer(), hiddenOrEscalated: Type.Integer(), undecided: Type.Integer() },
            closed,
          ),
        ),
        curve: Type.Array(CurvePointSchema),
        curvePoints: Type.Integer(),
        atCurrent: PointWithSampleSchema,
        atCandidate: PointWithSampleSchema,
        suggestion: Nullable(
          Type.Object(
            {
              target: Type.Object({ metric: StringEnum(['precision', 'recall'] as const), value: Type.Number() }, closed),
              threshold: Nullable(Type.Number()),
              point: Nullable(CurvePointSchema),
              reason: Type.String(),
              sample: Nullable(SampleSchema),
            },
            closed,
          ),
        ),
        whatIf: Type.Object(
          {
            entering: CommentListSchema,
            leaving: CommentListSchema,
            decided: Type.Object(
              {
                caught: Type.Integer(),
                missed: Type.Integer(),
                falseAlarms: Type.Integer(),
                newlyCaught: Type.Integer(),
                newlyMissed: Type.Integer(),
                newFalseAlarms: Type.Integer(),
                clearedFalseAlarms: Type.Integer(),
              },
              closed,
            ),
          },
          closed,
        ),
      },
      closed,
    ),
    ...COMMON_ERRORS,
  },
};

export const whatIfSchema = {
  params: LabelParams,
  querystring: Type.Object(
    {
      candidate: ThresholdQuery,
      direction: StringEnum(['entering', 'leaving'] as const),
      offset: Type.Optional(Type.Integer({ minimum: 0 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    },
    closed,
  ),
  response: { 200: CommentListSchema, ...COMMON_ERRORS },
};

const agreementFields = { n: Type.Integer(), agree: Type.Integer(), share: Share, modelOnly: Type.Integer(), moderatorOnly: Type.Integer() };
const withAgreement = <T extends TProperties>(extra: T) => Type.Object({ ...extra, ...agreementFields }, closed);
export const AgreementSchema = Type.Object(agreementFields, closed);

export const shadowSchema = {
  response: {
    200: Type.Object(
      {
        model: Nullable(Type.String()),
        thresholdVersion: Type.Integer(),
        overall: AgreementSchema,
        perLabel: Type.Array(withAgreement({ label: LabelSchema, threshold: Nullable(Type.Number()) })),
        perThread: Type.Array(withAgreement({ threadId: Type.Integer(), threadTitle: Type.String() })),
        perModerator: Type.Array(withAgreement({ moderator: Type.String() })),
      },
      closed,
    ),
    ...COMMON_ERRORS,
  },
};

/** `off` switches a label off; anything else the schema let through is a number. */
export function parseThreshold(value: string): number | null {
  return value === 'off' ? null : Number(value);
}
