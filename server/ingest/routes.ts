import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentUser } from '../auth/hooks.ts';
import { AppError, BadImport } from '../errors.ts';
import type { IngestService } from './service.ts';
import { importSchema } from './schemas.ts';

/** Largest import file accepted, over HTTP and in multipart uploads. */
export const IMPORT_LIMIT_BYTES = 50 * 1024 * 1024;

export async function ingestRoutes(fastify: FastifyInstance, { ingest }: { ingest: IngestService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  // An import posted as application/json is the file itself (a JSON export),
  // or a JSON string holding any file; either way the parser gets text.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: IMPORT_LIMIT_BYTES }, (_request, body, done) => {
    const text = body as string;
    if (text.trimStart().startsWith('"')) {
      try {
        const inner: unknown = JSON.parse(text);
        if (typeof inner === 'string') return done(null, inner);
      } catch {
        // Not a JSON string after all: hand the text to the parser, which names the error.
      }
    }
    done(null, text);
  });

  // XML exports (WordPress, Disqus) and CSV come as they are.
  app.addContentTypeParser(['application/xml', 'text/xml', 'text/csv'], { parseAs: 'string', bodyLimit: IMPORT_LIMIT_BYTES }, (_request, body, done) =>
    done(null, body),
  );

  app.post('/api/import', { schema: importSchema, bodyLimit: IMPORT_LIMIT_BYTES }, async (request) => {
    const user = currentUser(request);
    let text: string;
    let source = 'upload';
    if (request.isMultipart()) {
      const file = await request.file({ limits: { fileSize: IMPORT_LIMIT_BYTES, files: 1 } });
      if (!file || file.fieldname !== 'file') throw new BadImport('the upload needs a multipart field named "file"', { field: 'file' });
      let buffer: Buffer;
      try {
        buffer = await file.toBuffer();
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 413) throw new AppError('PAYLOAD_TOO_LARGE', 'Import file is larger than 50 MB');
        throw err;
      }
      text = buffer.toString('utf8');
      if (file.filename) source = `upload:${file.filename}`;
    } else {
      if (typeof request.body !== 'string') throw new BadImport('send the file content as text/plain, application/json or multipart field "file"');
      text = request.body;
    }
    if (text.trim() === '') throw new BadImport('the file is empty', { line: 1 });
    const result = await ingest.importFile(text, { format: request.query.format, moderatorId: user.id, source });
    const { threadIds, ...counts } = result;
    return { import: counts, threadIds };
  });
}
