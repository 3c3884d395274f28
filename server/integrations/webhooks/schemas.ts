import { Type, type Static } from 'typebox';
import { WEBHOOK_EVENT_TYPES } from '../../events/store.ts';
import { COMMON_ERRORS, ErrorBody, IdParams, Nullable, StringEnum } from '../../http.ts';

export const WebhookEndpointSchema = Type.Object(
  {
    id: Type.Integer(),
    source: Type.String(),
    url: Type.String(),
    events: Type.Array(StringEnum(WEBHOOK_EVENT_TYPES)),
    /** Whether comment.decided names the moderator (otherwise only their role). */
    includeModerator: Type.Boolean(),
    createdAt: Type.Integer(),
    disabledAt: Nullable(Type.Integer()),
    disabledReason: Nullable(Type.String()),
    failingSince: Nullable(Type.Integer()),
  },
  { additionalProperties: false },
);

export const WebhookDeliverySchema = Type.Object(
  {
    id: Type.Integer(),
    endpointId: Type.Integer(),
    eventId: Nullable(Type.Integer()),
    /** The webhook-id header: the same on every attempt and redelivery. */
    messageId: Type.String(),
    type: Type.String(),
    state: StringEnum(['pending', 'delivered', 'failed'] as const),
    attempts: Type.Integer(),
    nextAttemptAt: Nullable(Type.Integer()),
    lastStatus: Nullable(Type.Integer()),
    lastLatencyMs: Nullable(Type.Integer()),
    lastError: Nullable(Type.String()),
    /** The start of the last answer, as text. */
    lastResponse: Nullable(Type.String()),
    createdAt: Type.Integer(),
    finishedAt: Nullable(Type.Integer()),
  },
  { additionalProperties: false },
);

/**
 * What `comment.decided` tells a site (webhook `data`, and each item of the
 * decisions feed): the moderator's role, and their name only where the
 * endpoint opted in.
 */
export const DecidedData = Type.Object(
  {
    comment: Type.Object({ id: Type.String(), triageId: Type.Integer(), threadId: Type.String() }, { additionalProperties: false }),
    decision: Type.Object(
      {
        id: Type.Integer(),
        action: Type.String(),
        status: Type.String(),
        statusBefore: Type.String(),
        undoes: Nullable(Type.Integer()),
        /** Present when a rule decided (`banned author`), not a moderator. */
        rule: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
    moderator: Type.Object({ role: Type.String(), username: Type.Optional(Type.String()) }, { additionalProperties: false }),
    labels: Type.Array(Type.String()),
    scores: Type.Union([Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()])), Type.Null()]),
    model: Nullable(Type.String()),
    decidedAt: Type.String(),
  },
  { additionalProperties: false },
);
export type DecidedPayload = Static<typeof DecidedData>;

const EndpointAnswer = Type.Object({ endpoint: WebhookEndpointSchema }, { additionalProperties: false });
const DeliveryAnswer = Type.Object({ delivery: WebhookDeliverySchema }, { additionalProperties: false });

export const listEndpointsSchema = {
  response: { 200: Type.Object({ endpoints: Type.Array(WebhookEndpointSchema) }, { additionalProperties: false }), ...COMMON_ERRORS },
};

export const createEndpointSchema = {
  body: Type.Object(
    {
      /** The site whose events it receives (an API key's source). */
      source: Type.String({ minLength: 1, maxLength: 100 }),
      url: Type.String({ minLength: 1, maxLength: 2000 }),
      events: Type.Array(StringEnum(WEBHOOK_EVENT_TYPES), { minItems: 1 }),
      includeModerator: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object(
      {
        endpoint: WebhookEndpointSchema,
        /** Shown once: `whsec_` + base64, for verifying signatures. */
        secret: Type.String(),
      },
      { additionalProperties: false },
    ),
    ...COMMON_ERRORS,
  },
};

export const endpointSchema = { params: IdParams, response: { 200: EndpointAnswer, ...COMMON_ERRORS } };

export const deliveriesSchema = {
  params: IdParams,
  response: { 200: Type.Object({ deliveries: Type.Array(WebhookDeliverySchema) }, { additionalProperties: false }), ...COMMON_ERRORS },
};

export const deliverySchema = { params: IdParams, response: { 200: DeliveryAnswer, ...COMMON_ERRORS } };

export const decisionsFeedSchema = {
  summary: 'The decisions on this site\u2019s comments, in order, resumable: for sites that do not take webhooks',
  querystring: Type.Object(
    {
      /** Decisions after this cursor (a `nextCursor` or a decision's `cursor`); from the oldest kept when absent. */
      after: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object(
      {
        decisions: Type.Array(
          Type.Object(
            {
              cursor: Type.String(),
              ...DecidedData.properties,
            },
            { additionalProperties: false },
          ),
        ),
        /** Pass as `after` to read on; the same cursor when nothing is new. */
        nextCursor: Type.String(),
      },
      { additionalProperties: false },
    ),
    ...COMMON_ERRORS,
    429: ErrorBody,
  },
};
