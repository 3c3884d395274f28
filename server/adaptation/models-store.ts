import type { Db } from '../db/open.ts';
import { LABELS, type LabelScores } from '../scoring/labels.ts';
import { STANDING } from '../moderation/store.ts';

/** A stored site model, without its head's bytes. */
export interface SiteModelRow {
  id: number;
  model: string;
  baseModel: string;
  baseSha256: string;
  denseDim: number;
  ngrams: number;
  sha256: string;
  report: string;
  decisions: number;
  origin: 'trained' | 'imported';
  importedFrom: string | null;
  createdBy: string | null;
  createdAt: number;
  shadowStartedAt: number | null;
  shadowStoppedAt: number | null;
  shadowFromComment: number | null;
  shadowCursor: number | null;
}

/** What a new site model writes; its name is `triage-site@<id>`, given by the store. */
export interface NewSiteModel {
  baseModel: string;
  baseSha256: string;
  denseDim: number;
  ngrams: number;
  head: Uint8Array;
  sha256: string;
  report: string;
  decisions: number;
  origin: 'trained' | 'imported';
  importedFrom: string | null;
  createdBy: number | null;
  createdAt: number;
}

/** A row of the model history: which model was in force from when, who put it there and why. */
export interface ModelVersionRow {
  id: number;
  model: string;
  by: string | null;
  reason: string;
  createdAt: number;
}

/** A decision made since shadowing began, on a comment both models scored. */
export interface ShadowDecision {
  commentId: number;
  /** 1: hidden or escalated; 0: approved. */
  label: 0 | 1;
  inForce: LabelScores | null;
  shadow: LabelScores;
}

const SITE_MODEL_COLUMNS = `s.id, s.model, s.base_model AS baseModel, s.base_sha256 AS baseSha256, s.dense_dim AS denseDim, s.ngrams, s.sha256,
  s.report, s.decisions, s.origin, s.imported_from AS importedFrom, m.username AS createdBy, s.created_at AS createdAt,
  s.shadow_started_at AS shadowStartedAt, s.shadow_stopped_at AS shadowStoppedAt, s.shadow_from_comment AS shadowFromComment,
  s.shadow_cursor AS shadowCursor`;

/** The name of site model `id`. */
export const siteModelName = (id: number) => `triage-site@${id}`;

export function createSiteModelStore(db: Db) {
  const insert = db.prepare<NewSiteModel & { model: string }>(
    `INSERT INTO site_models (model, base_model, base_sha256, dense_dim, ngrams, head, sha256, report, decisions, origin, imported_from, created_by, created_at)
     VALUES (@model, @baseModel, @baseSha256, @denseDim, @ngrams, @head, @sha256, @report, @decisions, @origin, @importedFrom, @createdBy, @createdAt)`,
  );
  const nextId = db.prepare<[], { id: number }>('SELECT coalesce(max(id), 0) + 1 AS id FROM site_models');
  const all = db.prepare<[], SiteModelRow>(`SELECT ${SITE_MODEL_COLUMNS} FROM site_models s LEFT JOIN moderators m ON m.id = s.created_by ORDER BY s.id DESC`);
  const one = db.prepare<{ model: string }, SiteModelRow>(`SELECT ${SITE_MODEL_COLUMNS} FROM site_models s LEFT JOIN moderators m ON m.id = s.created_by WHERE s.model = @model`);
  const head = db.prepare<{ model: string }, { head: Buffer }>('SELECT head FROM site_models WHERE model = @model');
  const versions = db.prepare<[], ModelVersionRow>(
    `SELECT v.id, v.model, m.username AS by, v.reason, v.created_at AS createdAt
     FROM model_versions v LEFT JOIN moderators m ON m.id = v.moderator_id ORDER BY v.id DESC`,
  );
  const latestVersion = db.prepare<[], { id: number; model: string }>('SELECT id, model FROM model_versions ORDER BY id DESC LIMIT 1');
  const insertVersion = db.prepare<{ model: string; moderatorId: number | null; reason: string; now: number }>(
    'INSERT INTO model_versions (model, moderator_id, reason, created_at) VALUES (@model, @moderatorId, @reason, @now)',
  );
  const reflagPending = db.prepare<[], { id: number; model: string; cursor: number }>(
    'SELECT id, model, reflag_cursor AS cursor FROM model_versions WHERE reflag_cursor IS NOT NULL ORDER BY id DESC LIMIT 1',
  );
  const finishOlderReflags = db.prepare<{ id: number }>('UPDATE model_versions SET reflag_cursor = NULL WHERE id < @id AND reflag_cursor IS NOT NULL');
  const scoredAfter = db.prepare<{ model: string; after: number; limit: number }, { id: number }>(
    'SELECT comment_id AS id FROM scores WHERE comment_id > @after AND model = @model ORDER BY comment_id LIMIT @limit',
  );
  const moveReflag = db.prepare<{ id: number; cursor: number | null }>('UPDATE model_versions SET reflag_cursor = @cursor WHERE id = @id');
  const shadowing = db.prepare<[], SiteModelRow>(
    `SELECT ${SITE_MODEL_COLUMNS} FROM site_models s LEFT JOIN moderators m ON m.id = s.created_by
     WHERE s.shadow_started_at IS NOT NULL AND s.shadow_stopped_at IS NULL`,
  );
  const lastComment = db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM comments');
  const startShadow = db.prepare<{ model: string; now: number; from: number }>(
    `UPDATE site_models SET shadow_started_at = @now, shadow_stopped_at = NULL, shadow_from_comment = @from, shadow_cursor = @from
     WHERE model = @model`,
  );
  const stopShadow = db.prepare<{ now: number }>(
    'UPDATE site_models SET shadow_stopped_at = @now WHERE shadow_started_at IS NOT NULL AND shadow_stopped_at IS NULL',
  );
  const toShadow = db.prepare<{ after: number; limit: number }, { id: number; body: string }>(
    'SELECT id, body FROM comments WHERE id > @after ORDER BY id LIMIT @limit',
  );
  const insertShadowScore = db.prepare(
    `INSERT INTO shadow_scores (comment_id, model, ${LABELS.join(', ')}, scored_at)
     VALUES (@commentId, @model, ${LABELS.map((l) => '@' + l).join(', ')}, @now) ON CONFLICT DO NOTHING`,
  );
  const moveCursor = db.prepare<{ model: string; cursor: number }>(
    'UPDATE site_models SET shadow_cursor = max(shadow_cursor, @cursor) WHERE model = @model AND shadow_stopped_at IS NULL',
  );
  const shadowScored = db.prepare<{ model: string }, { n: number }>('SELECT count(*) AS n FROM shadow_scores WHERE model = @model');
  // Each comment decided since shadowing began counts once, by its latest standing decision (as training counts them).
  const shadowDecisions = db.prepare<{ model: string; inForce: string; since: number }, ShadowRow>(
    `SELECT d.comment_id, d.action, ${LABELS.map((l) => `f.${l} AS f_${l}`).join(', ')}, ${LABELS.map((l) => `sh.${l} AS s_${l}`).join(', ')}, f.comment_id AS f_present
     FROM decisions d
     JOIN shadow_scores sh ON sh.comment_id = d.comment_id AND sh.model = @model
     LEFT JOIN scores f ON f.comment_id = d.comment_id AND f.model = @inForce
     WHERE ${STANDING} AND d.decided_at >= @since AND d.rule IS NULL
       AND d.id = (SELECT max(l.id) FROM decisions l
                   WHERE l.comment_id = d.comment_id AND l.action != 'undo'
                     AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes_id = l.id))
     ORDER BY d.comment_id`,
  );

  return {
    /** Saves a site model under the next free name and returns the name. Call inside the caller's transaction. */
    insert(m: NewSiteModel): string {
      const model = siteModelName(nextId.get()!.id);
      insert.run({ ...m, model });
      return model;
    },
    list: () => all.all(),
    get: (model: string): SiteModelRow | undefined => one.get({ model }),
    head: (model: string): Uint8Array | undefined => head.get({ model })?.head,
    versions: () => versions.all(),
    latestVersion: () => latestVersion.get(),
    addVersion: (v: { model: string; moderatorId: number | null; reason: string; now: number }) => Number(insertVersion.run(v).lastInsertRowid),
    /** The newest version whose re-flagging from stored scores is unfinished; older ones are moot and marked done. */
    reflagPending() {
      const v = reflagPending.get();
      if (v) finishOlderReflags.run({ id: v.id });
      return v;
    },
    /** Ids of comments after `after` that `model` has scored, in id order. */
    scoredAfter: (model: string, after: number, limit: number) => scoredAfter.all({ model, after, limit }).map((r) => r.id),
    /** Moves a version's re-flagging cursor; null: done. */
    moveReflag: (id: number, cursor: number | null) => moveReflag.run({ id, cursor }),
    shadowing: () => shadowing.get(),
    /** Starts shadowing `model` from the newest stored comment on; stops any other shadow. Call inside the caller's transaction. */
    startShadow(model: string, now: number): void {
      stopShadow.run({ now });
      startShadow.run({ model, now, from: lastComment.get()?.id ?? 0 });
    },
    stopShadow: (now: number) => stopShadow.run({ now }).changes,
    /** Comments after `after`, oldest first: the shadow's next batch. */
    toShadow: (after: number, limit: number) => toShadow.all({ after, limit }),
    /** Writes a shadow batch and moves the cursor past it, in one transaction. */
    writeShadowScores: db.transaction((model: string, batch: { commentId: number; scores: LabelScores }[], cursor: number, now: number) => {
      for (const b of batch) insertShadowScore.run({ commentId: b.commentId, model, now, ...b.scores });
      moveCursor.run({ model, cursor });
    }),
    shadowScored: (model: string) => shadowScored.get({ model })!.n,
    shadowDecisions(model: string, inForce: string, since: number): ShadowDecision[] {
      return shadowDecisions.all({ model, inForce, since }).map((r) => ({
        commentId: r.comment_id,
        label: r.action === 'approve' ? 0 : 1,
        inForce: r.f_present === null ? null : labelScores(r, 'f_'),
        shadow: labelScores(r, 's_'),
      }));
    },
  };
}

export type SiteModelStore = ReturnType<typeof createSiteModelStore>;

type ShadowRow = { comment_id: number; action: string; f_present: number | null } & Record<string, number | null>;

/** The scores of one model in a row that holds two, their columns told apart by `prefix`. */
function labelScores(r: ShadowRow, prefix: string): LabelScores {
  const scores = {} as LabelScores;
  for (const l of LABELS) scores[l] = r[prefix + l] ?? null;
  return scores;
}
