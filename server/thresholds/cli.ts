import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { defaultDbPath, fail } from '../auth/cli.ts';
import { openDatabase, type Db } from '../db/open.ts';
import { AppError } from '../errors.ts';
import { LABELS } from '../scoring/labels.ts';
import { createThresholdService } from './service.ts';

function open(path: string | undefined, command: string): Db | null {
  const p = path ?? defaultDbPath();
  if (p !== ':memory:' && !existsSync(p)) {
    fail(`triage thresholds ${command}: no database at ${p} (set --db or TRIAGE_DB)`);
    return null;
  }
  return openDatabase(p);
}

const show = (v: number | null) => (v === null ? 'off' : String(v));

/** Parses `label=value` pairs; `off` switches a label off. */
export function parseAssignments(pairs: string[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const pair of pairs) {
    const m = /^([a-z_]+)=(off|[0-9.]+)$/.exec(pair.trim());
    if (!m) throw new AppError('VALIDATION', `"${pair}" must look like label=0.7 or label=off (labels: ${LABELS.join(', ')})`);
    out[m[1]!] = m[2] === 'off' ? null : Number(m[2]);
  }
  return out;
}

/** `npx triage thresholds show|history|set`. */
export function registerThresholdCommands(program: Command): void {
  const cmd = program.command('thresholds').description('show or change the flagging thresholds');

  cmd
    .command('show')
    .description('the thresholds in force')
    .option('--db <path>', 'SQLite file (default TRIAGE_DB or data/triage.db)')
    .action((opts: { db?: string }) => {
      const db = open(opts.db, 'show');
      if (!db) return;
      try {
        const service = createThresholdService({ db });
        const v = service.current();
        console.log(`version ${v.id}, since ${new Date(v.createdAt).toISOString()}${v.reason ? ` (${v.reason})` : ''}`);
        for (const l of LABELS) console.log(`${l.padEnd(16)} ${show(v.values[l])}`);
      } finally {
        db.close();
      }
    });

  cmd
    .command('history')
    .description('every version: who, when, what changed and why')
    .option('--db <path>', 'SQLite file (default TRIAGE_DB or data/triage.db)')
    .action((opts: { db?: string }) => {
      const db = open(opts.db, 'history');
      if (!db) return;
      try {
        for (const h of createThresholdService({ db }).history()) {
          const changes = h.changes.map((c) => `${c.label} ${show(c.old)} -> ${show(c.new)}`).join(', ') || 'initial values';
          console.log(`v${h.id}  ${new Date(h.createdAt).toISOString()}  ${h.moderator ?? '(system)'}  ${changes}${h.reason ? `  "${h.reason}"` : ''}`);
        }
      } finally {
        db.close();
      }
    });

  cmd
    .command('set')
    .description('save new thresholds and re-evaluate every stored comment\'s flags')
    .argument('<assignments...>', 'label=value pairs, e.g. toxicity=0.7 threat=off')
    .option('--reason <text>', 'why, kept in the history')
    .option('--by <username>', 'the admin to record as the author (default: none, shown as "(system)")')
    .option('--db <path>', 'SQLite file (default TRIAGE_DB or data/triage.db)')
    .action((assignments: string[], opts: { reason?: string; by?: string; db?: string }) => {
      const db = open(opts.db, 'set');
      if (!db) return;
      try {
        let moderatorId: number | null = null;
        if (opts.by) {
          const row = db.prepare('SELECT id, role FROM moderators WHERE username = ?').get(opts.by) as { id: number; role: string } | undefined;
          if (!row) return fail(`triage thresholds set: no user "${opts.by}"`);
          if (row.role !== 'admin') return fail(`triage thresholds set: "${opts.by}" is not an admin`);
          moderatorId = row.id;
        }
        const r = createThresholdService({ db }).update(parseAssignments(assignments), { moderatorId, reason: opts.reason ?? null });
        console.log(`Saved version ${r.version.id}: ${r.changes.map((c) => `${c.label} ${show(c.old)} -> ${show(c.new)}`).join(', ')}`);
        const e = r.reevaluation;
        console.log(
          `Re-evaluated in ${r.ms} ms: ${e.flagsRaised} flags raised, ${e.flagsRemoved} removed; ${e.queueEntered} comments entered the queue, ${e.queueLeft} left it.`,
        );
      } catch (err) {
        if (err instanceof AppError) return fail(`triage thresholds set: ${err.message}`);
        throw err;
      } finally {
        db.close();
      }
    });
}
