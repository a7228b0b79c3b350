import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, failure } from '../api/answer.js';
import { JSON_TYPE } from '../api/contract.js';
import { HttpError, rokvError } from '../errors.js';

/** Sends a catalog error as the JSON error body with its status. */
export function sendError(reply: FastifyReply, err: HttpError): FastifyReply {
  return reply.code(err.statusCode).type(JSON_TYPE).send(errorBody(err));
}

/** Maps Fastify's own errors (body parsing, limits) onto the catalog; anything else is a 500. */
function toHttpError(err: FastifyError, request: FastifyRequest): HttpError {
  if (err instanceof HttpError) return err;
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return rokvError('BODY_TOO_LARGE', request.routeOptions.bodyLimit ?? 0);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return rokvError('CONTENT_TYPE_UNSUPPORTED', request.headers['content-type']);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return rokvError('BODY_EMPTY');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return rokvError('BAD_REQUEST', 'the body length does not match Content-Length');
    default:
      break;
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return rokvError('BAD_REQUEST', err.message);
  return rokvError('INTERNAL');
}

/** Installs the error, not-found and framework-error handlers so every error answer is a catalog body. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const log = (cause: unknown): void => request.log.error({ err: cause, reqId: request.id }, 'request failed');
    return sendError(reply, failure(err, log, toHttpError(err, request)));
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, rokvError('ROUTE_NOT_FOUND', request.method, request.url)),
  );
}

/** Answers 405 with an `Allow` header for every method but the allowed ones on `url`. */
export function rejectOtherMethods(app: FastifyInstance, url: string, allowed: readonly string[]): void {
  const others = ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'POST'].filter((m) => !allowed.includes(m));
  const allow = allowed.join(', ');
  app.route({
    method: others,
    url,
    handler: (request, reply) => {
      void reply.header('allow', allow);
      return sendError(reply, rokvError('METHOD_NOT_ALLOWED', request.method, url, allow));
    },
  });
}

/** Options for Fastify's `frameworkErrors`: malformed URLs and the like answer with a catalog body. */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void sendError(reply, rokvError('BAD_REQUEST', err.message));
}
