// ESLint for the whole repository (`npm run check` runs it after tsc and
// svelte-check). Recommended JavaScript rules, typescript-eslint's strict set,
// and eslint-plugin-svelte's recommended set with TypeScript in <script lang="ts">.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig([
  globalIgnores(['node_modules/', 'web/dist/', 'data/', 'models/', 'test-results/']),
  js.configs.recommended,
  tseslint.configs.strict,
  svelte.configs.recommended,
  {
    rules: {
      // Deliberate: `!` follows Map lookups and indexes the code has just
      // checked or built (parsers, metrics, training loops), where a runtime
      // check would only repeat what the surrounding code guarantees.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The server, CLI, scripts, benchmarks and tests run on Node; the dashboard in a browser.
    ignores: ['web/**'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['web/**'],
    languageOptions: { globals: globals.browser },
  },
  {
    // svelte-eslint-parser reads the markup and hands <script lang="ts"> (and
    // the runes in *.svelte.ts) to the TypeScript parser.
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
    rules: {
      // TypeScript (svelte-check) already reports undefined names, and this
      // rule does not know type-only globals such as ScrollLogicalPosition.
      // typescript-eslint turns it off the same way for .ts files.
      'no-undef': 'off',
    },
  },
]);
