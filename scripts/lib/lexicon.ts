/**
 * The slur and obscenity lexicon baked into model.json at training time
 * (featurizer.lexicon), so scoring needs no word-list package at run time.
 *
 * Source: the English list of `naughty-words` (a devDependency, CC-BY-4.0;
 * "List of Dirty, Naughty, Obscene, and Otherwise Bad Words"). Terms are
 * normalised the way the featurizer reads text, so "2 girls 1 cup" matches
 * what tokenize makes of it.
 */
import { createRequire } from 'node:module';
import { normalizeText, tokenize } from '../../server/scoring/featurize.ts';

export const LEXICON_SOURCE = 'naughty-words@1.2.0 en.json (CC-BY-4.0), minus LEXICON_DROPPED';

/**
 * Entries that name a topic rather than abuse it: they appear in plain
 * statements ("sexuality", "nude painting", "the swastika on the flag") and,
 * as shared lexicon hits, would push identity and health talk towards toxic.
 * They stay ordinary words the model learns from data.
 */
export const LEXICON_DROPPED = new Set([
  'sex', 'sexual', 'sexually', 'sexuality', 'sexy', 'nude', 'nudity', 'erotic', 'erotism', 'escort', 'domination',
  'intercourse', 'lovemaking', 'playboy', 'nipple', 'nipples', 'genitals', 'penis', 'vagina', 'vulva', 'rectum', 'anus',
  'xx', 'homoerotic', 'eunuch', 'swastika', 'negro', 'gay sex', 'hardcore', 'hard core', 'kinky', 'bondage', 'sadism',
  'voyeur', 'how to kill', 'how to murder', 'butt', 'panties', 'panty', 'tied up', 'taste my', 'tongue in a', 'white power', 'big black', 'girl on',
  'hot chick', 'sultry women', 'tight white', 'strip club', 'santorum', 'mong', 'viagra', 'cialis', 'twink', 'twinkie',
]);

/** Normalised, deduplicated and sorted lexicon terms (words joined by one space). */
export function buildLexicon(): string[] {
  const require = createRequire(import.meta.url);
  const words = require('naughty-words/en.json') as string[];
  const terms = new Set<string>();
  for (const entry of words) {
    if (LEXICON_DROPPED.has(entry.toLowerCase())) continue;
    const term = tokenize(normalizeText(entry, 1000, 2), 2)
      .map((t) => t.word)
      .filter((w) => w !== '.')
      .join(' ');
    if (term !== '') terms.add(term);
  }
  return [...terms].sort();
}
