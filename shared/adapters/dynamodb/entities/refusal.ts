import type { RefusalReason } from '../../../domain/refusal.js';
import { type Item, orgPk } from './keys.js';

/** Refusal reasons live in the organisation's partition: a short list, read in one Query. */
export const refusalReasonKey = (orgId: string, id: string) => ({ pk: orgPk(orgId), sk: `REASON#${id}` });
export const REASON_PREFIX = 'REASON#';

export const refusalReasonItem = (r: RefusalReason): Item => ({ ...refusalReasonKey(r.orgId, r.id), entity: 'refusal_reason', ...r });
