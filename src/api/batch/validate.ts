import { AjvCompiler } from '@fastify/ajv-compiler';
import { rokvError, type HttpError } from '../../errors.js';
import { GET_VALUES } from '../contract.js';
import { AJV_OPTIONS, keysRequestSchema } from '../schemas.js';

/** A schema violation as Ajv reports it. */
interface SchemaError {
  keyword: string;
  instancePath: string;
  message?: string;
}

/** Turns a schema violation of the batch body into the catalog's 400 or 413. */
function batchError(maxKeys: number, errors: readonly SchemaError[]): HttpError {
  const first = errors[0];
  if (first?.keyword === 'maxItems') return rokvError('BATCH_TOO_LARGE', maxKeys);
  const where = first?.instancePath ? `"${first.instancePath.slice(1)}"` : 'the body';
  return rokvError('BATCH_INVALID', `${where} ${first?.message ?? 'is not valid'}`, maxKeys);
}

/** Returns a batch body's `keys` when the body is valid, or the catalog error saying what is wrong. */
export type BatchValidator = (body: unknown) => readonly unknown[] | HttpError;

/**
 * Compiles the batch body's schema (the one the OpenAPI document shows) with Ajv as Fastify's own
 * compiler sets it up, so a body that is not the usual one is judged by the documented schema.
 * Compiled on the first such body, not at start: compiling costs about a tenth of a second of CPU
 * before the first answer (docs/scaling.md, start-up), and the usual bodies never need it.
 */
export function batchValidator(maxKeys: number): BatchValidator {
  let compiled: ReturnType<ReturnType<ReturnType<typeof AjvCompiler>>> | undefined;
  return (body) => {
    compiled ??= AjvCompiler()({}, { customOptions: AJV_OPTIONS })({
      schema: keysRequestSchema(maxKeys),
      method: 'POST',
      url: GET_VALUES,
      httpPart: 'body',
    });
    return compiled(body)
      ? (body as { keys: readonly unknown[] }).keys
      : batchError(maxKeys, (compiled.errors ?? []) as readonly SchemaError[]);
  };
}
