import type { Db } from '../db/open.ts';
import { LABELS, type Label } from '../scoring/labels.ts';
import { DEFAULT_THRESHOLDS } from './defaults.ts';
import type { ThresholdValues } from '../flagging/rules.ts';

export interface ThresholdVersion {
  id: number;
  moderatorId: number | null;
  reason: string | null;
  createdAt: number;
  values: ThresholdValues;
}

/** A version as the history shows it: who, when, why, and what changed from the version before. */
export interface ThresholdHistoryEntry extends ThresholdVersion {
  /** Username of the admin who saved it; null for the defaults of a fresh install. */
  moderator: string | null;
  changes: { label: Label; old: number | null; new: number | null }[];
}

interface VersionRow {
  id: number;
  moderator_id: number | null;
  reason: string | null;
  created_at: number;
  username?: string | null;
}

export function createThresholdStore(db: Db) {
  const latestVersion = db.prepare<[], VersionRow>('SELECT * FROM threshold_versions ORDER BY id DESC LIMIT 1');
  const versionById = db.prepare<{ id: number }, VersionRow>('SELECT * FROM threshold_versions WHERE id = @id');
  const allVersions = db.prepare<[], VersionRow>(
    `SELECT v.*, m.username FROM threshold_versions v LEFT JOIN moderators m ON m.id = v.moderator_id ORDER BY v.id`,
  );
  const valuesOf = db.prepare<{ id: number }, { label: string; value: number | null }>(
    'SELECT label, value FROM thresholds WHERE version_id = @id',
  );
  const allValues = db.prepare<[], { version_id: number; label: string; value: number | null }>(
    'SELECT version_id, label, value FROM thresholds',
  );
  const insertVersion = db.prepare<{ moderatorId: number | null; reason: string | null; createdAt: number }>(
    'INSERT INTO threshold_versions (moderator_id, reason, created_at) VALUES (@moderatorId, @reason, @createdAt)',
  );
  const insertValue = db.prepare<{ versionId: number; label: string; value: number | null }>(
    'INSERT INTO thresholds (version_id, label, value) VALUES (@versionId, @label, @value)',
  );

  function valuesFrom(rows: { label: string; value: number | null }[]): ThresholdValues {
    const values = { ...DEFAULT_THRESHOLDS };
    for (const { label, value } of rows) {
      if (label in values) values[label as Label] = value;
    }
    return values;
  }

  function toVersion(row: VersionRow): ThresholdVersion {
    return { id: row.id, moderatorId: row.moderator_id, reason: row.reason, createdAt: row.created_at, values: valuesFrom(valuesOf.all({ id: row.id })) };
  }

  /** Writes a full set of values as a new version. Call inside the caller's transaction. */
  function insert(values: ThresholdValues, meta: { moderatorId: number | null; reason: string | null; now: number }): number {
    const versionId = Number(insertVersion.run({ moderatorId: meta.moderatorId, reason: meta.reason, createdAt: meta.now }).lastInsertRowid);
    for (const label of LABELS) insertValue.run({ versionId, label, value: values[label] });
    return versionId;
  }

  return {
    insert,
    /** The thresholds in force. */
    current(): ThresholdVersion {
      const row = latestVersion.get();
      if (!row) throw new Error('No thresholds stored: ensureDefaults() runs at start');
      return toVersion(row);
    },
    get(id: number): ThresholdVersion | undefined {
      const row = versionById.get({ id });
      return row && toVersion(row);
    },
    /** Every version, oldest first, with what it changed. */
    history(): ThresholdHistoryEntry[] {
      const byVersion = new Map<number, { label: string; value: number | null }[]>();
      for (const r of allValues.all()) {
        let list = byVersion.get(r.version_id);
        if (!list) byVersion.set(r.version_id, (list = []));
        list.push(r);
      }
      let previous: ThresholdValues | null = null;
      return allVersions.all().map((row) => {
        const values = valuesFrom(byVersion.get(row.id) ?? []);
        const changes = previous === null ? [] : LABELS.filter((l) => previous![l] !== values[l]).map((l) => ({ label: l, old: previous![l], new: values[l] }));
        previous = values;
        return { id: row.id, moderatorId: row.moderator_id, moderator: row.username ?? null, reason: row.reason, createdAt: row.created_at, values, changes };
      });
    },
    /** A fresh database starts at version 1 with the defaults (or the values given). */
    ensureDefaults(now: number, values: ThresholdValues = DEFAULT_THRESHOLDS): void {
      if (!latestVersion.get()) db.transaction(() => insert(values, { moderatorId: null, reason: 'defaults', now }))();
    },
  };
}

export type ThresholdStore = ReturnType<typeof createThresholdStore>;
