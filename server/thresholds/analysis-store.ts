import type { Db } from '../db/open.ts';
import { STANDING } from '../moderation/store.ts';
import { LABELS, type Label, type LabelScores } from '../scoring/labels.ts';
import type { Outcome, WhatIfItem } from './analysis.ts';


/** A comment's status is the result of its latest standing decision. */
export function outcomeOf(status: string): Outcome {
  if (status === 'hidden' || status === 'escalated') return 'positive';
  if (status === 'approved') return 'negative';
  return 'undecided';
}

export function isPositiveAction(action: string): boolean {
  return action === 'hide' || action === 'escalate';
}

export interface CommentSnippet {
  id: number;
  threadId: number;
  threadTitle: string;
  author: string | null;
  /** The first characters of the comment, for a list; shown as text, never HTML. */
  snippet: string;
  status: string;
}

export interface ShadowDecisionRow {
  moderator: string;
  threadId: number;
  threadTitle: string;
  action: string;
  scores: LabelScores;
}

const SNIPPET_CHARS = 160;

/** Read-only queries behind the threshold analysis and the shadow view. */
export function createAnalysisStore(db: Db) {
  const perLabelRows = new Map(
    LABELS.map((label) => [
      label,
      db.prepare<{ model: string }, [number, number, string, number]>(
        `SELECT c.id, s.${label}, c.status,
                EXISTS (SELECT 1 FROM flags f WHERE f.comment_id = c.id AND f.label != '${label}')
         FROM scores s JOIN comments c ON c.id = s.comment_id
         WHERE s.model = @model AND s.${label} IS NOT NULL`,
      ).raw(true),
    ]),
  );
  const snippets = db.prepare<{ ids: string }, { id: number; thread_id: number; title: string; author: string | null; snippet: string; status: string }>(
    `SELECT c.id, c.thread_id, t.title, c.author, substr(c.body, 1, ${SNIPPET_CHARS}) AS snippet, c.status
     FROM json_each(@ids) j JOIN comments c ON c.id = j.value JOIN threads t ON t.id = c.thread_id
     ORDER BY j.key`,
  );
  const standingDecisions = db
    .prepare<{ model: string }, unknown[]>(
      `SELECT m.username, c.thread_id, t.title, d.action, ${LABELS.map((l) => `s.${l}`).join(', ')}
       FROM decisions d
       JOIN moderators m ON m.id = d.moderator_id
       JOIN comments c ON c.id = d.comment_id
       JOIN threads t ON t.id = c.thread_id
       JOIN scores s ON s.comment_id = d.comment_id AND s.model = @model
       WHERE ${STANDING}`,
    )
    .raw(true);

  return {
    /** Every comment scored by `model` on `label`, as the what-if and the curve need it. */
    *labelRows(label: Label, model: string): Generator<WhatIfItem> {
      for (const [id, score, status, other] of perLabelRows.get(label)!.iterate({ model })) {
        yield { id, score, outcome: outcomeOf(status), pending: status === 'pending', flaggedByOther: other === 1 };
      }
    },
    /** The comments of `ids`, in that order, with a short snippet of their text. */
    snippets(ids: number[]): CommentSnippet[] {
      if (ids.length === 0) return [];
      return snippets.all({ ids: JSON.stringify(ids) }).map((r) => ({
        id: r.id,
        threadId: r.thread_id,
        threadTitle: r.title,
        author: r.author,
        snippet: r.snippet,
        status: r.status,
      }));
    },
    /** Standing decisions on comments the model has scored, with those scores. */
    shadowRows(model: string): ShadowDecisionRow[] {
      const out: ShadowDecisionRow[] = [];
      for (const r of standingDecisions.all({ model })) {
        const scores = {} as LabelScores;
        LABELS.forEach((l, i) => (scores[l] = r[4 + i] as number | null));
        out.push({ moderator: r[0] as string, threadId: r[1] as number, threadTitle: r[2] as string, action: r[3] as string, scores });
      }
      return out;
    },
  };
}

export type AnalysisStore = ReturnType<typeof createAnalysisStore>;
