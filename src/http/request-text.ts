import type { FastifyInstance } from 'fastify';
import { KizunaError } from '../shared/errors.ts';
import { unsafeText, unsafeTextIn } from '../shared/safe-text.ts';
import { firstInvalidUtf8Byte } from '../shared/utf8.ts';

/**
 * The text of every request is checked once, here, for all routes: a JSON body must be valid
 * UTF-8 (Fastify's own parser would turn bad bytes into U+FFFD and store them), and no query
 * or path parameter (`q`, `cursor`, `by=attribute:…`) nor string of a JSON body may hold a NUL
 * or an unpaired surrogate, which PostgreSQL cannot compare or store: a 500 before, now a 422
 * naming the parameter or field. Batch records are the exception: each is checked on its own.
 */
export function checkRequestText(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      done(
        new KizunaError(
          'bad_request',
          `The JSON body is not valid UTF-8: invalid bytes at byte offset ${firstInvalidUtf8Byte(bytes)}. Send the body encoded as UTF-8.`,
        ),
        undefined,
      );
      return;
    }
    parseJson(request, text, (error, body) => {
      if (error) return done(error, undefined);
      // Batch records are checked one by one (ingest/records.ts), so one bad record is refused alone.
      const problem = request.url.split('?')[0]!.endsWith('/batch') ? undefined : unsafeTextIn(body);
      if (problem) {
        const field =
          problem.path
            .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
            .join('')
            .replace(/^\./, '') || '(body)';
        return done(
          new KizunaError('validation_failed', `The body's field "${field}" ${problem.reason}.`, {
            issues: [{ field: `body.${field}`, reason: problem.reason, code: problem.reason.startsWith('is nested') ? 'too_deep' : 'invalid_text' }],
          }),
          undefined,
        );
      }
      return done(null, body);
    });
  });
  app.addHook('preValidation', async (request) => {
    refuseUnsafe('query', request.query);
    refuseUnsafe('path', request.params);
  });
}

function refuseUnsafe(part: 'query' | 'path', values: unknown): void {
  if (values === null || typeof values !== 'object') return;
  for (const [name, value] of Object.entries(values)) {
    for (const text of Array.isArray(value) ? value : [value]) {
      if (typeof text !== 'string') continue;
      const problem = unsafeText(text);
      if (problem) {
        throw new KizunaError('validation_failed', `The ${part} parameter "${name}" ${problem}.`, {
          issues: [{ field: `${part === 'query' ? 'querystring' : 'params'}.${name}`, reason: problem, code: 'invalid_text' }],
        });
      }
    }
  }
}
