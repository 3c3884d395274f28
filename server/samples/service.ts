import { randomInt } from 'node:crypto';
import type { User } from '../auth/store.ts';
import type { Db } from '../db/open.ts';
import { NotFound } from '../errors.ts';
import type { ModerationService } from '../moderation/service.ts';
import { STATUS_AFTER, type DecisionAction } from '../moderation/statuses.ts';
import type { Comment, QueueItem } from '../wire.ts';
import { seededRandom } from '../random.ts';
import { reservoirSample } from './draw.ts';
import { estimateMissed, type MissedEstimate } from './estimate.ts';
import type { SampleItemRow, SampleRow, SampleStore } from './store.ts';

/** The most comments one sample may hold: each is a comment a moderator reads. */
export const MAX_SAMPLE = 1000;

export interface SampleSummary {
  id: number;
  createdBy: string;
  createdAt: number;
  size: number;
  requested: number;
  seed: number;
  /** Unflagged comments (pending or approved, on the site) when it was drawn. */
  population: number;
  decided: number;
  approved: number;
  hidden: number;
  escalated: number;
  /** Hidden or escalated among the decided items, with its 95% Wilson interval, and as a count over `population`; null before any is decided. */
  estimate: MissedEstimate | null;
}

export type SampleItem = QueueItem & {
  /** What the sample's reviewer decided; null until then. */
  verdict: DecisionAction | null;
  verdictBy: string | null;
  verdictAt: number | null;
};

export interface SampleDeps {
  db: Db;
  store: SampleStore;
  moderation: Pick<ModerationService, 'hydrate' | 'decide'>;
  now: () => number;
}

function toSummary(row: SampleRow): SampleSummary {
  const decided = row.approved + row.hidden + row.escalated;
  return {
    id: row.id,
    createdBy: row.username,
    createdAt: row.created_at,
    size: row.size,
    requested: row.requested,
    seed: row.seed,
    population: row.population,
    decided,
    approved: row.approved,
    hidden: row.hidden,
    escalated: row.escalated,
    estimate: estimateMissed(row.hidden + row.escalated, decided, row.population),
  };
}

/**
 * Missed-abuse samples: a seeded random draw of comments the model did not
 * flag, decided by moderators, gives the share of abuse the model lets
 * through. Its own domain: it reads moderation (comments, decisions) but
 * keeps its own verdicts, since confirming an approved comment is no decision.
 */
export function createSampleService({ db, store, moderation, now }: SampleDeps) {
  function sampleOrThrow(id: number): SampleRow {
    const row = store.getSample(id);
    if (!row) throw new NotFound('sample', id);
    return row;
  }

  function toItems(rows: SampleItemRow[]): SampleItem[] {
    const comments: Comment[] = moderation.hydrate(rows);
    return comments.map((c, i) => ({
      ...c,
      threadTitle: rows[i].thread_title,
      verdict: rows[i].verdict,
      verdictBy: rows[i].decided_by_name,
      verdictAt: rows[i].decided_at_sample,
    }));
  }

  const write = db.transaction((s: Parameters<SampleStore['insertSample']>[0]) => store.insertSample(s));

  /**
   * Records a sample verdict, and makes it the comment's decision when it
   * changes its status (approving an approved comment only confirms it).
   * The decision follows the usual rules: an escalated comment needs a lead.
   */
  const decideItem = db.transaction((sampleId: number, commentId: number, action: DecisionAction, note: string | null, user: User) => {
    const item = store.getItem(sampleId, commentId);
    if (!item) throw new NotFound('comment in this sample', commentId);
    if (item.status !== STATUS_AFTER[action]) moderation.decide(commentId, { action, note }, user);
    store.setVerdict({ sampleId, commentId, verdict: action, by: user.id, at: now() });
  });

  return {
    /**
     * Draws up to `size` comments at random from the unflagged ones (pending
     * or approved, not deleted on the site), with `seed` or a random one.
     */
    draw(input: { size: number; seed?: number }, user: User): SampleSummary {
      const seed = input.seed ?? randomInt(0, 2 ** 31);
      let population = 0;
      const counted = function* (ids: Iterable<number>) {
        for (const id of ids) {
          population++;
          yield id;
        }
      };
      const commentIds = reservoirSample(counted(store.eligibleIds()), input.size, seededRandom(seed));
      const id = write({ createdBy: user.id, createdAt: now(), requested: input.size, seed, population, commentIds });
      return toSummary(sampleOrThrow(id));
    },

    list(): SampleSummary[] {
      return store.listSamples().map(toSummary);
    },

    get(id: number): { sample: SampleSummary; items: SampleItem[] } {
      const sample = toSummary(sampleOrThrow(id));
      return { sample, items: toItems(store.listItems(id)) };
    },

    decide(sampleId: number, input: { commentId: number; action: DecisionAction; note?: string | null }, user: User): { sample: SampleSummary; item: SampleItem } {
      sampleOrThrow(sampleId);
      decideItem(sampleId, input.commentId, input.action, input.note?.trim() || null, user);
      return { sample: toSummary(sampleOrThrow(sampleId)), item: toItems([store.getItem(sampleId, input.commentId)!])[0] };
    },
  };
}

export type SampleService = ReturnType<typeof createSampleService>;
