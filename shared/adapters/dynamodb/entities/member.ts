import type { Member } from '../../../domain/member.js';
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
