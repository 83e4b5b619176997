import type { SenderIdentity } from '../../../ports/store.js';
import { type Item, orgPk } from './keys.js';

/** R-OPS-2: an organisation's sending identities, in its partition (`sk = IDENTITY#<domain or address>`). */
export const IDENTITY_PREFIX = 'IDENTITY#';
export const identityKey = (orgId: string, identity: string) => ({ pk: orgPk(orgId), sk: `${IDENTITY_PREFIX}${identity}` });
export const identityItem = (i: SenderIdentity): Item => ({ ...identityKey(i.orgId, i.identity), entity: 'sender_identity', ...i });
