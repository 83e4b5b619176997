import {
  ConflictError,
  DomainError,
  ForbiddenError,
  GatewayUnavailableError,
  NotFoundError,
  RuleViolationError,
  UnauthorizedError,
  UnprocessableError,
  ValidationError,
} from '../../domain/errors.js';

export interface ErrorBody {
  error: { code: string; message: string; details: unknown[] };
}

/** The one place that turns a domain error into an HTTP status (SPEC §8). */
export function statusOf(error: DomainError): number {
  if (error instanceof ValidationError) return 400;
  if (error instanceof UnauthorizedError) return 401;
  if (error instanceof ForbiddenError) return 403;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError) return 409;
  if (error instanceof RuleViolationError) return 422;
  if (error instanceof UnprocessableError) return 422;
  if (error instanceof GatewayUnavailableError) return 503;
  return 500;
}

export function errorResponse(error: unknown): { statusCode: number; body: ErrorBody } {
  if (error instanceof DomainError) {
    return { statusCode: statusOf(error), body: { error: { code: error.code, message: error.message, details: error.details } } };
  }
  return { statusCode: 500, body: { error: { code: 'internal_error', message: 'an unexpected error occurred; it has been logged', details: [] } } };
}
