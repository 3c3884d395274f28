import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `/work/shared` (read-only reference data beside the project root) exists on
 * the team's machines and CI, not in a user's clone.
 */
export const SHARED_DIR = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const SHARED_TOXICITY_DIR = path.join(SHARED_DIR, 'models/toxicity');
export const hasSharedToxicity = existsSync(path.join(SHARED_TOXICITY_DIR, 'model.json'));
export const SKIP_NO_SHARED = `skipped: ${SHARED_TOXICITY_DIR} is absent (it holds Google's model.json, shard 7 and the stand-in shards; only on the team's machines and CI)`;

/**
 * Assembles Google's toxicity model from the real model.json, shard 7 and
 * vocab.json plus the six STAND-IN shards (see shared/models/SOURCES.md).
 * WARNING: with stand-in weights the model's outputs are meaningless; use the
 * folder only to check loading, shapes, order and cost, never scores.
 */
export function assembleStandinToxicityDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'triage-toxicity-standin-'));
  for (const file of ['model.json', 'group1-shard7of7', 'vocab.json']) {
    symlinkSync(path.join(SHARED_TOXICITY_DIR, file), path.join(dir, file));
  }
  for (let i = 1; i <= 6; i++) {
    const shard = `group1-shard${i}of7`;
    symlinkSync(path.join(SHARED_TOXICITY_DIR, 'standin', shard), path.join(dir, shard));
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
