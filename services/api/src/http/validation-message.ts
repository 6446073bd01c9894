/**
 * Validation messages that name the field: "body/name must NOT have fewer than 1 characters",
 * "body must NOT have additional property 'colour'". Ajv's own text leaves the property out of
 * `additionalProperties` and `required` errors, so it is added from the error's params.
 */
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';

export function validationMessage(errors: readonly FastifySchemaValidationError[], dataVar: string): string {
  return errors
    .map((e) => {
      const where = `${dataVar}${e.instancePath}`;
      const params = e.params;
      if (e.keyword === 'additionalProperties')
        return `${where} must NOT have additional property '${String(params['additionalProperty'])}'`;
      if (e.keyword === 'required') return `${where}/${String(params['missingProperty'])} is required`;
      return `${where} ${e.message ?? 'is invalid'}`;
    })
    .join(', ');
}
