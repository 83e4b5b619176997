import type { Member } from '../../../domain/member.js';
import type { MemberSearchKey } from '../../../ports/store.js';
import { type Item, memberPk } from './keys.js';

export const memberKey = (orgId: string, memberId: string) => ({ pk: memberPk(orgId, memberId), sk: 'MEMBER' });

/** Members of an organisation, newest first: gsi1pk = ORG#o#MEMBERS, gsi1sk = member id (a ULID). */
export const membersOfOrg = (orgId: string) => `ORG#${orgId}#MEMBERS`;

export const memberItem = (m: Member): Item => ({
  ...memberKey(m.orgId, m.id),
  entity: 'member',
  gsi1pk: membersOfOrg(m.orgId),
  gsi1sk: m.id,
  ...m,
});

/**
 * R-CON-3: a member's search keys, one item each, in the organisation's search partition:
 * `sk = <normalised key>#<memberId>`, with the name and e-mail to show. Written and removed with
 * the member, in its transaction.
 */
export const SEARCH_PARTITION = (orgId: string) => `ORG#${orgId}#MSEARCH`;
export const searchKeyItemKey = (orgId: string, memberId: string, key: string) => ({ pk: SEARCH_PARTITION(orgId), sk: `${key}#${memberId}` });
export const searchKeyItem = (s: MemberSearchKey): Item => ({ ...searchKeyItemKey(s.orgId, s.memberId, s.key), entity: 'member_search', ...s });
