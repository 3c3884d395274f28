import { Type, type Static } from 'typebox';
import { COMMON_ERRORS, Nullable } from '../http.ts';
import { ThresholdValuesSchema } from '../thresholds/schemas.ts';

const closed = { additionalProperties: false } as const;

const ModelName = Type.String({ minLength: 1, maxLength: 200 });

/** A row of the model history: which model went in force, when, by whom and why. */
const ModelVersionSchema = Type.Object(
  { id: Type.Integer(), model: Type.String(), by: Nullable(Type.String()), reason: Type.String(), createdAt: Type.Number() },
  closed,
);

const AgreementSchema = Type.Object(
  { n: Type.Integer(), agree: Type.Integer(), rate: Nullable(Type.Number()), precision: Nullable(Type.Number()), recall: Nullable(Type.Number()) },
  closed,
);

/** A training in the background (in memory: a restart forgets it). */
export const TrainingJobSchema = Type.Object(
  {
    id: Type.Integer(),
    state: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
    phase: Type.Union([Type.Literal('reading'), Type.Literal('featurising'), Type.Literal('training'), Type.Literal('evaluating'), Type.Literal('saving')]),
    done: Type.Number(),
    total: Type.Number(),
    startedAt: Type.Number(),
    finishedAt: Nullable(Type.Number()),
    by: Nullable(Type.String()),
    error: Nullable(Type.String()),
    model: Nullable(Type.String()),
    decisions: Type.Integer(),
  },
  closed,
);

const AtThresholdsSchema = Type.Object({ flagged: Type.Integer(), precision: Nullable(Type.Number()), recall: Nullable(Type.Number()) }, closed);
const ModelFiguresFields = {
  rocAuc: Nullable(Type.Number()),
  prAuc: Nullable(Type.Number()),
  rocAucHalfWidth: Nullable(Type.Number()),
  atThresholds: AtThresholdsSchema,
};

/**
 * How a site model compared with the model in force on the held-out
 * decisions when it was trained: AdaptationReport (service.ts) without its
 * per-comment ids and scores. An imported model's report is checked against it.
 */
export const SiteModelReportSchema = Type.Object(
  {
    model: Type.String(),
    current: Type.String(),
    decisions: Type.Integer(),
    trained: Type.Integer(),
    positivesTrained: Type.Integer(),
    trainedUntil: Type.Number(),
    heldOutFrom: Type.Number(),
    moderators: Type.Array(
      Type.Object({ moderatorId: Type.Integer(), moderator: Type.String(), decisions: Type.Integer(), weight: Type.Number(), share: Type.Number() }, closed),
    ),
    samples: Type.Object({ trained: Type.Integer(), weight: Type.Number() }, closed),
    distillation: Type.Object({ rows: Type.Integer(), share: Type.Number(), target: Type.Literal('toxicity') }, closed),
    /** The shipped model's own training rows trained on (anchor.ts); absent in reports of models trained before anchors. */
    anchor: Type.Optional(Type.Object({ rows: Type.Integer(), weight: Type.Number() }, closed)),
    comparison: Type.Object(
      {
        heldOut: Type.Integer(),
        positives: Type.Integer(),
        negatives: Type.Integer(),
        shipped: Type.Object(ModelFiguresFields, closed),
        current: Type.Object({ ...ModelFiguresFields, model: Type.String() }, closed),
        adapted: Type.Object(ModelFiguresFields, closed),
        thresholds: ThresholdValuesSchema,
        queue: Nullable(
          Type.Object({ compared: Type.Integer(), flaggedNow: Type.Integer(), flaggedAfter: Type.Integer(), enter: Type.Integer(), leave: Type.Integer() }, closed),
        ),
        warnings: Type.Array(Type.String()),
      },
      closed,
    ),
    ms: Type.Number(),
  },
  closed,
);

export const SiteModelSchema = Type.Object(
  {
    model: Type.String(),
    baseModel: Type.String(),
    /** False when the head was trained on another shipped model than this installation's: it cannot score here. */
    fits: Type.Boolean(),
    origin: Type.Union([Type.Literal('trained'), Type.Literal('imported')]),
    importedFrom: Nullable(Type.String()),
    createdBy: Nullable(Type.String()),
    createdAt: Type.Number(),
    decisions: Type.Integer(),
    state: Type.Union([Type.Literal('in force'), Type.Literal('shadow'), Type.Literal('candidate')]),
    /** The comparison with the model in force when it was trained, on the held-out decisions. */
    report: SiteModelReportSchema,
  },
  closed,
);

export const ModelsOverviewSchema = Type.Object(
  {
    /** The model whose scores flag comments now. */
    inForce: Type.String(),
    /** The shipped model: what a rollback to "no site model" puts in force. */
    shipped: Type.String(),
    /** The newest row of the history (0: none yet); PUT /api/models/in-force takes it back. */
    version: Type.Integer(),
    versions: Type.Array(ModelVersionSchema),
    models: Type.Array(SiteModelSchema),
    shadow: Nullable(
      Type.Object(
        {
          model: Type.String(),
          inForce: Type.String(),
          since: Type.Number(),
          /** Comments the shadow has scored. */
          scored: Type.Integer(),
          /** Of them, decided by a moderator since the shadow started (latest standing decision each). */
          decided: Type.Integer(),
          agreement: Type.Object({ inForce: AgreementSchema, shadow: AgreementSchema }, closed),
        },
        closed,
      ),
    ),
    training: Nullable(TrainingJobSchema),
  },
  closed,
);

export const modelsOverviewSchema = { response: { 200: ModelsOverviewSchema, ...COMMON_ERRORS } };

export const startTrainingSchema = { response: { 202: Type.Object({ training: TrainingJobSchema }, closed), ...COMMON_ERRORS } };

/** What GET /api/models says is in force and its version, with the model to put in force instead and why. */
export const putInForceSchema = {
  body: Type.Object({ model: ModelName, reason: Type.String({ minLength: 1, maxLength: 500 }), version: Type.Integer({ minimum: 0 }) }, closed),
  response: { 200: Type.Object({ version: Type.Integer(), model: Type.String() }, closed), ...COMMON_ERRORS },
};

export const putShadowSchema = {
  body: Type.Object({ model: ModelName }, closed),
  response: { 200: Type.Object({ shadow: Type.String() }, closed), ...COMMON_ERRORS },
};

export const deleteShadowSchema = { response: { 200: Type.Object({ stopped: Type.Boolean() }, closed), ...COMMON_ERRORS } };

export type SiteModelReport = Static<typeof SiteModelReportSchema>;
