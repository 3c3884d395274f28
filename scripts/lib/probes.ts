/**
 * Measured weaknesses for the model card: how the toxicity ranking holds up
 * under obfuscation and appended emoji (on held-out rows), and on small
 * hand-written probe sets for counter-speech and non-English text. The probe
 * sentences are ours, written for this file; they are small, so read their
 * figures as indications, not benchmarks.
 */
import type { Scorer } from '../../server/scoring/types.ts';
import { seededRandom, type DataRow } from './datasets.ts';
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
