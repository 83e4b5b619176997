import { ConflictError, ConcurrencyError, ValidationError } from '../domain/errors.js';
import type { Settings } from '../domain/settings.js';
import type { Actor } from '../domain/timeline.js';
import type { Deps } from '../deps.js';

/**
 * R-CON-5: what a staff user may do, from their Cognito groups: `owners` run the organisation's
 * settings, its payment gateway and its users, and everything `staff` do (members, memberships,
 * invoices, renewals, dunning).
 */
export const ROLES = ['owners', 'staff'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling and for which organisation; the organisation comes from the token only. */
export interface Caller {
  orgId: string;
  actor: Actor;
  /** R-CON-5: the caller's roles (admin API callers); absent for the system's own callers. */
  roles?: readonly Role[];
}

/** The organisation's settings, required before anything that depends on its time zone. */
export async function requireSettings(deps: Pick<Deps, 'store'>, orgId: string): Promise<Settings> {
  const settings = await deps.store.getSettings(orgId);
  if (!settings) {
    throw new ConflictError('settings_required', 'configure the organisation first (PUT /api/settings): its time zone drives every date');
  }
  return settings;
}

/** `If-Match` support: the version a client read must still be the stored one. */
export function checkExpectedVersion(entity: string, id: string, stored: number, expected: number | undefined): void {
  if (expected !== undefined && expected !== stored) throw new ConcurrencyError(entity, id);
}

/** The read-only fields a client sent back in a PUT body, and the version it read. */
export interface ReadOnlySent {
  /** The body without the read-only fields: what the input schema validates. */
  document: unknown;
  /** Each read-only field present in the body, with the value sent. */
  sent: Record<string, unknown>;
  /** The `If-Match` header, or else the body's `version`. */
  expectedVersion: number | undefined;
}

/**
 * SPEC §8, what GET returns can be PUT back: takes the read-only `fields` (always including
 * `version`) out of a PUT body before the input schema sees it. A `version` in the body acts as
 * `If-Match`; both present and different is a malformed request naming `version`.
 */
export function takeReadOnly(body: unknown, fields: readonly string[], ifMatch: number | undefined): ReadOnlySent {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { document: body, sent: {}, expectedVersion: ifMatch };
  const document: Record<string, unknown> = { ...body };
  const sent: Record<string, unknown> = {};
  for (const field of new Set(['version', ...fields])) {
    if (!Object.hasOwn(document, field)) continue;
    sent[field] = document[field];
    delete document[field];
  }
  const version = sent.version;
  if (version !== undefined && (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)) {
    throw new ValidationError('version must be the version a previous response returned', [{ field: 'version', message: 'must be a whole number' }]);
  }
  if (version !== undefined && ifMatch !== undefined && version !== ifMatch) {
    throw new ValidationError(`version ${version} in the body differs from If-Match "${ifMatch}"`, [
      { field: 'version', message: 'differs from the If-Match header' },
    ]);
  }
  return { document, sent, expectedVersion: ifMatch ?? (version as number | undefined) };
}

/**
 * Checks the read-only fields taken by takeReadOnly against the stored resource: a stale
 * version is a ConcurrencyError (409), checked first so a stale copy reads as a conflict; any
 * other read-only field is accepted only unchanged, and then ignored.
 * With nothing stored yet (a create by PUT) no read-only value can match, so each is refused,
 * except `version: 0`: the version of a resource not yet written (the store creates from 0), so
 * it asks "create only". An `If-Match` header on a create stays ignored, as before.
 */
export function checkReadOnly(
  entity: string,
  id: string,
  taken: Pick<ReadOnlySent, 'sent' | 'expectedVersion'>,
  stored: { version: number } | null,
): void {
  if (stored) checkExpectedVersion(entity, id, stored.version, taken.expectedVersion);
  for (const [field, value] of Object.entries(taken.sent)) {
    if (stored ? field === 'version' || Object.is((stored as Record<string, unknown>)[field], value) : field === 'version' && value === 0) continue;
    const why = stored ? 'is read-only' : `is read-only, and ${entity} ${id} does not exist yet`;
    throw new ValidationError(`${field} ${why}`, [{ field, message: 'is read-only: send the value last read, or leave it out' }]);
  }
}
