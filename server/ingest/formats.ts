/** The file formats an import reads (docs/import-formats.md); `auto` detects one of them. */
export const IMPORT_FORMATS = ['blog', 'news', 'json', 'wordpress', 'disqus', 'csv'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
