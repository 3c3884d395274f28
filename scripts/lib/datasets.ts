/**
 * Loaders for the labelled sets in ../shared/data (see its SOURCES.md).
 *
 * The training data is NOT part of a clone of this repository: it lives in
 * the read-only `shared/data` folder beside the checkout on the project's own
 * machines and CI. Everything here fails with a message saying so when the
 * folder is missing.
 *
 * Each row carries only the labels its set really annotates; a label that is
 * absent is unknown for that row (not negative), and training masks it out.
 */
import { parse } from 'csv-parse/sync';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Label } from '../../server/scoring/labels.ts';
import { seededRandom } from '../../server/random.ts';

// The seeded generator the splits use: the same seed gives the same splits on every machine.
export { seededRandom };

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_DATA_DIR = resolve(PROJECT_ROOT, '..', 'shared', 'data');

export const SET_IDS = [
  'wiki-detox-gc',
  'wiki-detox-gn',
  'wiki-detox-small',
  'civil-spans',
  'davidson',
  'olid',
  'hateval',
  'toxichat',
  // Added in the second round (../shared/data/SOURCES.md).
  'gab',
  'implicit-hate',
  'stormfront',
  'convabuse',
  'hatemoji',
  'madlibs',
] as const;
export type SetId = (typeof SET_IDS)[number];

export type Split = 'train' | 'heldout';

export interface DataRow {
  set: SetId;
  text: string;
  /** Only the labels this set annotates; absent = unknown. */
  labels: Partial<Record<Label, 0 | 1>>;
  /** Held-out rows are for measuring only: never trained or tuned on. */
  split: Split;
  /**
   * Share of annotators behind each label, where the set publishes votes
   * (civil-spans, davidson). Training may use it as a soft target; `labels`
   * stays the majority verdict that evaluation uses.
   */
  soft?: Partial<Record<Label, number>>;
  /** wiki-detox only: the Perspective API score the authors stored. A yardstick for eval; never a training target. */
  perspective?: number;
}

/** Share of rows held out where a set has no official test split. */
export const HELDOUT_FRACTION = 0.25;
export const SPLIT_SEED = 20_191_105;

export class DataMissingError extends Error {
  constructor(dir: string, what: string) {
    super(
      `Training data not found: ${what} is missing under ${dir}. ` +
        'The labelled sets live in ../shared/data beside the checkout on the project machines and CI; ' +
        'they are not part of a clone. Pass --data DIR to point at a copy.',
    );
    this.name = 'DataMissingError';
  }
}


export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function stratumKey(labels: Partial<Record<Label, 0 | 1>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k as Label]}`)
    .join(',');
}

/**
 * Splits rows so each stratum (combination of label values) keeps its share
 * in both parts: within a shuffled stratum every row whose rank falls on the
 * fraction's step goes to `heldout`, so even rare positives are split.
 */
export function stratifiedSplit<T extends { labels: Partial<Record<Label, 0 | 1>> }>(
  rows: T[],
  fraction: number,
  seed: number,
): { keep: T[]; out: T[] } {
  const random = seededRandom(seed);
  const strata = new Map<string, T[]>();
  for (const row of rows) {
    const key = stratumKey(row.labels);
    let list = strata.get(key);
    if (!list) strata.set(key, (list = []));
    list.push(row);
  }
  const outSet = new Set<T>();
  for (const key of [...strata.keys()].sort()) {
    const list = shuffleInPlace(strata.get(key)!, random);
    const offset = random();
    for (let i = 0; i < list.length; i++) {
      // Row i goes out when the running quota crosses an integer: exact share per stratum, random phase.
      if (Math.floor((i + 1) * fraction + offset) > Math.floor(i * fraction + offset)) outSet.add(list[i]!);
    }
  }
  return { keep: rows.filter((r) => !outSet.has(r)), out: rows.filter((r) => outSet.has(r)) };
}

function withSplit(set: SetId, rows: Omit<DataRow, 'split'>[], seedOffset: number): DataRow[] {
  const { out } = stratifiedSplit(rows, HELDOUT_FRACTION, SPLIT_SEED + seedOffset);
  const held = new Set(out);
  return rows.map((r) => ({ ...r, set, split: held.has(r) ? 'heldout' : 'train' }));
}

function readText(dir: string, rel: string): string {
  const path = join(dir, rel);
  if (!existsSync(path)) throw new DataMissingError(dir, rel);
  // Node replaces invalid UTF-8 sequences with U+FFFD (the OLID TSV has 24 of them).
  return readFileSync(path, 'utf8');
}

function readCsv(dir: string, rel: string, delimiter = ','): Record<string, string>[] {
  try {
    return parse(readText(dir, rel), { columns: true, relax_column_count: false, skip_empty_lines: true, delimiter });
  } catch (err) {
    if (err instanceof DataMissingError) throw err;
    throw new Error(`${rel}: cannot parse CSV: ${(err as Error).message}`, { cause: err });
  }
}

function binary(value: string | undefined, file: string, line: number, field: string): 0 | 1 {
  if (value === '0' || value === '0.0') return 0;
  if (value === '1' || value === '1.0') return 1;
  throw new Error(`${file} line ${line}: field ${field} must be 0 or 1, got ${JSON.stringify(value)}`);
}

function number(value: string | undefined, file: string, line: number, field: string): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(n)) {
    throw new Error(`${file} line ${line}: field ${field} must be a number, got ${JSON.stringify(value)}`);
  }
  return n;
}

function lines(text: string): string[] {
  const out = text.split('\n');
  if (out.at(-1) === '') out.pop();
  return out.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** TweetEval keeps one text per line and labels in a parallel file. */
function readTweetEval(dir: string, prefix: string): { text: string; label: 0 | 1 }[] {
  const texts = lines(readText(dir, `${prefix}_text.txt`));
  const labels = lines(readText(dir, `${prefix}_labels.txt`));
  if (texts.length !== labels.length) {
    throw new Error(`${prefix}: ${texts.length} texts but ${labels.length} labels`);
  }
  return texts.map((text, i) => ({ text, label: binary(labels[i]!.trim(), `${prefix}_labels.txt`, i + 1, 'label') }));
}

/** Wikipedia talk comments (CAT-LARGE gc/gn: toxicity; CAT-SMALL: the out-of-context label). */
export function loadWikiDetox(dir: string): DataRow[] {
  const out: DataRow[] = [];
  for (const [set, file, seed] of [
    ['wiki-detox-gc', 'wiki-detox-context/cat_large_gc.csv', 1],
    ['wiki-detox-gn', 'wiki-detox-context/cat_large_gn.csv', 2],
  ] as const) {
    const rows = readCsv(dir, file).map((r, i) => ({
      set,
      text: r.text ?? '',
      labels: { toxicity: binary(r.label, file, i + 2, 'label') },
      perspective: number(r.api, file, i + 2, 'api'),
    }));
    out.push(...withSplit(set, rows, seed));
  }
  const smallFile = 'wiki-detox-context/cat_small.csv';
  const small = readCsv(dir, smallFile).map((r, i) => ({
    set: 'wiki-detox-small' as const,
    text: r.text ?? '',
    // Out of context: the annotators saw what our scorer sees, the comment alone.
    labels: { toxicity: binary(r.label_oc, smallFile, i + 2, 'label_oc') },
  }));
  out.push(...withSplit('wiki-detox-small', small, 3));
  return out;
}

/** Annotators' span types in spans.csv, and the head each maps onto. */
const SPAN_TYPES: Record<string, Label> = {
  Insult: 'insult',
  'Identity based Attack': 'identity_attack',
  'Profane/Obscene': 'obscene',
  Threat: 'threat',
};
const SPAN_LABELS: Label[] = ['toxicity', 'insult', 'identity_attack', 'obscene', 'threat'];
/** A gold or test item annotated 357 times; SOURCES.md says to drop it. */
const CIVIL_DROPPED_ID = '6209917';

/**
 * Civil Comments toxic spans: per comment, the share of annotators who marked
 * a span of each type; a label is 1 when at least half did. toxicity is 1
 * unless at least half marked the post 'not toxic'.
 */
export function loadCivilSpans(dir: string): DataRow[] {
  const base = 'civil-comments-toxic-spans';
  const comments = readCsv(dir, `${base}/comments.csv`);
  const annotations = readCsv(dir, `${base}/annotations.csv`);
  const spans = readCsv(dir, `${base}/spans.csv`);

  const typesByAnnotation = new Map<string, Set<Label>>();
  for (const s of spans) {
    const label = SPAN_TYPES[s.type ?? ''];
    if (!label) continue;
    let set = typesByAnnotation.get(s.annotation!);
    if (!set) typesByAnnotation.set(s.annotation!, (set = new Set()));
    set.add(label);
  }
  const tally = new Map<string, { n: number; notToxic: number; types: Map<Label, number> }>();
  for (const a of annotations) {
    const id = a.comment_id!;
    let t = tally.get(id);
    if (!t) tally.set(id, (t = { n: 0, notToxic: 0, types: new Map() }));
    t.n++;
    if (a['not toxic'] === 'True') t.notToxic++;
    for (const label of typesByAnnotation.get(a.annotation!) ?? []) t.types.set(label, (t.types.get(label) ?? 0) + 1);
  }
  const rows: Omit<DataRow, 'split'>[] = [];
  for (const c of comments) {
    const id = c.comment_id!;
    const t = tally.get(id);
    if (id === CIVIL_DROPPED_ID || !t) continue;
    const labels: Partial<Record<Label, 0 | 1>> = {};
    const soft: Partial<Record<Label, number>> = {};
    for (const label of SPAN_LABELS) {
      const share = label === 'toxicity' ? 1 - t.notToxic / t.n : (t.types.get(label) ?? 0) / t.n;
      labels[label] = share >= 0.5 ? 1 : 0;
      soft[label] = share;
    }
    rows.push({ set: 'civil-spans', text: c.comment_text ?? '', labels, soft });
  }
  return withSplit('civil-spans', rows, 4);
}

/** Davidson et al.: class 0 hate speech, 1 offensive, 2 neither. */
export function loadDavidson(dir: string): DataRow[] {
  const file = 'davidson-hate-offensive/labeled_data.csv';
  const rows = readCsv(dir, file).map((r, i) => {
    const cls = r.class;
    if (cls !== '0' && cls !== '1' && cls !== '2') {
      throw new Error(`${file} line ${i + 2}: field class must be 0, 1 or 2, got ${JSON.stringify(cls)}`);
    }
    const line = i + 2;
    const votes = number(r.count, file, line, 'count');
    const hate = number(r.hate_speech, file, line, 'hate_speech');
    const offensive = number(r.offensive_language, file, line, 'offensive_language');
    if (votes <= 0) throw new Error(`${file} line ${line}: field count must be positive, got ${votes}`);
    return {
      set: 'davidson' as const,
      text: r.tweet ?? '',
      labels: { toxicity: cls === '2' ? 0 : 1, identity_attack: cls === '0' ? 1 : 0 } as Partial<Record<Label, 0 | 1>>,
      soft: { toxicity: (hate + offensive) / votes, identity_attack: hate / votes },
    };
  });
  return withSplit('davidson', rows, 5);
}

/**
 * OLID: trains on the official training TSV (subtask_a OFF = toxicity,
 * subtask_b TIN = insult, roughly: targeted offence; NOT rows are not
 * insults); held out on the official OffensEval test via TweetEval.
 */
export function loadOlid(dir: string): DataRow[] {
  const file = 'olid-offenseval2019/olid-training-v1.0.tsv';
  // Quoting off: tweets contain bare double quotes, so a CSV parser would glue lines together.
  const all = lines(readText(dir, file));
  const header = all[0]?.split('\t') ?? [];
  if (header.join(',') !== 'id,tweet,subtask_a,subtask_b,subtask_c') {
    throw new Error(`${file} line 1: unexpected header ${JSON.stringify(all[0])}`);
  }
  const out: DataRow[] = [];
  for (let i = 1; i < all.length; i++) {
    const cols = all[i]!.split('\t');
    if (cols.length !== 5) throw new Error(`${file} line ${i + 1}: expected 5 tab-separated fields, got ${cols.length}`);
    const [, tweet, a, b] = cols;
    if (a !== 'OFF' && a !== 'NOT') throw new Error(`${file} line ${i + 1}: field subtask_a must be OFF or NOT, got ${JSON.stringify(a)}`);
    const labels: Partial<Record<Label, 0 | 1>> = { toxicity: a === 'OFF' ? 1 : 0 };
    if (b === 'TIN') labels.insult = 1;
    else if (b === 'UNT' || a === 'NOT') labels.insult = 0;
    out.push({ set: 'olid', text: tweet!, labels, split: 'train' });
  }
  for (const { text, label } of readTweetEval(dir, 'olid-offenseval2019/tweeteval_offensive_test')) {
    out.push({ set: 'olid', text, labels: { toxicity: label }, split: 'heldout' });
  }
  return out;
}

/**
 * HatEval (hate against immigrants and women): hate = identity_attack and
 * toxicity; not-hate says nothing about other offence, so toxicity stays
 * unknown there. Official TweetEval test held out.
 */
export function loadHateval(dir: string): DataRow[] {
  const out: DataRow[] = [];
  for (const [prefix, split] of [
    ['hateval2019/tweeteval_hate_train', 'train'],
    ['hateval2019/tweeteval_hate_val', 'train'],
    ['hateval2019/tweeteval_hate_test', 'heldout'],
  ] as const) {
    for (const { text, label } of readTweetEval(dir, prefix)) {
      const labels: Partial<Record<Label, 0 | 1>> = label ? { identity_attack: 1, toxicity: 1 } : { identity_attack: 0 };
      out.push({ set: 'hateval', text, labels, split });
    }
  }
  return out;
}

interface ToxiChatTurn {
  text?: unknown;
  offense_label?: unknown;
}

/** ToxiChat: the human Reddit turns only (chatbot replies are skipped). Official test held out. */
export function loadToxiChat(dir: string): DataRow[] {
  const out: DataRow[] = [];
  for (const [file, split] of [
    ['toxichat-reddit-threads/train.jsonl', 'train'],
    ['toxichat-reddit-threads/dev.jsonl', 'train'],
    ['toxichat-reddit-threads/test.jsonl', 'heldout'],
  ] as const) {
    lines(readText(dir, file)).forEach((line, i) => {
      if (line.trim() === '') return;
      let record: { reddit_thread?: ToxiChatTurn[] };
      try {
        record = JSON.parse(line);
      } catch (err) {
        throw new Error(`${file} line ${i + 1}: invalid JSON: ${(err as Error).message}`, { cause: err });
      }
      if (!Array.isArray(record.reddit_thread)) throw new Error(`${file} line ${i + 1}: field reddit_thread must be an array`);
      record.reddit_thread.forEach((turn, t) => {
        if (typeof turn.text !== 'string' || (turn.offense_label !== 'Safe' && turn.offense_label !== 'Offensive')) {
          throw new Error(`${file} line ${i + 1}: reddit_thread[${t}] needs text and offense_label Safe or Offensive`);
        }
        out.push({ set: 'toxichat', text: turn.text.trim(), labels: { toxicity: turn.offense_label === 'Offensive' ? 1 : 0 }, split });
      });
    });
  }
  return out;
}

/**
 * The Gab Hate Corpus: hd (assault on human dignity) or cv (call for
 * violence) is hate, so identity_attack; cv is our threat signal; vo
 * (vulgarity) stands in for obscene; any of the three is toxicity. Insult is
 * not annotated. The official test file is held out. Licence unconfirmed (see
 * SOURCES.md).
 */
export function loadGab(dir: string): DataRow[] {
  const out: DataRow[] = [];
  for (const [file, split] of [
    ['gab-hate-corpus/ghc_train.tsv', 'train'],
    ['gab-hate-corpus/ghc_test.tsv', 'heldout'],
  ] as const) {
    readCsv(dir, file, '\t').forEach((r, i) => {
      const hd = binary(r.hd, file, i + 2, 'hd');
      const cv = binary(r.cv, file, i + 2, 'cv');
      const vo = binary(r.vo, file, i + 2, 'vo');
      const labels: Partial<Record<Label, 0 | 1>> = { toxicity: hd || cv || vo ? 1 : 0, identity_attack: hd || cv ? 1 : 0, threat: cv, obscene: vo };
      out.push({ set: 'gab', text: r.text ?? '', labels, split });
    });
  }
  return out;
}

/**
 * Implicit Hate (stage 1): explicit or implicit hate is identity_attack and
 * toxicity, not_hate is neither (SOURCES.md's mapping: these accounts' other
 * posts are mostly plain politics). No official test: seeded stratified 25%.
 */
export function loadImplicitHate(dir: string): DataRow[] {
  const file = 'implicit-hate/implicit_hate_v1_stg1_posts.tsv';
  const rows = readCsv(dir, file, '\t').map((r, i) => {
    const cls = r.class;
    if (cls !== 'explicit_hate' && cls !== 'implicit_hate' && cls !== 'not_hate') {
      throw new Error(`${file} line ${i + 2}: field class must be explicit_hate, implicit_hate or not_hate, got ${JSON.stringify(cls)}`);
    }
    const hate = cls === 'not_hate' ? 0 : 1;
    return { set: 'implicit-hate' as const, text: (r.post ?? '').trim(), labels: { toxicity: hate, identity_attack: hate } as Partial<Record<Label, 0 | 1>> };
  });
  return withSplit('implicit-hate', rows, 6);
}

/**
 * Stormfront sentences: hate = identity_attack = toxicity; "relation" (hate
 * only with the neighbouring sentences) and idk/skip are dropped. Sentences of
 * one post go to the same side of the seeded, stratified 25% split, so a post
 * cannot be half trained on and half measured.
 */
export function loadStormfront(dir: string): DataRow[] {
  const file = 'stormfront/stormfront_sentences.csv';
  const posts = new Map<string, Omit<DataRow, 'split'>[]>();
  readCsv(dir, file).forEach((r, i) => {
    if (r.label === 'relation' || r.label === 'idk/skip') return;
    if (r.label !== 'hate' && r.label !== 'noHate') throw new Error(`${file} line ${i + 2}: field label must be hate, noHate, relation or idk/skip, got ${JSON.stringify(r.label)}`);
    const hate = r.label === 'hate' ? 1 : 0;
    const post = (r.file_id ?? '').replace(/_\d+$/, '');
    const list = posts.get(post) ?? [];
    list.push({ set: 'stormfront', text: r.text ?? '', labels: { toxicity: hate, identity_attack: hate } });
    posts.set(post, list);
  });
  const groups = [...posts.values()].map((rows) => ({ rows, labels: { toxicity: rows.some((r) => r.labels.toxicity === 1) ? 1 : 0 } as Partial<Record<Label, 0 | 1>> }));
  const { out } = stratifiedSplit(groups, HELDOUT_FRACTION, SPLIT_SEED + 7);
  const held = new Set(out);
  return groups.flatMap((g) => g.rows.map((r) => ({ ...r, split: held.has(g) ? ('heldout' as const) : ('train' as const) })));
}

/** ConvAbuse identity types: abuse of one of these is identity_attack. */
const CONVABUSE_IDENTITY = ['ableist', 'homophobic', 'racist', 'sexist', 'transphobic'] as const;

/**
 * One annotator's cell: "1", "0", or "1, 1" where the same annotator rated a
 * duplicate of the row; the mean of the values, or null when not rated.
 */
function convabuseCell(value: string | undefined, file: string, line: number, field: string): number | null {
  if (value === undefined || value.trim() === '') return null;
  const parts = value.split(',').map((v) => binary(v.trim(), file, line, field));
  return parts.reduce<number>((a, b) => a + b, 0) / parts.length;
}

/**
 * ConvAbuse: users' messages to two chatbots, up to 8 annotators each. A
 * label is 1 when at least half of the annotators who rated the row gave it (as for civil-spans):
 * toxicity from "abusive" (mildly, strongly or very strongly), identity_attack
 * from the identity types, sexual_explicit from sex_harassment (a small proxy:
 * harassment of a bot, mostly crude sexual requests). Official test held out.
 */
export function loadConvAbuse(dir: string): DataRow[] {
  const out: DataRow[] = [];
  for (const [file, split] of [
    ['convabuse/ConvAbuseEMNLPtrain.csv', 'train'],
    ['convabuse/ConvAbuseEMNLPvalid.csv', 'train'],
    ['convabuse/ConvAbuseEMNLPtest.csv', 'heldout'],
  ] as const) {
    readCsv(dir, file).forEach((r, i) => {
      const line = i + 2;
      let raters = 0;
      let abusive = 0;
      let identity = 0;
      let sexual = 0;
      for (let a = 1; a <= 8; a++) {
        const cell = (field: string): number | null => convabuseCell(r[`Annotator${a}_${field}`], file, line, `Annotator${a}_${field}`);
        const grades = ['is_abuse.1', 'is_abuse.0', 'is_abuse.-1', 'is_abuse.-2', 'is_abuse.-3'].map(cell);
        if (grades.every((g) => g === null)) continue;
        raters++;
        abusive += (grades[2] ?? 0) + (grades[3] ?? 0) + (grades[4] ?? 0) > 0 ? 1 : 0;
        identity += CONVABUSE_IDENTITY.some((t) => (cell(t) ?? 0) > 0) ? 1 : 0;
        sexual += (cell('sex_harassment') ?? 0) > 0 ? 1 : 0;
      }
      if (raters === 0) return;
      const major = (n: number): 0 | 1 => (n * 2 >= raters ? 1 : 0);
      out.push({
        set: 'convabuse',
        text: (r.user ?? '').trim(),
        labels: { toxicity: major(abusive), identity_attack: major(identity), sexual_explicit: major(sexual) },
        soft: { toxicity: abusive / raters, identity_attack: identity / raters, sexual_explicit: sexual / raters },
        split,
      });
    });
  }
  return out;
}

/**
 * HatemojiBuild: adversarial emoji hate and its matched non-hateful
 * perturbations. label_gold is identity_attack and toxicity; hateful rows of
 * type threateninglanguage are threats (other rows are not). Official
 * validation trained on, test held out.
 */
export function loadHatemoji(dir: string): DataRow[] {
  const out: DataRow[] = [];
  for (const [file, split] of [
    ['hatemoji-build/train.csv', 'train'],
    ['hatemoji-build/validation.csv', 'train'],
    ['hatemoji-build/test.csv', 'heldout'],
  ] as const) {
    readCsv(dir, file).forEach((r, i) => {
      const hate = binary(r.label_gold, file, i + 2, 'label_gold');
      out.push({
        set: 'hatemoji',
        text: r.text ?? '',
        labels: { toxicity: hate, identity_attack: hate, threat: hate && r.type === 'threateninglanguage' ? 1 : 0 },
        split,
      });
    });
  }
  return out;
}

/**
 * Share of the "<name> is a <adjective> <identity>" madlibs (72,000 of
 * 76,564) kept for training: the rest would outnumber every real set; the
 * held-out 25% keeps them all.
 */
export const MADLIBS_NAME_ADJ_TRAIN_SHARE = 0.1;

/**
 * Conversation AI's identity-term templates ("hug gay", "Jim is a vile
 * muslim"): toxicity only, since the template's adjective, not the identity,
 * carries it. Synthetic, so they teach that identity words alone are not
 * toxic. Seeded stratified 25% held out.
 */
export function loadMadlibs(dir: string, nameAdjShare = MADLIBS_NAME_ADJ_TRAIN_SHARE): DataRow[] {
  const file = 'madlibs/en_sentence_templates.csv';
  const rows = readCsv(dir, file).map((r, i) => {
    if (r.toxicity !== 'toxic' && r.toxicity !== 'nontoxic') throw new Error(`${file} line ${i + 2}: field toxicity must be toxic or nontoxic, got ${JSON.stringify(r.toxicity)}`);
    return { set: 'madlibs' as const, text: r.phrase ?? '', template: r.template ?? '', labels: { toxicity: r.toxicity === 'toxic' ? 1 : 0 } as Partial<Record<Label, 0 | 1>> };
  });
  const split = withSplit('madlibs', rows, 8);
  const random = seededRandom(SPLIT_SEED + 9);
  return split
    .filter((r, i) => r.split === 'heldout' || rows[i]!.template !== 'name_adj' || random() < nameAdjShare)
    .map(({ set, text, labels, split: s }) => ({ set, text, labels, split: s }));
}

/** Every set, in SET_IDS order. `madlibsShare`: see MADLIBS_NAME_ADJ_TRAIN_SHARE. */
export function loadAllSets(dir: string = DEFAULT_DATA_DIR, options: { madlibsShare?: number } = {}): DataRow[] {
  if (!existsSync(dir)) throw new DataMissingError(dir, 'the data folder');
  return [
    ...loadWikiDetox(dir),
    ...loadCivilSpans(dir),
    ...loadDavidson(dir),
    ...loadOlid(dir),
    ...loadHateval(dir),
    ...loadToxiChat(dir),
    ...loadGab(dir),
    ...loadImplicitHate(dir),
    ...loadStormfront(dir),
    ...loadConvAbuse(dir),
    ...loadHatemoji(dir),
    ...loadMadlibs(dir, options.madlibsShare),
  ];
}

/**
 * `n` real comment texts (Civil Comments posts, Wikipedia talk comments and
 * Reddit turns, shuffled with `seed`), repeating the pool if n is larger.
 * For benchmarks; needs ../shared/data.
 */
export function sampleCommentTexts(n: number, options: { dataDir?: string; seed?: number } = {}): string[] {
  const dir = options.dataDir ?? DEFAULT_DATA_DIR;
  if (!existsSync(dir)) throw new DataMissingError(dir, 'the data folder');
  const pool = [
    ...readCsv(dir, 'civil-comments-toxic-spans/comments.csv').map((r) => r.comment_text ?? ''),
    ...readCsv(dir, 'wiki-detox-context/cat_large_gn.csv').map((r) => r.text ?? ''),
    ...loadToxiChat(dir).map((r) => r.text),
  ];
  shuffleInPlace(pool, seededRandom(options.seed ?? 1));
  return Array.from({ length: n }, (_, i) => pool[i % pool.length]!);
}
