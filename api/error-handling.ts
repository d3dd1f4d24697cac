import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { type ErrorCode, isUcapError } from '../domain/errors.ts';
import { ApiRequestError, type ParameterProblem } from './api-request-error.ts';
import { ClientGoneError } from './heavy-work.ts';
import type { ErrorResponse } from './schemas/response-parts.ts';
import { toParameterProblems } from './validation-problems.ts';

interface Answer {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: readonly ParameterProblem[];
  readonly retryAfterMs?: number;
}

const STORE_DOWN: readonly ErrorCode[] = ['STORE_UNAVAILABLE', 'STORE_LOCKED'];
const OVERLOAD_STATUS = new Map<ErrorCode, number>([
  ['API_UNAUTHORIZED', 401],
  ['API_RATE_LIMITED', 429],
  ['API_BUSY', 503],
  ['API_DEADLINE', 503],
]);

/**
 * Every error leaves as `{ error: { code, message, requestId, details? } }`. Bad requests name the
 * parameter and what is allowed; store outages are 503 so clients retry; anything else is a 500
 * whose body says nothing about internals (the log line, keyed by the request id, has the rest).
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    return send(reply, request, {
      status: 404,
      code: 'API_NOT_FOUND',
      message: `no route ${request.method} ${path}; the API is described at /docs`,
    });
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ClientGoneError) {
      request.log.info({ reason: error.message }, 'client gone; its work was cancelled');
      return send(reply, request, { status: 499, code: 'API_BAD_REQUEST', message: error.message });
    }
    const answer = classify(error, request);
    if (answer.status === 429 || answer.code === 'API_BUSY' || answer.code === 'API_DEADLINE')
      request.log.warn({ code: answer.code }, 'request shed');
    else if (answer.status >= 500) request.log.error({ err: error, code: answer.code }, 'request failed');
    else request.log.info({ code: answer.code, reason: answer.message }, 'request refused');
    return send(reply, request, answer);
  });
}

function classify(error: FastifyError, request: FastifyRequest): Answer {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const details = toParameterProblems(error.validation, request.routeOptions.schema?.querystring);
    return { status: 400, code: 'API_BAD_REQUEST', message: summarise(details), details };
  }
  if (error instanceof ApiRequestError) {
    return {
      status: 400,
      code: 'API_BAD_REQUEST',
      message: summarise(error.details),
      details: error.details,
    };
  }
  const overload = overloadAnswer(error);
  if (overload !== undefined) return overload;
  if (
    isUcapError(error) &&
    (STORE_DOWN.includes(error.code) || (error.code === 'STORE_QUERY_FAILED' && error.canRetry()))
  ) {
    const retryAfterMs = error.retryAfter();
    return {
      status: 503,
      code: error.code,
      message: 'the time-series store is unavailable; retry later',
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  // Fastify's own client errors (malformed URL, unsupported media type…) carry safe messages.
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500 && !isUcapError(error)) {
    return { status, code: status === 404 ? 'API_NOT_FOUND' : 'API_BAD_REQUEST', message: error.message };
  }
  return {
    status: 500,
    code: 'API_INTERNAL',
    message: 'the server failed while answering; quote the request id when reporting it',
  };
}

/** No key (401), too many requests from one client (429), or too much heavy work in the server (503). */
function overloadAnswer(error: unknown): Answer | undefined {
  if (!isUcapError(error) || !OVERLOAD_STATUS.has(error.code)) return undefined;
  const retryAfterMs = error.retryAfter();
  return {
    status: OVERLOAD_STATUS.get(error.code) ?? 503,
    code: error.code,
    message: error.message,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

function summarise(details: readonly ParameterProblem[]): string {
  return `invalid request: ${details.map((d) => `${d.parameter} ${d.problem}`).join('; ')}`;
}

function send(reply: FastifyReply, request: FastifyRequest, answer: Answer): FastifyReply {
  if (answer.retryAfterMs !== undefined) reply.header('retry-after', Math.ceil(answer.retryAfterMs / 1000));
  const body: ErrorResponse = {
    error: {
      code: answer.code,
      message: answer.message,
      requestId: request.id,
      ...(answer.details === undefined ? {} : { details: answer.details.map(toWire) }),
    },
  };
  return reply.code(answer.status).send(body);
}

function toWire(problem: ParameterProblem): NonNullable<ErrorResponse['error']['details']>[number] {
  const { parameter, problem: text, allowed } = problem;
  return allowed === undefined
    ? { parameter, problem: text }
    : { parameter, problem: text, allowed: [...allowed] };
}
