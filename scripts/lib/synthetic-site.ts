import { openDatabase } from '../../server/db/open.ts';
import { seededRandom } from '../../server/random.ts';
import { createTriage, stopTriage, type Triage } from '../../server/triage.ts';
import type { ParsedComment } from '../../server/ingest/types.ts';
import type { User } from '../../server/auth/store.ts';

/**
 * A synthetic site for the adaptation tests and the demo (`npm run demo:site`),
 * needing no outside data. A site with a standard of its own, decided through the real services: its
 * moderators hide every comment that touts crypto (a word the shipped model
 * has no reason to weigh), as well as plain insults; everything else is approved,
 * except that on 5% of comments, at random, the moderator decides the other way.
 * Three moderators decide 60%, 30% and 10% of the comments, one a minute.
 */
export interface SiteFixture {
  triage: Triage;
  users: User[];
  /** Comment ids in the order they were decided. */
  decided: number[];
  /** Comment ids left pending, nobody deciding them (the `undecided` argument), in import order. */
  undecided: number[];
  /** Stops the services and closes the database. */
  close(): Promise<void>;
}

const TOPICS = ['the bus route', 'the new library', 'parking on Elm Street', 'the school budget', 'the bridge repairs', 'the farmers market', 'council tax', 'the park cleanup'];
const OPINIONS = ['is a sensible idea', 'needs more thought', 'was handled well', 'should have been consulted on', 'seems overdue', 'will cost too much', 'is good news for families', 'deserves a public meeting'];
const CRYPTO = ['and I made real money with crypto this month', 'so move your savings into crypto', 'but crypto is the answer', 'while my crypto wallet doubled', 'ask me about crypto'];
const INSULTS = ['and you are an idiot if you disagree', 'so shut up, you pathetic loser', 'and only a stupid moron would say otherwise', 'you clowns'];
const ASIDES = ['as my neighbour says', 'if you ask me', 'whatever the paper says', 'and that is my money talking', 'like last year'];
/** Moderators disagree with the site's standard on this share of comments. */
const NOISE = 0.05;

/**
 * `path`: a database file to leave behind (for the CLI), else in memory.
 * `undecided`: comments of the same kind imported after the others and left
 * pending (drawn from their own random stream, so the decided ones do not change).
 */
export async function buildSiteFixture(count = 400, seed = 11, path = ':memory:', undecided = 0): Promise<SiteFixture> {
  const db = openDatabase(path);
  let clock = Date.UTC(2026, 0, 1);
  const triage = createTriage({ db, now: () => clock });
  const random = seededRandom(seed);
  const comments: ParsedComment[] = [];
  const hide = new Map<string, boolean>();
  const comment = (draw: () => number) => {
    const p = <T>(xs: readonly T[]): T => xs[Math.floor(draw() * xs.length)]!;
    const t = p(TOPICS);
    const o = p(OPINIONS);
    const r = draw();
    const [tail, standard] = r < 0.2 ? [p(CRYPTO), true] : r < 0.35 ? [p(INSULTS), true] : r < 0.6 ? [p(ASIDES), false] : ['', false];
    return { body: `${p(['I think', 'Honestly,', 'In my view', 'Well,'])} ${t} ${o}${tail ? ` ${tail}` : ''}.`, standard };
  };
  for (let i = 0; i < count; i++) {
    const { body, standard } = comment(random);
    comments.push({ externalId: `c${i}`, parentExternalId: null, author: `reader${i % 50}`, body, postedAt: clock + i });
    hide.set(`c${i}`, random() < NOISE ? !standard : standard);
  }
  const pending = seededRandom(seed + 1);
  for (let i = 0; i < undecided; i++) {
    comments.push({ externalId: `u${i}`, parentExternalId: null, author: `reader${i % 50}`, body: comment(pending).body, postedAt: clock + count + i });
  }
  const result = triage.ingest.importParsed(
    { format: 'json', threads: [{ source: 'test', externalId: 't1', title: 'Town news', url: null, body: 'The article.', comments }] },
    { moderatorId: null, source: 'test' },
  );
  const ids = new Map(triage.stores.moderation.listThreadComments(result.threadIds[0]!).map((row) => [row.external_id, row.id]));
  const users = [
    await triage.auth.addUser({ username: 'alice', password: 'correct horse battery', role: 'lead' }),
    await triage.auth.addUser({ username: 'bob', password: 'correct horse battery', role: 'moderator' }),
    await triage.auth.addUser({ username: 'carol', password: 'correct horse battery', role: 'moderator' }),
  ];
  const decided: number[] = [];
  const left = Array.from({ length: undecided }, (_, i) => ids.get(`u${i}`)!);
  for (const [externalId, hidden] of hide) {
    const r = random();
    const user = r < 0.6 ? users[0]! : r < 0.9 ? users[1]! : users[2]!;
    clock += 60_000;
    const id = ids.get(externalId)!;
    triage.moderation.decide(id, { action: hidden ? 'hide' : 'approve' }, user);
    decided.push(id);
  }
  return {
    triage,
    users,
    decided,
    undecided: left,
    close: async () => {
      await stopTriage(triage);
      db.close();
    },
  };
}
