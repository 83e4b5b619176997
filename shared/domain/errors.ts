/**
 * Domain errors. One place (shared/adapters/http/errors.ts) maps them to HTTP with `instanceof`;
 * nothing matches on names or messages.
 */
export interface ErrorDetail {
  /** Dotted path of the offending field, e.g. `billing.anchor.day`. */
  field?: string;
  message: string;
  rule?: string;
  /** For a field of a request that failed validation, what is wrong with it (validate.ts reasonOf). */
  reason?: string;
  /** The bound a too_small / too_big value crossed. */
  limit?: number;
}

export abstract class DomainError extends Error {
  abstract readonly code: string;
  readonly details: ErrorDetail[];

  constructor(message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/** Malformed input: wrong type, missing field, bad format. Maps to 400. */
export class ValidationError extends DomainError {
  readonly code = 'validation_failed';
}

/** Well-formed input that a business rule refuses; `rule` is a SPEC rule id. Maps to 422. */
export class RuleViolationError extends DomainError {
  readonly code = 'rule_violation';
  readonly rule: string;

  constructor(rule: string, message: string, details: ErrorDetail[] = []) {
    super(`${rule}: ${message}`, details.length > 0 ? details : [{ rule, message }]);
    this.rule = rule;
  }
}

/** The request conflicts with the current state of the resource. Maps to 409. */
export class ConflictError extends DomainError {
  readonly code: string;

  constructor(code: string, message: string, details: ErrorDetail[] = []) {
    super(message, details);
    this.code = code;
  }
}

/** Another writer changed the item first (optimistic concurrency). Maps to 409. */
export class ConcurrencyError extends ConflictError {
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super('concurrent_modification', `${entity} ${id} was changed by another request; read it again and retry`);
  }
}

/** R-MNY-1: the member already has a live membership on the plan (its place is taken). Maps to 409. */
export class MembershipExistsError extends ConflictError {
  constructor(memberId: string, planId: string, membershipId?: string) {
    super('membership_exists', `R-MNY-1: member ${memberId} already has a live membership${membershipId ? ` (${membershipId})` : ''} on plan ${planId}`, [
      { rule: 'R-MNY-1', field: 'planId', message: 'one live membership per member and plan' },
    ]);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found';

  constructor(entity: string, id: string) {
    super(`${entity} ${id} does not exist`);
  }
}

export class UnauthorizedError extends DomainError {
  readonly code = 'unauthorized';
}

export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
}

/** Well-formed input that an outside party (e.g. the payment gateway) refused. Maps to 422. */
export class UnprocessableError extends DomainError {
  readonly code: string;

  constructor(code: string, message: string, details: ErrorDetail[] = []) {
    super(message, details);
    this.code = code;
  }
}

/** R-PAY-1: the organisation has not connected its payment gateway yet. Maps to 409. */
export class GatewayNotConnectedError extends ConflictError {
  constructor(readonly orgId: string) {
    super('gateway_not_connected', 'the organisation has not connected its Stripe account yet: PUT /api/gateway first');
  }
}

/** The payment gateway did not answer (down, timed out): nothing was saved; try again. Maps to 503. */
export class GatewayUnavailableError extends DomainError {
  readonly code = 'gateway_unavailable';
}
