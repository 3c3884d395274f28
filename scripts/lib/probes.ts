/**
 * Measured weaknesses for the model card: how the toxicity ranking holds up
 * under obfuscation and appended emoji (on held-out rows), and on small
 * hand-written probe sets for counter-speech and non-English text. The probe
 * sentences are ours, written for this file; they are small, so read their
 * figures as indications, not benchmarks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLabel, type Label, type LabelScores } from '../../server/scoring/labels.ts';
import type { Scorer } from '../../server/scoring/types.ts';
import { PROJECT_ROOT, seededRandom, type DataRow } from './datasets.ts';
import { rocAuc } from './metrics.ts';

export interface ProbeResult {
  name: string;
  what: string;
  /** ROC AUC of the toxicity score (toxic = positive). */
  ours: number | null;
  baseline: number | null;
}

const LEET: Record<string, string> = { a: '@', e: '3', i: '1', o: '0', s: '$' };

/** Rewrites each word of 4+ letters, with probability `rate`, the way people dodge filters. */
export function obfuscate(text: string, seed: number, rate = 0.5): string {
  const random = seededRandom(seed);
  return text.replace(/\p{L}{4,}/gu, (word) => {
    if (random() >= rate) return word;
    switch (Math.floor(random() * 4)) {
      case 0:
        return [...word].map((c) => LEET[c.toLowerCase()] ?? c).join('');
      case 1:
        return word.replace(/[aeiou]/i, '*');
      case 2:
        return [...word].join(' ');
      default: {
        const at = 1 + Math.floor(random() * (word.length - 1));
        return word.slice(0, at) + word[at]!.repeat(3) + word.slice(at + 1);
      }
    }
  });
}

/** Attacks and, paired by position, counter-speech or negations of them. */
export const COUNTER_SPEECH: { attack: string; counter: string }[] = [
  { attack: 'You are an idiot.', counter: 'Calling people idiots is not ok.' },
  { attack: 'Shut up, you stupid moron.', counter: 'Please do not call anyone a stupid moron here.' },
  { attack: 'Women are too dumb to vote.', counter: 'Saying women are too dumb to vote is sexist and wrong.' },
  { attack: 'Immigrants are vermin and should be thrown out.', counter: 'Nobody should call immigrants vermin.' },
  { attack: 'Go kill yourself.', counter: 'Telling someone to kill themselves is never acceptable.' },
  { attack: 'You are a pathetic loser.', counter: 'He is not a loser, he just made a mistake.' },
  { attack: 'What a disgusting pig you are.', counter: 'I would never call her a disgusting pig.' },
  { attack: 'All Muslims are terrorists.', counter: 'It is false and hateful to say all Muslims are terrorists.' },
  { attack: 'You are a worthless piece of trash.', counter: 'No one here is worthless trash, please be kind.' },
  { attack: 'I will beat you up if I see you.', counter: 'Threatening to beat people up is not how we argue.' },
  { attack: 'This author is a brainless clown.', counter: 'Let us discuss the article, not call the author a clown.' },
  { attack: 'Gay people are sick and disgusting.', counter: 'Gay people are not sick or disgusting.' },
  { attack: 'You fat ugly slob.', counter: 'Insulting how someone looks, like calling them fat and ugly, is bullying.' },
  { attack: 'Stupid people like you should not be allowed to post.', counter: 'I disagree with you, but I do not think you are stupid.' },
  { attack: 'Get lost, you ignorant fool.', counter: 'Being uninformed does not make anyone a fool.' },
  { attack: 'Your mother is a whore.', counter: 'Attacking someone’s mother is out of line, stop it.' },
];

/** Everyday benign sentences and insults in other languages (written for this probe). */
export const NON_ENGLISH: { text: string; toxic: 0 | 1 }[] = [
  { text: 'Gracias por el artículo, me ayudó mucho.', toxic: 0 },
  { text: 'Eres un idiota y un imbécil.', toxic: 1 },
  { text: 'Ich stimme dem Autor in diesem Punkt zu.', toxic: 0 },
  { text: 'Du bist ein dummes Arschloch.', toxic: 1 },
  { text: 'Merci pour ces informations très utiles.', toxic: 0 },
  { text: 'Ferme ta gueule, espèce de connard.', toxic: 1 },
  { text: 'Questo commento è molto interessante.', toxic: 0 },
  { text: 'Sei un cretino e uno stronzo.', toxic: 1 },
  { text: 'Obrigado, concordo com você.', toxic: 0 },
  { text: 'Você é um idiota de merda.', toxic: 1 },
  { text: 'Спасибо за интересную статью.', toxic: 0 },
  { text: 'Ты тупой идиот.', toxic: 1 },
  { text: 'شكرا على هذا المقال المفيد', toxic: 0 },
  { text: 'أنت غبي وحقير', toxic: 1 },
  { text: '谢谢你的分享，很有帮助。', toxic: 0 },
  { text: '你这个白痴，滚开。', toxic: 1 },
];

export const EMOJI: { text: string; toxic: 0 | 1 }[] = [
  { text: '😀👍🎉', toxic: 0 },
  { text: '❤️❤️❤️', toxic: 0 },
  { text: '🙏🌸', toxic: 0 },
  { text: '😂😂😂', toxic: 0 },
  { text: '🖕🖕🖕', toxic: 1 },
  { text: '🖕 you', toxic: 1 },
  { text: '💩💩 you are 💩', toxic: 1 },
  { text: '🔪🔪 watch your back 🔪', toxic: 1 },
];

async function toxicity(scorer: Scorer, texts: string[]): Promise<number[]> {
  return (await scorer.scoreBatch(texts)).map((s) => s.scores.toxicity ?? 0);
}

async function both(name: string, what: string, texts: string[], labels: number[], ours: Scorer, baseline: Scorer): Promise<ProbeResult> {
  return {
    name,
    what,
    ours: rocAuc(await toxicity(ours, texts), labels),
    baseline: rocAuc(await toxicity(baseline, texts), labels),
  };
}

export async function runProbes(rows: DataRow[], ours: Scorer, baseline: Scorer): Promise<ProbeResult[]> {
  const held = rows.filter((r) => r.split === 'heldout' && (r.set === 'olid' || r.set === 'toxichat') && r.labels.toxicity !== undefined);
  const texts = held.map((r) => r.text);
  const y = held.map((r) => r.labels.toxicity!);
  const results = [
    await both('clean', 'OLID + ToxiChat held-out toxicity, as written', texts, y, ours, baseline),
    await both('obfuscated', 'same rows, half the 4+ letter words leet/starred/spaced/stretched (seeded)', texts.map((t, i) => obfuscate(t, i)), y, ours, baseline),
    await both('emoji appended', 'same rows with " 😂🔥" appended', texts.map((t) => `${t} 😂🔥`), y, ours, baseline),
  ];
  const cs = COUNTER_SPEECH.flatMap((p) => [p.attack, p.counter]);
  results.push(await both('counter-speech', `${COUNTER_SPEECH.length} attacks vs their counter-speech/negation (hand-written)`, cs, cs.map((_, i) => (i % 2 === 0 ? 1 : 0)), ours, baseline));
  results.push(await both('non-English', `${NON_ENGLISH.length} hand-written sentences, 8 languages`, NON_ENGLISH.map((p) => p.text), NON_ENGLISH.map((p) => p.toxic), ours, baseline));
  results.push(await both('emoji-heavy', `${EMOJI.length} hand-written emoji-heavy texts`, EMOJI.map((p) => p.text), EMOJI.map((p) => p.toxic), ours, baseline));
  return results;
}

/** test/fixtures/probes/*.json: our hand-written probe suites (see that folder's README). */
export const PROBE_DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'probes');

export interface ProbeItem {
  text: string;
  /** 1: should score high on the group's label; 0: should not. */
  toxic: 0 | 1;
  /** Sub-kind within the group ("conditional", "bidi"...). */
  kind: string;
}

export interface ProbeGroup {
  group: string;
  what: string;
  /** The label whose score ranks the items; a scorer without it is ranked by toxicity. */
  label: Label;
  items: ProbeItem[];
}

/** Reads every probe group, checking each item, sorted by file name. */
export function loadProbeGroups(dir: string = PROBE_DIR): ProbeGroup[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const g = JSON.parse(readFileSync(join(dir, f), 'utf8')) as ProbeGroup;
      if (typeof g.group !== 'string' || typeof g.what !== 'string' || !isLabel(g.label) || !Array.isArray(g.items)) {
        throw new Error(`${f}: needs group, what, label (one of the seven) and items`);
      }
      g.items.forEach((item, i) => {
        if (typeof item.text !== 'string' || (item.toxic !== 0 && item.toxic !== 1) || typeof item.kind !== 'string') {
          throw new Error(`${f} items[${i}]: needs text, toxic 0 or 1, and kind`);
        }
      });
      return g;
    });
}

/** The score of `label`, or toxicity where the scorer has no such output (1.2.0's sexual_explicit, the baseline's all). */
export function scoreFor(scores: LabelScores, label: Label): number {
  return scores[label] ?? scores.toxicity ?? 0;
}

export interface ProbeGroupResult {
  group: string;
  what: string;
  label: Label;
  positives: number;
  negatives: number;
  /** ROC AUC per scorer, in the order the scorers were given. */
  auc: (number | null)[];
}

export async function runProbeGroups(groups: ProbeGroup[], scorers: Scorer[]): Promise<ProbeGroupResult[]> {
  const out: ProbeGroupResult[] = [];
  for (const g of groups) {
    const texts = g.items.map((i) => i.text);
    const y = g.items.map((i) => i.toxic);
    const auc: (number | null)[] = [];
    for (const scorer of scorers) auc.push(rocAuc((await scorer.scoreBatch(texts)).map((r) => scoreFor(r.scores, g.label)), y));
    out.push({ group: g.group, what: g.what, label: g.label, positives: y.filter((v) => v === 1).length, negatives: y.filter((v) => v === 0).length, auc });
  }
  return out;
}

/**
 * The comments issue 10 quotes: six that a moderator must see (four whole
 * comments from the seed thread, two written for the issue) and one identity
 * statement that must not be flagged. Quoted here, never trained on.
 */
export const ISSUE_EXAMPLES: { text: string; flag: boolean }[] = [
  // Whole comments from the seed thread (seeds/000_f1b2f21fdc22b40c.txt), as the queue sees them.
  { flag: true, text: 'Richard Cabeza,\n\nThe only kid is the one I put in your mums belly. Now get back on your knees with mekenseh and juggle. If you continue with your jackassery I’ll make your mum swallow next time. We don’t want that.\n\nHow’s that for immature comments? I can’t help it, she makes me feel young again…' },
  { flag: true, text: 'You go by akhoumanuki and I’m the weirdo, lol.\n\nNothing like shagging your mum to relieve some anger and stress. She takes it like a champ and comes back for more.\nYour mum may be defenseless, but certainly not innocent ; ))\n\nWe can stop this or you can continue making asinine comments and I’ll feel obliged to reply.' },
  { flag: true, text: 'Fantastic ya Imm Anwar – you have taken it to a new level – you like to rape deceased women in their upper 90’s – I think that puts in you in a rare class of human beings. Congrats! There’s a special place in hell reserved for you next to your buddies Bashar and Hassouni.' },
  { flag: true, text: 'Haha! It’s not rape if it’s consensual ; )\n\nIf your mother is deceased than it must have been your wife or daughter I was shagging. My apologies.\n\nRichard Cabeza, will you be having fun in hell with us? Or are you going to heaven? You know, the boring place. No alcohol having, vanilla sex with virgins, and full of self righteous douchnozzles like yourself.' },
  // Written for the issue.
  { flag: true, text: 'I will kill you and your family' },
  { flag: true, text: "I'm going to find where you live and burn your house down" },
  { flag: false, text: 'As a gay Muslim woman I really appreciate the quiet study rooms' },
];

/** Labels whose score reaches its threshold (null thresholds and null scores never flag). */
export function flaggedLabels(scores: LabelScores, thresholds: Record<Label, number | null>): Label[] {
  return (Object.keys(thresholds) as Label[]).filter((l) => thresholds[l] !== null && scores[l] !== null && scores[l]! >= thresholds[l]!);
}
