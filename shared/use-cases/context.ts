import { ConflictError, ConcurrencyError } from '../domain/errors.js';
import type { Settings } from '../domain/settings.js';
import type { Actor } from '../domain/timeline.js';
import type { Deps } from '../deps.js';

/** Who is calling and for which organisation; the organisation comes from the token only. */
export interface Caller {
  orgId: string;
  actor: Actor;
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
