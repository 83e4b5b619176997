import { ORG_ID_PATTERN } from '../../domain/ids.js';
import { GROUPS_CLAIM, groupsOf } from '../../domain/groups.js';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import * as z from 'zod';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../../domain/errors.js';
import { entityId } from '../../domain/schema.js';
import { parseInput } from '../../domain/validate.js';
import type { PageRequest } from '../../ports/store.js';
import { type Caller, type Role, ROLES } from '../../use-cases/context.js';

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

/** The custom Cognito attribute that names the caller's organisation. */
export const ORG_CLAIM = 'custom:orgId';
const ORG_ID = ORG_ID_PATTERN;

/**
 * The caller, from the claims the JWT authorizer verified. The organisation comes from the
 * token only, never from the path or the body.
 */
export function callerOf(event: ApiEvent): Caller {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  if (!claims || typeof claims.sub !== 'string') throw new UnauthorizedError('a bearer token is required');
  const orgId = claims[ORG_CLAIM];
  if (typeof orgId !== 'string' || !ORG_ID.test(orgId)) {
    throw new ForbiddenError(`the token carries no organisation (claim ${ORG_CLAIM})`);
  }
  const roles = groupsOf(claims[GROUPS_CLAIM]).filter((g): g is Role => (ROLES as readonly string[]).includes(g));
  if (roles.length === 0) throw new ForbiddenError(`R-CON-5: the user belongs to neither the owners nor the staff group (claim ${GROUPS_CLAIM})`);
  return { orgId, actor: { type: 'admin', id: typeof claims.email === 'string' ? claims.email : claims.sub }, roles };
}

export { GROUPS_CLAIM, groupsOf };

/** R-CON-5: refuses (403) a caller who is not one of the organisation's owners. */
export function requireOwner(caller: Caller): void {
  if (!caller.roles?.includes('owners')) {
    throw new ForbiddenError('R-CON-5: only the organisation\'s owners may do this (settings, payment gateway, users)', [{ rule: 'R-CON-5', message: 'owners only' }]);
  }
}

export function jsonBody(event: { body?: string | undefined; isBase64Encoded?: boolean }): unknown {
  if (event.body === undefined || event.body === '') {
    throw new ValidationError('a JSON request body is required');
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ValidationError('the request body is not valid JSON');
  }
  // JSON's \u escapes can write half of a surrogate pair, which no text encoding carries on
  // (the gateway's form encoding throws on one): refused here, for every field at once.
  const broken = illFormedField(parsed);
  if (broken !== null) {
    throw new ValidationError('the request body holds text that is not well-formed Unicode (a lone surrogate)', [{ field: broken || '(body)', message: 'is not well-formed Unicode (a lone surrogate)' }]);
  }
  return parsed;
}

/** Half of a surrogate pair without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The path (`a.b[0]`) of the first string or key in `value` that is not well-formed UTF-16, or
 * null. Iterative, and the path is spelled only when found: a body may nest thousands of levels
 * deep (the schema refuses it afterwards).
 */
function illFormedField(value: unknown): string | null {
  interface Node {
    item: unknown;
    parent: Node | null;
    key: string | number | null;
  }
  const spell = (node: Node): string => {
    const parts: string[] = [];
    for (let n: Node | null = node; n && n.key !== null; n = n.parent) parts.push(typeof n.key === 'number' ? `[${n.key}]` : n.parent?.key === null ? n.key : `.${n.key}`);
    return parts.reverse().join('');
  };
  const stack: Node[] = [{ item: value, parent: null, key: null }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const { item } = node;
    if (typeof item === 'string') {
      if (LONE_SURROGATE.test(item)) return spell(node);
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push({ item: item[i], parent: node, key: i });
    } else if (item !== null && typeof item === 'object') {
      const entries = Object.entries(item);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        const childNode = { item: child, parent: node, key };
        if (LONE_SURROGATE.test(key)) return spell(childNode);
        stack.push(childNode);
      }
    }
  }
  return null;
}

/**
 * A path parameter's validator: what a value must look like, and the kind of resource it names
 * (the 404 of a value that does not look right says "<entity> … does not exist").
 */
export interface PathParam {
  entity: string;
  schema: z.ZodType<string>;
}
export type PathParams = Readonly<Record<string, PathParam>>;

/** The admin API's path parameters: each is an id of one kind (shared/domain/schema.ts entityId). */
export const ID_PATH_PARAMS: PathParams = {
  memberId: { entity: 'member', schema: entityId('mbr') },
  planId: { entity: 'plan', schema: entityId('pln') },
  membershipId: { entity: 'membership', schema: entityId('ms') },
  invoiceId: { entity: 'invoice', schema: entityId('inv') },
  reasonId: { entity: 'refusal reason', schema: entityId('rsn') },
  noticeId: { entity: 'renewal notice', schema: entityId('ntc') },
};

/**
 * Query-string values are strings (API Gateway joins a repeated parameter with commas, so
 * `limit=5&limit=6` is `"5,6"`). `limit` is digits only: no `1e309`, `0x10`, `-1`, ` 5` or `5,6`.
 */
const LIMIT = 'must be a whole number from 1 to 100';
const pageQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, { message: LIMIT })
    .transform(Number)
    .pipe(z.number().min(1, { message: LIMIT }).max(100, { message: LIMIT }))
    .default(25),
  cursor: z.string().min(1).max(2048).optional(),
});

export function pageOf(event: ApiEvent, extra: Record<string, z.ZodType> = {}): PageRequest & Record<string, unknown> {
  return parseInput(pageQuery.extend(extra), event.queryStringParameters ?? {}, 'query string') as PageRequest & Record<string, unknown>;
}

/** `If-Match: "7"` → 7. A malformed header is refused rather than ignored. */
export function expectedVersion(event: ApiEvent): number | undefined {
  const header = event.headers['if-match'];
  if (header === undefined) return undefined;
  const m = /^(?:W\/)?"(\d{1,15})"$/.exec(header.trim());
  if (!m) throw new ValidationError('If-Match must be an ETag from a previous response, such as "3"', [{ field: 'If-Match', message: 'malformed' }]);
  return Number(m[1]);
}
