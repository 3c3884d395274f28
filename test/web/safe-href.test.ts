import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { safeHref } from '../../web/src/lib/format.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

describe('safeHref: only http and https URLs become links', () => {
  it('keeps absolute http and https URLs, normalised', () => {
    expect(safeHref('https://example.com/a?b=1#c')).toBe('https://example.com/a?b=1#c');
    expect(safeHref('http://example.com')).toBe('http://example.com/');
    expect(safeHref('HTTPS://Example.COM/Path')).toBe('https://example.com/Path');
    expect(safeHref('  https://example.com/x  ')).toBe('https://example.com/x');
  });

  it('refuses script and every other scheme, however it is spelled', () => {
    for (const url of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'java\nscript:alert(1)',
      '\u0001javascript:alert(1)',
      'javascript://example.com/%0aalert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'blob:https://example.com/1',
      'mailto:a@example.com',
      '//evil.example/x',
      '/relative/path',
      'example.com',
      'https//missing-colon',
      '',
      null,
      undefined,
    ]) {
      expect(safeHref(url), JSON.stringify(url)).toBeNull();
    }
  });

  it('is the only way thread URLs reach an href in web/src', () => {
    const offenders = filesUnder(join(ROOT, 'web/src'))
      .filter((f) => f.endsWith('.svelte'))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((line, i) => (/href=\{[^}]*\.url\b/.test(line) ? [`${relative(ROOT, file)}:${i + 1}`] : [])),
      );
    expect(offenders).toEqual([]);
  });
});
