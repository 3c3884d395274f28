/** A comment's moderation state: pending until someone decides. */
export const STATUSES = ['pending', 'approved', 'hidden', 'escalated'] as const;
export type Status = (typeof STATUSES)[number];

/** What a moderator decides about a comment; an undo is a call of its own. */
export const DECISION_ACTIONS = ['approve', 'hide', 'escalate'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

/** A decision row's action: the three decisions, or the undo of one. */
export type Action = DecisionAction | 'undo';

/** The status each decision leaves a comment in. */
export const STATUS_AFTER: Readonly<Record<DecisionAction, Status>> = { approve: 'approved', hide: 'hidden', escalate: 'escalated' };

/** Orders of the review queue. */
export const QUEUE_SORTS = ['score', 'newest', 'oldest', 'thread', 'reports'] as const;
export type QueueSort = (typeof QUEUE_SORTS)[number];
