import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WEB_SRC = join(ROOT, 'web/src');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

// Comment text is hostile by definition: one {@html} on it runs an attacker's markup in a moderator's session.
describe('web/src renders text as text', () => {
  const files = filesUnder(WEB_SRC);

  it('has source files to check', () => {
    expect(files.some((f) => f.endsWith('.svelte'))).toBe(true);
  });

  it('never uses {@html', () => {
    const offenders = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (line.includes('{@html') ? [`${relative(ROOT, file)}:${i + 1}`] : [])),
    );
    expect(offenders, `{@html found at ${offenders.join(', ')}`).toEqual([]);
  });

  it('never assigns innerHTML or outerHTML', () => {
    const offenders = files.filter((file) => /\.(inner|outer)HTML\s*=|insertAdjacentHTML/.test(readFileSync(file, 'utf8')));
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });
});
