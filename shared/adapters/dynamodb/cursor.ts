import { ValidationError } from '../../domain/errors.js';
import { ID_PATTERN } from '../../domain/ids.js';
import { INDEX } from './entities/keys.js';

/**
 * Page cursors: the opaque, base64url-encoded JSON of a Query's LastEvaluatedKey. A cursor comes
 * back from the client, so it is decoded strictly before it becomes an ExclusiveStartKey:
 * DynamoDB answers a key with missing, extra or mistyped attributes, or an oversized value, with
 * an error that would otherwise surface as a 500.
 */
export interface CursorExpectation {
  /** The attribute of the Query's key condition, e.g. `gsi1pk`. */
  partitionAttr: string;
  /** The partition queried: a cursor from another list (or tenant) is refused. */
  partition: string;
  /** Exactly the attributes of a LastEvaluatedKey of that Query (keyAttrsOf). */
  keyAttrs: readonly string[];
  /** The prefix the Query's sort key begins with, if it has one: a cursor of another list of the partition is refused. */
  sortPrefix?: string;
}

/** The longest cursor accepted (the HTTP layer allows no more either). */
export const MAX_CURSOR_LENGTH = 2048;
/** DynamoDB's limit for a sort-key value, applied to every key value of a cursor. */
const MAX_VALUE_BYTES = 1024;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const LONE_SURROGATE = /\p{Cs}/u;
/** Every partition key starts with its organisation (entities/keys.ts). */
const TENANT = /^ORG#[^#]+#/;

const INDEXES: ReadonlySet<string> = new Set(Object.values(INDEX));

/**
 * The attributes of a LastEvaluatedKey: the table's key, plus the index's key for an index
 * Query. Each index of INDEX (entities/keys.ts) is named `gsiN` and keyed on `gsiNpk`/`gsiNsk`.
 */
export function keyAttrsOf(index: string | undefined): readonly string[] {
  if (index === undefined) return ['pk', 'sk'];
  if (!INDEXES.has(index)) throw new Error(`no key attributes known for index ${index}`);
  return ['pk', 'sk', `${index}pk`, `${index}sk`];
}

export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;
}

/**
 * The ExclusiveStartKey a cursor stands for, or ValidationError (400, field `cursor`) unless:
 * the cursor is canonical base64url of at most MAX_CURSOR_LENGTH characters; it holds a JSON
 * object whose keys are exactly `keyAttrs`; every value is a non-empty, well-formed string of at
 * most 1024 UTF-8 bytes; the partition attribute is the partition queried; every partition-key
 * value belongs to the same organisation; and, where the index sort key ends with an id, that
 * item id is one of the `#`-segments of the table key (one item, not a patchwork of two).
 */
export function decodeCursor(cursor: string | undefined, expected: CursorExpectation): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const key = parseCursor(cursor, expected);
  if (!key) {
    throw new ValidationError('cursor is not valid for this list', [{ field: 'cursor', message: 'use the nextCursor of the previous page' }]);
  }
  return key;
}

function parseCursor(cursor: unknown, expected: CursorExpectation): Record<string, string> | null {
  if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) return null;
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.toString('base64url') !== cursor) return null;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const key = value as Record<string, unknown>;
  const attrs = Object.keys(key);
  if (attrs.length !== expected.keyAttrs.length || !expected.keyAttrs.every((a) => Object.hasOwn(key, a))) return null;
  for (const attr of attrs) {
    const v = key[attr];
    if (typeof v !== 'string' || v.length === 0 || LONE_SURROGATE.test(v) || Buffer.byteLength(v, 'utf8') > MAX_VALUE_BYTES) return null;
  }
  const strings = key as Record<string, string>;
  if (strings[expected.partitionAttr] !== expected.partition) return null;
  if (expected.sortPrefix !== undefined && !strings.sk!.startsWith(expected.sortPrefix)) return null;
  return consistent(strings, expected) ? strings : null;
}

function consistent(key: Record<string, string>, expected: CursorExpectation): boolean {
  const tenant = TENANT.exec(expected.partition)?.[0];
  if (tenant !== undefined) {
    for (const attr of expected.keyAttrs) if (attr.endsWith('pk') && !key[attr]!.startsWith(tenant)) return false;
  }
  const sortAttr = expected.partitionAttr === 'pk' ? undefined : expected.partitionAttr.replace(/pk$/, 'sk');
  const itemId = sortAttr === undefined ? undefined : key[sortAttr]?.split('#').at(-1);
  if (itemId !== undefined && ID_PATTERN.test(itemId)) {
    const tableSegments = [...(key.pk?.split('#') ?? []), ...(key.sk?.split('#') ?? [])];
    if (!tableSegments.includes(itemId)) return false;
  }
  return true;
}
