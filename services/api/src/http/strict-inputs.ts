/**
 * Strict request parsing for the API: what a client sends is what the handler gets, or a 400.
 *
 * - Bodies are validated without type coercion (Fastify's default `coerceTypes: 'array'` turned
 *   `name: 42` into "42" and `role: ["admin"]` into "admin"); query strings and path parameters
 *   are text by nature and still parse to the numbers their schemas document, and a parameter
 *   given once is the one-item list its schema documents (`?attribute=site=lyon`, repeatable).
 * - JSON bodies must be valid UTF-8: a broken sequence is refused rather than stored as U+FFFD.
 *   `__proto__` and `constructor.prototype` keys are refused too (Fastify's default parser's rules).
 */
import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyInstance } from 'fastify';
import { apiError } from '../errors.ts';

/** Installs the validator compiler and the JSON body parser on an app. */
export function installStrictInputs(app: FastifyInstance): void {
  const pool = AjvCompiler();
  // Unknown fields are refused (400) rather than silently dropped: `removeAdditional: false`.
  const forBodies = pool({}, { customOptions: { coerceTypes: false, removeAdditional: false } });
  const forText = pool({}, { customOptions: { coerceTypes: 'array', removeAdditional: false } });
  app.setValidatorCompiler((route) => (route.httpPart === 'body' ? forBodies : forText)(route));

  const parseJson = app.getDefaultJsonParser('error', 'error');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  // Every body of this API is JSON: text/plain answers 415 instead of failing the schema.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      return done(apiError('MalformedRequest', 'The body is not valid UTF-8 (RFC 8259 §8.1: JSON text is UTF-8)'), undefined);
    }
    void parseJson(request, text, done);
  });
}
