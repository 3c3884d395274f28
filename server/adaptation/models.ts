/**
 * Site models after training (issue 11): stored, shadowed, promoted, rolled
 * back, exported and imported. The model in force is versioned like
 * thresholds: every promotion or rollback writes a row of model_versions
 * with who and why, and the scoring pipeline follows it (rescoring every
 * stored comment in the background), in this process or any other.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/open.ts';
import { Conflict, NotFound, ValidationError } from '../errors.ts';
import type { EventStore } from '../events/store.ts';
import type { Flagging } from '../flagging/service.ts';
import { flagsFor, type ThresholdValues } from '../flagging/rules.ts';
import type { LabelScores } from '../scoring/labels.ts';
import { DEFAULT_MODEL_DIR, type LocalModelManifest } from '../scoring/local-model.ts';
import { decodeHead, encodeHead, headChecksum } from './head-format.ts';
import type { SiteHead } from './head.ts';
import type { ModelVersionRow, ShadowDecision, SiteModelRow, SiteModelStore } from './models-store.ts';
import type { AdaptationReport } from './service.ts';
import type { SiteModelReport } from './schemas.ts';
import type { SiteModelFiles } from './site-scorer.ts';
import { readModelDir, SITE_MODEL_FORMAT, writeModelDir } from './model-files.ts';
import { SITE_LABEL } from './site-scores.ts';

export interface SiteModelsDeps {
  db: Db;
  store: SiteModelStore;
  events: Pick<EventStore, 'appendGlobal'>;
  now: () => number;
  thresholds: () => ThresholdValues;
  /**
   * The model this process scores with when no site model is in force
   * (`triage-local@2.0.0`); null in a process that does not score (the
   * newest stored score's model then stands in).
   */
  shipped: () => string | null;
  /** The shipped model's folder (default models/local): its weights' SHA-256 ties a head to its features. */
  modelDir?: string;
  /** Told after a promotion or rollback commits, so the scoring pipeline follows at once. */
  onInForceChanged?: () => void;
  /** Flags comments again from the stored scores of a model; call inside the caller's transaction. */
  flagging: Pick<Flagging, 'flag'>;
}

/** How long the model in force may be reused before the history is read again. */
const IN_FORCE_TTL_MS = 1000;

/** Comments re-flagged per transaction after a rollback. */
const REFLAG_CHUNK = 1000;

/** How often one model's flags agreed with the moderators on the comments they decided. */
export interface Agreement {
  /** Decided comments compared. */
  n: number;
  /** Flagged by scores and hidden or escalated, or not flagged and approved. */
  agree: number;
  rate: number | null;
  /** Of the comments its scores flagged, the share moderators hid or escalated. */
  precision: number | null;
  /** Of the comments moderators hid or escalated, the share its scores flagged. */
  recall: number | null;
}

const MAX_REASON = 500;

/**
 * How often "flagged by scores at these thresholds" matched the moderators'
 * decisions. Pure; the Model screen shows it for the model in force and the
 * shadow on the decisions made since shadowing began.
 */
export function agreement(rows: readonly { label: 0 | 1; scores: LabelScores }[], thresholds: ThresholdValues): Agreement {
  let agree = 0;
  let flagged = 0;
  let flaggedHidden = 0;
  let hidden = 0;
  for (const r of rows) {
    const f = flagsFor(r.scores, thresholds).length > 0;
    if (f === (r.label === 1)) agree++;
    if (f) flagged++;
    if (r.label === 1) hidden++;
    if (f && r.label === 1) flaggedHidden++;
  }
  const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
  return { n: rows.length, agree, rate: ratio(agree, rows.length), precision: ratio(flaggedHidden, flagged), recall: ratio(flaggedHidden, hidden) };
}

export function createSiteModels(deps: SiteModelsDeps) {
  const { db, store, events, now } = deps;
  const modelDir = deps.modelDir ?? DEFAULT_MODEL_DIR;
  let shippedManifest: LocalModelManifest | undefined;
  /** The shipped model's manifest, read once: its name and weights checksum. */
  function shippedFiles(): LocalModelManifest {
    shippedManifest ??= JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as LocalModelManifest;
    return shippedManifest;
  }
  const shippedName = () => deps.shipped() ?? `${shippedFiles().id}@${shippedFiles().version}`;

  /** Whether a site model's head fits the shipped model of this installation. */
  function fits(row: Pick<SiteModelRow, 'baseModel' | 'baseSha256'>): boolean {
    const m = shippedFiles();
    return row.baseModel === `${m.id}@${m.version}` && row.baseSha256 === m.weights.sha256 && row.baseModel === shippedName();
  }

  function site(model: string): SiteModelRow {
    const row = store.get(model);
    if (!row) throw new NotFound('site model', model);
    return row;
  }

  /**
   * The model in force: the newest promotion's, unless it is a site model
   * that does not fit this installation's shipped model (after an upgrade):
   * then the shipped model, until an admin adapts again.
   */
  function readInForce(): string {
    const v = store.latestVersion();
    if (!v || v.model === shippedName()) return shippedName();
    const row = store.get(v.model);
    return row && fits(row) ? v.model : shippedName();
  }
  // model() is asked for every request, flag and decision: read the history at most once a
  // second. A promotion here is seen at once; one from another process (the command line)
  // within a second, as the pipeline polls anyway.
  let cached: { value: string; at: number } | null = null;
  function inForce(): string {
    const t = performance.now();
    if (!cached || t - cached.at >= IN_FORCE_TTL_MS) cached = { value: readInForce(), at: t };
    return cached.value;
  }

  function summary(row: SiteModelRow, inForceNow: string) {
    return {
      model: row.model,
      baseModel: row.baseModel,
      fits: fits(row),
      origin: row.origin,
      importedFrom: row.importedFrom,
      createdBy: row.createdBy,
      createdAt: row.createdAt,
      decisions: row.decisions,
      state: row.model === inForceNow ? ('in force' as const) : row.shadowStartedAt !== null && row.shadowStoppedAt === null ? ('shadow' as const) : ('candidate' as const),
      report: JSON.parse(row.report) as SiteModelReport,
    };
  }

  /** The shadow's agreement with moderators beside the model in force's, on the comments decided since shadowing began. */
  function shadow() {
    const row = store.shadowing();
    if (!row) return null;
    const current = inForce();
    const decided: ShadowDecision[] = store.shadowDecisions(row.model, current, row.shadowStartedAt!);
    const both = decided.filter((d) => d.inForce !== null);
    const thresholds = deps.thresholds();
    return {
      model: row.model,
      inForce: current,
      since: row.shadowStartedAt!,
      scored: store.shadowScored(row.model),
      decided: decided.length,
      agreement: {
        inForce: agreement(both.map((d) => ({ label: d.label, scores: d.inForce! })), thresholds),
        shadow: agreement(both.map((d) => ({ label: d.label, scores: d.shadow })), thresholds),
      },
    };
  }

  const reflagChunk = db.transaction((model: string): boolean => {
    const v = store.reflagPending();
    if (!v) return false;
    if (v.model !== model) {
      // Another model is in force now; a rollback to this one will start over.
      store.moveReflag(v.id, null);
      return true;
    }
    const ids = store.scoredAfter(model, v.cursor, REFLAG_CHUNK);
    deps.flagging.flag(ids, model);
    store.moveReflag(v.id, ids.length < REFLAG_CHUNK ? null : ids.at(-1)!);
    return ids.length > 0;
  });

  const promote = db.transaction((model: string, reason: string, by: number | null, t: number) => {
    const version = store.addVersion({ model, moderatorId: by, reason, now: t });
    // A promoted shadow has nothing left to shadow.
    if (store.shadowing()?.model === model) store.stopShadow(t);
    events.appendGlobal({ type: 'model.changed', now: t, payload: { version, model, moderatorId: by } });
    return version;
  });

  return {
    inForce,
    /** The shipped model's name (what a rollback to "no site model" puts in force). */
    shipped: shippedName,

    /** Saves a trained head as the next site model; returns its name. Nothing changes in the queue until it is promoted. */
    saveTrained({ head, report, by }: { head: SiteHead; report: AdaptationReport; by: { id: number } | null }): string {
      const m = shippedFiles();
      const bytes = encodeHead(head);
      // The per-comment ids and scores are for tests and the bench; the stored report keeps the figures.
      const { model, current, decisions, trained, positivesTrained, trainedUntil, heldOutFrom, moderators, samples, distillation, comparison, ms } = report;
      const kept: SiteModelReport = { model, current, decisions, trained, positivesTrained, trainedUntil, heldOutFrom, moderators, samples, distillation, comparison, ms };
      return store.insert({
        baseModel: `${m.id}@${m.version}`,
        baseSha256: m.weights.sha256,
        denseDim: head.dense.length,
        ngrams: head.ngrams.size,
        head: bytes,
        sha256: headChecksum(bytes),
        report: JSON.stringify(kept),
        decisions: report.decisions,
        origin: 'trained',
        importedFrom: null,
        createdBy: by?.id ?? null,
        createdAt: now(),
      });
    },

    /** What the Model screen shows. */
    overview() {
      const versions: ModelVersionRow[] = store.versions();
      const inForceNow = inForce();
      return {
        inForce: inForceNow,
        shipped: shippedName(),
        version: versions[0]?.id ?? 0,
        versions,
        models: store.list().map((row) => summary(row, inForceNow)),
        shadow: shadow(),
      };
    },

    /** Every model put in force, oldest first, from the shipped model at the start (version 0) on: for reports. */
    history() {
      const first = { version: 0, model: shippedName(), moderator: null, reason: null, since: 0 };
      return [first, ...store.versions().reverse().map((v) => ({ version: v.id, model: v.model, moderator: v.by, reason: v.reason, since: v.createdAt }))];
    },

    /** A site model's head, for comparing a new candidate with it. */
    head(model: string): SiteHead | null {
      const row = store.get(model);
      const bytes = row ? store.head(model) : undefined;
      return row && bytes ? decodeHead(bytes, row) : null;
    },

    /** A site model as the scorer loads it. */
    files(model: string): SiteModelFiles {
      const row = site(model);
      if (!fits(row)) throw new ValidationError(`${model} was trained on ${row.baseModel}; this installation scores with ${shippedName()}`);
      return { model, baseModel: row.baseModel, baseSha256: row.baseSha256, denseDim: row.denseDim, ngrams: row.ngrams, head: store.head(model)! };
    },

    /**
     * Puts a model in force (a site model, or the shipped one: a rollback),
     * with a reason. `expectedVersion` is the history version the admin saw:
     * an older one is a Conflict, so two admins cannot undo each other unseen.
     */
    promote(input: { model: string; reason: string; expectedVersion?: number }, by: { id: number } | null): { version: number; model: string } {
      const reason = input.reason.trim();
      if (reason === '') throw new ValidationError('reason must say why this model goes in force', { field: 'reason' });
      if (reason.length > MAX_REASON) throw new ValidationError(`reason must be at most ${MAX_REASON} characters`, { field: 'reason' });
      const current = store.latestVersion()?.id ?? 0;
      if (input.expectedVersion !== undefined && input.expectedVersion !== current) {
        throw new Conflict(`the model history changed since you loaded it (version ${current}, you saw ${input.expectedVersion}); reload and try again`, { version: current });
      }
      if (input.model !== shippedName()) {
        const row = site(input.model);
        if (!fits(row)) throw new ValidationError(`${input.model} was trained on ${row.baseModel}; this installation scores with ${shippedName()}`);
      }
      if (input.model === inForce()) throw new Conflict(`${input.model} is already in force`);
      const version = promote(input.model, reason, by?.id ?? null, now());
      cached = null;
      deps.onInForceChanged?.();
      return { version, model: input.model };
    },

    /** Scores comments stored from now on with `model` beside the model in force, flagging nothing. Stops any other shadow. */
    startShadow(model: string): void {
      const row = site(model);
      if (!fits(row)) throw new ValidationError(`${model} was trained on ${row.baseModel}; this installation scores with ${shippedName()}`);
      if (model === inForce()) throw new Conflict(`${model} is in force; a shadow runs beside it`);
      db.transaction(() => store.startShadow(model, now()))();
    },
    stopShadow(): boolean {
      return store.stopShadow(now()) > 0;
    },
    shadow,

    /**
     * After a model goes back in force (a rollback), flags one chunk of the
     * comments it had scored from those scores, resumably; comments it never
     * scored are rescored and flagged by the pipeline. Returns false when
     * nothing is left to do. The pipeline calls it between batches.
     */
    reflagStep: reflagChunk,

    /** Writes a site model to `dir` as model.json and head.bin. */
    exportTo(model: string, dir: string): void {
      const row = site(model);
      writeModelDir(dir, {
        manifest: {
          format: SITE_MODEL_FORMAT,
          model,
          label: SITE_LABEL,
          base: { model: row.baseModel, sha256: row.baseSha256 },
          head: { file: 'head.bin', sha256: row.sha256, denseDim: row.denseDim, ngrams: row.ngrams },
          decisions: row.decisions,
          createdAt: new Date(row.createdAt).toISOString(),
          report: JSON.parse(row.report) as SiteModelReport,
        },
        head: store.head(model)!,
      });
    },

    /**
     * Stores the site model in `dir` under the next free name, as a
     * candidate (it is not put in force). Refuses one whose head does not fit
     * this installation's shipped model; one already here is not stored twice.
     */
    importFrom(dir: string, by: { id: number } | null): { model: string; existed: boolean } {
      const { manifest, head } = readModelDir(dir);
      const same = store.list().find((r) => r.sha256 === manifest.head.sha256 && r.baseSha256 === manifest.base.sha256);
      if (same) return { model: same.model, existed: true };
      if (!fits({ baseModel: manifest.base.model, baseSha256: manifest.base.sha256 })) {
        throw new ValidationError(
          `${manifest.model} in ${dir} was trained on ${manifest.base.model} (weights ${manifest.base.sha256.slice(0, 12)}…); ` +
            `this installation scores with ${shippedName()}: a head only fits the features it was trained on`,
        );
      }
      const model = store.insert({
        baseModel: manifest.base.model,
        baseSha256: manifest.base.sha256,
        denseDim: manifest.head.denseDim,
        ngrams: manifest.head.ngrams,
        head,
        sha256: manifest.head.sha256,
        report: JSON.stringify(manifest.report),
        decisions: manifest.decisions,
        origin: 'imported',
        importedFrom: manifest.model,
        createdBy: by?.id ?? null,
        createdAt: now(),
      });
      return { model, existed: false };
    },
  };
}

export type SiteModels = ReturnType<typeof createSiteModels>;
