import { describe, expect, it } from 'vitest';
import { clip, HIDDEN_CHARACTERS, MAX_MARKERS, markerText, revealControls, revealControlsText, type TextPart } from '../../web/src/lib/text.ts';

/** What the screen shows for the parts: plain runs and markers, in order. */
const shown = (parts: TextPart[]) => parts.map((p) => (p.kind === 'text' ? p.text : markerText(p))).join('');

describe('revealControls (finding 11: text tricks)', () => {
  it('shows a right-to-left override as a marker, in logical order, so "gnp\\u202Eexe.png" cannot pass for "…gnp.exe"', () => {
    const parts = revealControls('gnp\u202Eexe.png');
    expect(parts).toEqual([
      { kind: 'text', text: 'gnp' },
      { kind: 'control', name: 'RLO', description: 'U+202E right-to-left override', count: 1 },
      { kind: 'text', text: 'exe.png' },
    ]);
    expect(shown(parts)).toBe('gnp⟨RLO⟩exe.png');
  });

  it('marks every direction control and zero-width character the brief names', () => {
    const named = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200B', '\u200C', '\u200D', '\u200E', '\u200F', '\uFEFF'];
    for (const ch of named) {
      const parts = revealControls(`a${ch}b`);
      expect(parts.map((p) => p.kind), `U+${ch.charCodeAt(0).toString(16)}`).toEqual(['text', 'control', 'text']);
      expect(shown(parts)).toBe(`a⟨${HIDDEN_CHARACTERS[ch][0]}⟩b`);
    }
    expect(shown(revealControls('pass\u200Bword \u2067x\u2069 \u061C'))).toBe('pass⟨ZWSP⟩word ⟨RLI⟩x⟨PDI⟩ ⟨ALM⟩');
  });

  it('never lets a hidden character through to the screen', () => {
    const hostile = Object.keys(HIDDEN_CHARACTERS).join('x');
    const text = shown(revealControls(hostile));
    expect(Object.keys(HIDDEN_CHARACTERS).some((ch) => text.includes(ch))).toBe(false);
    expect(revealControlsText(hostile)).toBe(text);
  });

  it('collapses a run of the same character into one counted marker', () => {
    expect(shown(revealControls(`a${'\u200B'.repeat(5)}b`))).toBe('a⟨ZWSP×5⟩b');
  });

  it('leaves plain text, right-to-left letters and emoji joined by ZWJ alone', () => {
    expect(revealControls('plain text')).toEqual([{ kind: 'text', text: 'plain text' }]);
    expect(revealControls('')).toEqual([{ kind: 'text', text: '' }]);
    expect(revealControls('שלום עולם')).toEqual([{ kind: 'text', text: 'שלום עולם' }]);
    for (const emoji of ['👩‍💻', '👨‍👩‍👧', '🏳️‍🌈', '👩🏽‍🚀']) {
      expect(revealControls(emoji), emoji).toEqual([{ kind: 'text', text: emoji }]);
      expect(revealControlsText(emoji)).toBe(emoji);
    }
    // A ZWJ between letters hides something: it is shown.
    expect(revealControlsText('ad\u200Dmin')).toBe('ad⟨ZWJ⟩min');
  });

  it('draws at most MAX_MARKERS markers and spells out the rest as text', () => {
    const parts = revealControls('a\u200B'.repeat(MAX_MARKERS + 100));
    expect(parts.filter((p) => p.kind === 'control')).toHaveLength(MAX_MARKERS);
    expect(shown(parts)).toBe('a⟨ZWSP⟩'.repeat(MAX_MARKERS + 100));
  });
});

describe('clip', () => {
  it('cuts before a surrogate pair rather than through it', () => {
    expect(clip('ab😀c', 3)).toBe('ab');
    expect(clip('ab😀c', 4)).toBe('ab😀');
    expect(clip('abc', 10)).toBe('abc');
  });
});
