import type { Db } from '../db/open.ts';
import { BadImport } from '../errors.ts';
import type { ScoringStore } from '../scoring/store.ts';
import type { ImportFormat } from './formats.ts';
import { parseImport } from './parse.ts';
import type { IngestStore, StoredComment } from './store.ts';
import type { ParsedComment, ParsedImport, ParsedThread } from './types.ts';

export interface ImportResult {
  id: number;
  format: string;
  threads: number;
  commentsNew: number;
  /** Stored comments found unchanged. */
  commentsSeen: number;
  /** Stored comments whose text, author, time or parent the file changed: updated, their earlier version kept, scored again. */
  commentsEdited: number;
  /** Stored threads whose title, url or body the file changed. */
  threadsUpdated: number;
  /** Our ids of the threads in the file, in file order. */
  threadIds: number[];
}

export interface ImportOptions {
  moderatorId: number | null;
  /** Where the file came from, for the imports table: `upload:name`, `cli:path`, `seed:name`. */
  source: string;
  /** Called every 1,000 comments written (progress bars). */
  onProgress?: (comments: number, total: number) => void;
}

export interface IngestDeps {
  db: Db;
  store: IngestStore;
  scoring: ScoringStore;
  now: () => number;
  /** The model new comments are queued for; null when nothing scores in this process (the pipeline queues them on start). */
  model: () => string | null;
  /** Told after each import so scoring starts at once. */
  onImported?: (result: ImportResult) => void;
  /** Told, inside the last transaction of an import, of the ids of its new comments [from, to) (authors: a banned author's are hidden). */
  onArrived?: (from: number, to: number) => void;
  /** Parses a large file off the main thread; in-thread when absent. */
  parseOffThread?: (text: string, format: ImportFormat | 'auto') => Promise<ParsedImport>;
}

/** Comments per write transaction of a chunked import: tens of milliseconds each. */
export const IMPORT_CHUNK = 500;
/** Files from this size are parsed off the main thread. */
const OFF_THREAD_BYTES = 1024 * 1024;

/** A new comment, checked and placed before anything is written. */
interface PlannedComment {
  thread: number;
  comment: ParsedComment;
  /** Our id of a parent already stored, or null. */
  parentId: number | null;
  depth: number;
  position: number;
}

/** A stored comment the file changes. */
interface PlannedEdit {
  thread: number;
  id: number;
  comment: ParsedComment;
  /** Our id of a stored parent, or null (then `comment.parentExternalId` names a new one, or none). */
  parentId: number | null;
  /** Whether the text changed: then the comment is scored again. */
  rescore: boolean;
}

/** What an import will write: worked out from the file and the stored threads, without writing. */
interface Plan {
  threads: { parsed: ParsedThread; storedId: number | undefined; changed: boolean }[];
  comments: PlannedComment[];
  edits: PlannedEdit[];
  seen: number;
}

/** Whether the file's version of a stored comment differs from it. */
function differs(stored: StoredComment, c: ParsedComment, parentId: number | null | undefined): boolean {
  return stored.body !== c.body || stored.author !== c.author || stored.posted_at !== c.postedAt || (parentId !== undefined && stored.parent_id !== parentId);
}

/** Where a running import got to: the ids it has given so far. */
interface Written {
  importId: number;
  threadIds: (number | undefined)[];
  /** Per thread: our id of each new comment by its external id. */
  ids: Map<string, number>[];
  firstComment: number;
  lastComment: number;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createIngestService(deps: IngestDeps) {
  const { db, store, now } = deps;

  /**
   * Checks every comment against the stored threads and the file: a reply
   * must answer a comment stored already or earlier in the file. A comment
   * already stored (same source, thread and comment id) is seen when
   * unchanged and an edit when its text, author, time or parent differ. A
   * comment whose id is derived from its text (page formats) gets a new id
   * when edited: a new id whose author, time and parent match exactly one
   * stored comment missing from the file is that comment, edited. Reads only.
   */
  function plan(parsed: ParsedImport): Plan {
    const threads: Plan['threads'] = [];
    const comments: PlannedComment[] = [];
    const edits: PlannedEdit[] = [];
    let seen = 0;
    parsed.threads.forEach((thread, ti) => {
      const storedThread = store.getThread(thread.source, thread.externalId);
      const storedId = storedThread?.id;
      const closed = thread.closed === true ? 1 : 0;
      const changed =
        storedThread !== undefined &&
        (storedThread.title !== thread.title || storedThread.url !== thread.url || storedThread.body !== thread.body || storedThread.closed !== closed);
      threads.push({ parsed: thread, storedId, changed });
      const stored = new Map<string, StoredComment>();
      const storedById = new Map<number, StoredComment>();
      if (storedId !== undefined) {
        for (const ref of store.listCommentRefs(storedId)) {
          stored.set(ref.external_id, ref);
          storedById.set(ref.id, ref);
        }
      }
      const inFile = new Map(thread.comments.map((c) => [c.externalId, c]));
      const key = (author: string | null, postedAt: number | null, parent: string | null) => JSON.stringify([author, postedAt, parent]);
      const storedParentExt = (s: StoredComment) => (s.parent_id === null ? null : (storedById.get(s.parent_id)?.external_id ?? null));
      // Stored comments the file no longer names, by author, time and parent: where an edited text-derived id came from.
      const missing = new Map<string, StoredComment[]>();
      for (const s of stored.values()) {
        if (inFile.has(s.external_id) || s.posted_at === null) continue;
        const k = key(s.author, s.posted_at, storedParentExt(s));
        missing.set(k, [...(missing.get(k) ?? []), s]);
      }
      // Where each comment ends up: the file's parent for the comments it names, the stored one for the rest.
      const finalParent = (ext: string): string | null => {
        const c = inFile.get(ext);
        if (c) return c.parentExternalId;
        const s = stored.get(ext);
        return s ? storedParentExt(s) : null;
      };
      const planned = new Map<string, number>();
      const done = new Set<string>();
      let position = storedId === undefined ? 0 : store.nextPosition(storedId);
      thread.comments.forEach((comment, ci) => {
        const where = `threads[${ti}].comments[${ci}]`;
        if (done.has(comment.externalId)) {
          seen++;
          return;
        }
        done.add(comment.externalId);
        let existing = stored.get(comment.externalId);
        if (!existing && comment.postedAt !== null) {
          const candidates = missing.get(key(comment.author, comment.postedAt, comment.parentExternalId));
          if (candidates?.length === 1) {
            existing = candidates.pop();
            done.add(existing!.external_id);
          }
        }
        let parentId: number | null = null;
        let depth = 0;
        if (comment.parentExternalId !== null) {
          const storedParent = stored.get(comment.parentExternalId);
          const plannedDepth = planned.get(comment.parentExternalId);
          if (plannedDepth !== undefined) {
            depth = plannedDepth + 1;
            parentId = storedParent?.id ?? null;
          } else if (storedParent) {
            parentId = storedParent.id;
            depth = storedParent.depth + 1;
          } else {
            throw new BadImport(`reply to unknown comment "${comment.parentExternalId}"`, { field: `${where}.parentExternalId` });
          }
        }
        planned.set(comment.externalId, depth);
        if (!existing) {
          comments.push({ thread: ti, comment, parentId, depth, position: position++ });
          return;
        }
        // A parent named by a new comment of this file has no id yet: it cannot be the stored parent.
        const newParent = comment.parentExternalId !== null && !stored.has(comment.parentExternalId);
        if (!differs(existing, comment, newParent ? -1 : parentId) && existing.external_id === comment.externalId) {
          seen++;
          return;
        }
        if (existing.parent_id !== (newParent ? -1 : parentId)) {
          // Moving a comment under one of its own replies would make a loop.
          for (let up = comment.parentExternalId, steps = 0; up !== null && steps <= stored.size + inFile.size; up = finalParent(up), steps++) {
            if (up === comment.externalId || up === existing.external_id) {
              throw new BadImport(`comment "${comment.externalId}" cannot answer "${comment.parentExternalId}", which is one of its own replies`, { field: `${where}.parentExternalId` });
            }
          }
        }
        edits.push({ thread: ti, id: existing.id, comment, parentId, rescore: existing.body !== comment.body });
      });
    });
    return { threads, comments, edits, seen };
  }

  function threadId(p: Plan, w: Written, ti: number, t: number): number {
    let id = w.threadIds[ti] ?? p.threads[ti]!.storedId;
    if (id === undefined) id = store.insertThread({ ...p.threads[ti]!.parsed, importId: w.importId, importedAt: t });
    w.threadIds[ti] = id;
    return id;
  }

  /** Writes planned comments [from, to); call inside a transaction. */
  function writeComments(p: Plan, w: Written, from: number, to: number, t: number, onProgress?: ImportOptions['onProgress']): void {
    for (let i = from; i < to; i++) {
      const { thread, comment, parentId, depth, position } = p.comments[i]!;
      const id = store.insertComment({
        importId: w.importId,
        threadId: threadId(p, w, thread, t),
        parentId: parentId ?? (comment.parentExternalId === null ? null : w.ids[thread]!.get(comment.parentExternalId)!),
        externalId: comment.externalId,
        position,
        depth,
        author: comment.author,
        body: comment.body,
        postedAt: comment.postedAt,
        importedAt: t,
        sourceStatus: comment.sourceStatus,
      });
      w.ids[thread]!.set(comment.externalId, id);
      if (w.firstComment === 0) w.firstComment = id;
      w.lastComment = id;
      if ((i + 1) % 1000 === 0) onProgress?.(i + 1 + p.seen, p.comments.length + p.seen);
    }
  }

  /**
   * Applies edits [from, to) to stored comments after every new comment is
   * written (a comment may move under a new one); call inside a transaction.
   */
  function writeEdits(p: Plan, w: Written, from: number, to: number, t: number): void {
    const model = deps.model();
    for (let i = from; i < to; i++) {
      const { thread, id, comment, parentId, rescore } = p.edits[i]!;
      const parent = parentId ?? (comment.parentExternalId === null ? null : w.ids[thread]!.get(comment.parentExternalId)!);
      store.editComment(
        { id, externalId: comment.externalId, author: comment.author, body: comment.body, postedAt: comment.postedAt, parentId: parent },
        { importId: w.importId, now: t },
      );
      if (rescore && model) deps.scoring.rescore(id, model, t);
    }
  }

  /** Threads with nothing new still get a row, changed ones their new title; queues the comments for scoring; marks the import done. */
  function finish(p: Plan, parsed: ParsedImport, w: Written, t: number, enqueueFrom: number): ImportResult {
    p.threads.forEach(({ parsed: thread, storedId, changed }, ti) => {
      threadId(p, w, ti, t);
      if (changed) store.updateThread({ id: storedId!, title: thread.title, url: thread.url, body: thread.body, closed: thread.closed ? 1 : 0 });
    });
    const model = deps.model();
    if (model && w.firstComment > 0) store.enqueueImported(w.importId, model, t, { from: enqueueFrom, to: w.lastComment + 1 });
    const counts = {
      threads: parsed.threads.length,
      commentsNew: p.comments.length,
      commentsSeen: p.seen,
      commentsEdited: p.edits.length,
      threadsUpdated: p.threads.filter((th) => th.changed).length,
    };
    if (w.firstComment > 0) deps.onArrived?.(w.firstComment, w.lastComment + 1);
    store.finishImport(w.importId, counts);
    return { id: w.importId, format: parsed.format, ...counts, threadIds: w.threadIds as number[] };
  }

  function begin(parsed: ParsedImport, options: ImportOptions, t: number): Written {
    const importId = store.beginImport({ format: parsed.format, source: options.source, moderatorId: options.moderatorId, importedAt: t });
    return { importId, threadIds: [], ids: parsed.threads.map(() => new Map()), firstComment: 0, lastComment: 0 };
  }

  /** All of the file or none of it, in one transaction: for small files. */
  // `p` when the caller planned already, in the same synchronous stretch.
  const importAtOnce = db.transaction((parsed: ParsedImport, options: ImportOptions, p: Plan = plan(parsed)): ImportResult => {
    const t = now();
    const w = begin(parsed, options, t);
    writeComments(p, w, 0, p.comments.length, t, options.onProgress);
    writeEdits(p, w, 0, p.edits.length, t);
    options.onProgress?.(p.comments.length + p.seen, p.comments.length + p.seen);
    return finish(p, parsed, w, t, w.firstComment);
  });

  /** Takes an unfinished import back out, in chunks, newest first; returns the comments it had to keep (decided or answered). */
  async function takeBack(importId: number): Promise<number> {
    // Edits first: a moved comment may sit under a comment of this import.
    const model = deps.model();
    db.transaction(() => {
      for (const id of store.undoEdits(importId)) if (model) deps.scoring.rescore(id, model, now());
    })();
    const { lo, hi } = db.transaction(() => store.prepareTakeBack(importId))();
    if (lo !== null && hi !== null) {
      for (let to = hi + 1; to > lo; to -= IMPORT_CHUNK) {
        db.transaction(() => store.removeImported(importId, { from: Math.max(lo, to - IMPORT_CHUNK), to }))();
        await nextTurn();
      }
    }
    return db.transaction(() => store.failImport(importId))();
  }

  /**
   * All of the file or none of it, for any size: checked first, then written
   * in chunks of IMPORT_CHUNK comments, each its own transaction, with the
   * event loop turning between them. Its comments are queued for scoring only
   * once all are written, so none reaches the review queue before the import
   * is whole. If writing fails, what was written is taken back out.
   */
  async function importInChunks(parsed: ParsedImport, options: ImportOptions): Promise<ImportResult> {
    const p = plan(parsed);
    if (p.comments.length + p.edits.length <= IMPORT_CHUNK) return importAtOnce(parsed, options, p);
    const t = now();
    const w = db.transaction(() => begin(parsed, options, t))();
    try {
      for (let from = 0; from < p.comments.length; from += IMPORT_CHUNK) {
        db.transaction(() => {
          writeComments(p, w, from, Math.min(p.comments.length, from + IMPORT_CHUNK), t, options.onProgress);
          store.heartbeat(w.importId, Date.now());
        })();
        await nextTurn();
      }
      for (let from = 0; from < p.edits.length; from += IMPORT_CHUNK) {
        db.transaction(() => {
          writeEdits(p, w, from, Math.min(p.edits.length, from + IMPORT_CHUNK), t);
          store.heartbeat(w.importId, Date.now());
        })();
        await nextTurn();
      }
      // Queue for scoring in chunks too; the last chunk and the import's state go together.
      const model = deps.model();
      let from = w.firstComment;
      for (; model && w.lastComment + 1 - from > IMPORT_CHUNK; from += IMPORT_CHUNK) {
        db.transaction(() => store.enqueueImported(w.importId, model, t, { from, to: from + IMPORT_CHUNK }))();
        await nextTurn();
      }
      options.onProgress?.(p.comments.length + p.seen, p.comments.length + p.seen);
      return db.transaction(() => finish(p, parsed, w, t, from))();
    } catch (err) {
      await takeBack(w.importId);
      throw err;
    }
  }

  // One import writes at a time: each plans against what the one before it stored.
  let queue: Promise<unknown> = Promise.resolve();
  function serially<T>(work: () => Promise<T>): Promise<T> {
    const done = queue.then(work);
    queue = done.catch(() => undefined);
    return done;
  }

  function told(result: ImportResult): ImportResult {
    deps.onImported?.(result);
    return result;
  }

  return {
    /**
     * Parses (throws BadImport naming line or field) and stores a file of
     * any size without stalling the server: large files are parsed off the
     * main thread and written in chunks.
     */
    importFile(text: string, options: ImportOptions & { format?: ImportFormat | 'auto' }): Promise<ImportResult> {
      const format = options.format ?? 'auto';
      return serially(async () => {
        const parsed = text.length >= OFF_THREAD_BYTES && deps.parseOffThread ? await deps.parseOffThread(text, format) : parseImport(text, format);
        return told(await importInChunks(parsed, options));
      });
    },
    /** Stores parsed threads of any size, in chunks (the CLI, with its own progress bar). */
    importParsedInChunks(parsed: ParsedImport, options: ImportOptions): Promise<ImportResult> {
      return serially(async () => told(await importInChunks(parsed, options)));
    },
    /** Parses and stores a small file in one transaction (seed threads, tests). */
    importText(text: string, options: ImportOptions & { format?: string }): ImportResult {
      return this.importParsed(parseImport(text, (options.format ?? 'auto') as ImportFormat | 'auto'), options);
    },
    /** Stores small parsed threads in one transaction. */
    importParsed(parsed: ParsedImport, options: ImportOptions): ImportResult {
      return told(importAtOnce(parsed, options));
    },
    /**
     * Takes back out what imports a stopped process left half written (quiet
     * for a minute: another process may be importing now); returns how many.
     */
    async recover(): Promise<number> {
      const running = store.listQuietImports(Date.now() - 60_000);
      for (const id of running) await takeBack(id);
      return running.length;
    },
  };
}

export type IngestService = ReturnType<typeof createIngestService>;
