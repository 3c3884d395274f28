import type { Db } from '../db/open.ts';
import { BadImport } from '../errors.ts';
import type { ScoringStore } from '../scoring/store.ts';
import type { ImportFormat } from './formats.ts';
import { parseImport } from './parse.ts';
import type { IngestStore } from './store.ts';
import type { ParsedImport } from './types.ts';

export interface ImportResult {
  id: number;
  format: string;
  threads: number;
  commentsNew: number;
  commentsSeen: number;
  /** Our ids of the threads in the file, in file order. */
  threadIds: number[];
}

export interface ImportOptions {
  moderatorId: number | null;
  /** Where the file came from, for the imports table: `upload:name`, `cli:path`, `seed:name`. */
  source: string;
  /** Called every 1,000 comments inside the transaction (synchronous progress bars only). */
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
}

export function createIngestService(deps: IngestDeps) {
  const { db, store, scoring, now } = deps;

  /**
   * Stores parsed threads in one transaction: all of the file or none of it.
   * Threads and comments already stored (same source and ids) are counted as
   * seen and never duplicated, so importing a file twice is harmless.
   */
  const store_ = db.transaction((parsed: ParsedImport, meta: ImportOptions): ImportResult => {
    const t = now();
    const total = parsed.threads.reduce((n, th) => n + th.comments.length, 0);
    const model = deps.model();
    let commentsNew = 0;
    let commentsSeen = 0;
    const threadIds: number[] = [];
    parsed.threads.forEach((thread, ti) => {
      let threadId = store.getThreadId(thread.source, thread.externalId);
      const known = new Map<string, { id: number; depth: number }>();
      if (threadId === undefined) {
        threadId = store.insertThread({ ...thread, importedAt: t });
      } else {
        for (const ref of store.listCommentRefs(threadId)) known.set(ref.external_id, { id: ref.id, depth: ref.depth });
      }
      threadIds.push(threadId);
      let position = store.nextPosition(threadId);
      thread.comments.forEach((comment, ci) => {
        if ((commentsNew + commentsSeen) % 1000 === 999) meta.onProgress?.(commentsNew + commentsSeen + 1, total);
        if (known.has(comment.externalId)) {
          commentsSeen++;
          return;
        }
        let parent: { id: number; depth: number } | undefined;
        if (comment.parentExternalId !== null) {
          parent = known.get(comment.parentExternalId);
          if (!parent) {
            throw new BadImport(`reply to unknown comment "${comment.parentExternalId}"`, {
              field: `threads[${ti}].comments[${ci}].parentExternalId`,
            });
          }
        }
        const id = store.insertComment({
          threadId: threadId!,
          parentId: parent?.id ?? null,
          externalId: comment.externalId,
          position: position++,
          depth: parent ? parent.depth + 1 : 0,
          author: comment.author,
          body: comment.body,
          postedAt: comment.postedAt,
          importedAt: t,
        });
        known.set(comment.externalId, { id, depth: parent ? parent.depth + 1 : 0 });
        if (model) scoring.enqueue(id, model, t);
        commentsNew++;
      });
    });
    meta.onProgress?.(total, total);
    const counts = { threads: parsed.threads.length, commentsNew, commentsSeen };
    const id = store.insertImport({ format: parsed.format, source: meta.source, moderatorId: meta.moderatorId, ...counts, importedAt: t });
    return { id, format: parsed.format, ...counts, threadIds };
  });

  return {
    /** Parses (throws BadImport naming line or field) and stores a file's content. */
    importText(text: string, options: ImportOptions & { format?: string }): ImportResult {
      const parsed = parseImport(text, (options.format ?? 'auto') as ImportFormat | 'auto');
      return this.importParsed(parsed, options);
    },
    importParsed(parsed: ParsedImport, options: ImportOptions): ImportResult {
      const result = store_(parsed, options);
      deps.onImported?.(result);
      return result;
    },
  };
}

export type IngestService = ReturnType<typeof createIngestService>;
