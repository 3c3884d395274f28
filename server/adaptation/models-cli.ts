import type { Command } from 'commander';
import type { Cli } from '../command.ts';

const when = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/**
 * `npx triage model list|promote|rollback|shadow|export|import`. A server
 * running on the same database follows a promotion or rollback made here
 * within its polling interval (2 s) and rescores in the background.
 */
export function registerSiteModelCommands(cmd: Command, cli: Cli): void {
  cmd
    .command('list')
    .description('the model in force, the site models and the history of promotions')
    .addOption(cli.dbOption())
    .action((opts: { db?: string }) =>
      cli.withTriage(
        'model list',
        opts,
        ({ siteModels }) => {
          const o = siteModels.overview();
          console.log(`In force: ${o.inForce} (shipped: ${o.shipped})`);
          for (const m of o.models) {
            const origin = m.origin === 'imported' ? `imported from ${m.importedFrom}` : `trained on ${m.decisions} decisions`;
            console.log(`  ${m.model.padEnd(18)} ${m.state.padEnd(10)} ${origin}, ${when(m.createdAt)}${m.fits ? '' : ` (does not fit ${o.shipped}: trained on ${m.baseModel})`}`);
          }
          if (o.shadow) {
            const a = o.shadow.agreement;
            const rate = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
            console.log(`Shadow: ${o.shadow.model} since ${when(o.shadow.since)}, ${o.shadow.scored} comments scored, ${a.shadow.n} decided since: agreement ${rate(a.shadow.rate)} (in force ${rate(a.inForce.rate)})`);
          }
          console.log('History:');
          for (const v of o.versions) console.log(`  v${v.id}  ${when(v.createdAt)}  ${v.model}  ${v.by ?? '(command line)'}  "${v.reason}"`);
          if (o.versions.length === 0) console.log(`  (none: ${o.shipped} has always been in force)`);
        },
        { mustExist: true },
      ),
    );

  cmd
    .command('promote <model>')
    .description('put a site model in force (or the shipped model: a rollback); every stored comment is rescored in the background')
    .requiredOption('--reason <text>', 'why, kept in the history')
    .addOption(cli.dbOption())
    .action((model: string, opts: { db?: string; reason: string }) =>
      cli.withTriage(
        'model promote',
        opts,
        ({ siteModels }) => {
          const { version } = siteModels.promote({ model, reason: opts.reason }, null);
          console.log(`${model} is in force (version ${version}). A running server rescores every stored comment with it in the background.`);
        },
        { mustExist: true },
      ),
    );

  cmd
    .command('rollback <version>')
    .description('put back the model that version <version> of the history put in force')
    .requiredOption('--reason <text>', 'why, kept in the history')
    .addOption(cli.dbOption())
    .action((version: string, opts: { db?: string; reason: string }) =>
      cli.withTriage(
        'model rollback',
        opts,
        ({ siteModels }) => {
          const o = siteModels.overview();
          const target = version === '0' ? { model: o.shipped } : o.versions.find((v) => String(v.id) === version);
          if (!target) return cli.fail(`triage model rollback: no version ${version} (see npx triage model list; 0 is the shipped model)`);
          const { version: v } = siteModels.promote({ model: target.model, reason: opts.reason }, null);
          console.log(`${target.model} is in force again (version ${v}).`);
        },
        { mustExist: true },
      ),
    );

  cmd
    .command('shadow <model>')
    .description('score new comments with a site model beside the model in force, flagging nothing ("off" stops it)')
    .addOption(cli.dbOption())
    .action((model: string, opts: { db?: string }) =>
      cli.withTriage(
        'model shadow',
        opts,
        ({ siteModels }) => {
          if (model === 'off') console.log(siteModels.stopShadow() ? 'Shadow stopped.' : 'No model was in shadow.');
          else {
            siteModels.startShadow(model);
            console.log(`${model} shadows the model in force from the next comment on.`);
          }
        },
        { mustExist: true },
      ),
    );

  cmd
    .command('export <model> <dir>')
    .description('write a site model to a directory (model.json and head.bin, with its checksum)')
    .addOption(cli.dbOption())
    .action((model: string, dir: string, opts: { db?: string }) =>
      cli.withTriage(
        'model export',
        opts,
        ({ siteModels }) => {
          siteModels.exportTo(model, dir);
          console.log(`Wrote ${model} to ${dir}.`);
        },
        { mustExist: true },
      ),
    );

  cmd
    .command('import <dir>')
    .description('store a site model from a directory, as a candidate (promote it to use it)')
    .addOption(cli.dbOption())
    .action((dir: string, opts: { db?: string }) =>
      cli.withTriage(
        'model import',
        opts,
        ({ siteModels }) => {
          const { model, existed } = siteModels.importFrom(dir, null);
          console.log(existed ? `This model is already here, as ${model}.` : `Imported as ${model}. Run it in shadow or promote it: npx triage model promote ${model} --reason "…"`);
        },
        { mustExist: true },
      ),
    );
}
