import type { Db } from '../db/open.ts';
import { LABELS } from '../scoring/labels.ts';
import { DEFAULT_THRESHOLDS } from './defaults.ts';
import type { ThresholdValues } from './flags.ts';

export interface ThresholdVersion {
  id: number;
  moderatorId: number | null;
  reason: string | null;
  createdAt: number;
  values: ThresholdValues;
}

interface VersionRow {
  id: number;
  moderator_id: number | null;
  reason: string | null;
  created_at: number;
}

export function createThresholdStore(db: Db) {
  const latestVersion = db.prepare<[], VersionRow>('SELECT * FROM threshold_versions ORDER BY id DESC LIMIT 1');
  const versionById = db.prepare<{ id: number }, VersionRow>('SELECT * FROM threshold_versions WHERE id = @id');
  const valuesOf = db.prepare<{ id: number }, { label: string; value: number | null }>(
    'SELECT label, value FROM thresholds WHERE version_id = @id',
  );
  const insertVersion = db.prepare<{ moderatorId: number | null; reason: string | null; createdAt: number }>(
    'INSERT INTO threshold_versions (moderator_id, reason, created_at) VALUES (@moderatorId, @reason, @createdAt)',
  );
  const insertValue = db.prepare<{ versionId: number; label: string; value: number | null }>(
    'INSERT INTO thresholds (version_id, label, value) VALUES (@versionId, @label, @value)',
  );

  function toVersion(row: VersionRow): ThresholdVersion {
    const values = { ...DEFAULT_THRESHOLDS };
    for (const { label, value } of valuesOf.all({ id: row.id })) {
      if (label in values) values[label as keyof ThresholdValues] = value;
    }
    return { id: row.id, moderatorId: row.moderator_id, reason: row.reason, createdAt: row.created_at, values };
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
    /** A fresh database starts at version 1 with the defaults. */
    ensureDefaults(now: number): void {
      if (!latestVersion.get()) db.transaction(() => insert(DEFAULT_THRESHOLDS, { moderatorId: null, reason: 'defaults', now }))();
    },
  };
}

export type ThresholdStore = ReturnType<typeof createThresholdStore>;
