import { Type } from 'typebox';
import { COMMON_ERRORS, IdParams, Nullable, StringEnum } from '../http.ts';
import { ActionSchema, queueSchema } from '../moderation/schemas.ts';
import { DECISION_ACTIONS } from '../moderation/statuses.ts';
import { MAX_SAMPLE } from './service.ts';

const closed = { additionalProperties: false } as const;

const EstimateSchema = Type.Object(
  {
    share: Type.Number(),
    low: Type.Number(),
    high: Type.Number(),
    count: Type.Integer(),
    countLow: Type.Integer(),
    countHigh: Type.Integer(),
  },
  closed,
);

export const SampleSummarySchema = Type.Object(
  {
    id: Type.Integer(),
    createdBy: Type.String(),
    createdAt: Type.Number(),
    size: Type.Integer(),
    requested: Type.Integer(),
    seed: Type.Integer(),
    population: Type.Integer(),
    decided: Type.Integer(),
    approved: Type.Integer(),
    hidden: Type.Integer(),
    escalated: Type.Integer(),
    estimate: Type.Union([EstimateSchema, Type.Null()]),
  },
  closed,
);

const queueItemFields = queueSchema.response[200].properties.items.items.properties;

export const SampleItemSchema = Type.Object(
  {
    ...queueItemFields,
    verdict: Type.Union([StringEnum(DECISION_ACTIONS), Type.Null()]),
    verdictBy: Nullable(Type.String()),
    verdictAt: Nullable(Type.Number()),
  },
  closed,
);

export const drawSampleSchema = {
  body: Type.Object(
    {
      size: Type.Integer({ minimum: 1, maximum: MAX_SAMPLE }),
      /** Draw again with the seed of an earlier sample to get the same comments (over the same population). */
      seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
    },
    closed,
  ),
  response: { 200: Type.Object({ sample: SampleSummarySchema }, closed), ...COMMON_ERRORS },
};

export const listSamplesSchema = {
  response: { 200: Type.Object({ samples: Type.Array(SampleSummarySchema) }, closed), ...COMMON_ERRORS },
};

export const getSampleSchema = {
  params: IdParams,
  response: { 200: Type.Object({ sample: SampleSummarySchema, items: Type.Array(SampleItemSchema) }, closed), ...COMMON_ERRORS },
};

export const decideSampleSchema = {
  params: IdParams,
  body: Type.Object(
    { commentId: Type.Integer({ minimum: 1 }), action: ActionSchema, note: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))) },
    closed,
  ),
  response: { 200: Type.Object({ sample: SampleSummarySchema, item: SampleItemSchema }, closed), ...COMMON_ERRORS },
};
