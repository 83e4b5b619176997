import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, keyAttrsOf } from '../../shared/adapters/dynamodb/cursor.js';
import { INDEX } from '../../shared/adapters/dynamodb/entities/keys.js';
import { ValidationError } from '../../shared/domain/errors.js';

const member = 'mbr_01JAAAAAAAAAAAAAAAAAAAAAAA';
const key = { pk: `ORG#club#MBR#${member}`, sk: 'MEMBER', gsi1pk: 'ORG#club#MEMBERS', gsi1sk: member };
const members = { partitionAttr: 'gsi1pk', partition: 'ORG#club#MEMBERS', keyAttrs: keyAttrsOf(INDEX.byParent) };
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64url');
const withKey = (changes: Record<string, unknown>) => encodeCursor({ ...key, ...changes })!;

function refusal(cursor: string): unknown {
  try {
    decodeCursor(cursor, members);
  } catch (error) {
    return error;
  }
  return 'accepted';
}

describe('page cursors', () => {
  it('a nextCursor decodes to the LastEvaluatedKey it was made from', () => {
    expect(decodeCursor(encodeCursor(key)!, members)).toEqual(key);
    expect(decodeCursor(undefined, members)).toBeUndefined();
    expect(encodeCursor(undefined)).toBeNull();
  });

  it.each([
    ['not base64url', '!!!!'],
    ['padded', `${encodeCursor(key)}=`],
    ['standard base64 alphabet', Buffer.from(JSON.stringify({ ...key, sk: '\u00ff\u00fe>?' })).toString('base64')],
    ['non-canonical trailing bits', `${encodeCursor(key)!.slice(0, -1)}${encodeCursor(key)!.endsWith('Q') ? 'R' : 'Q'}`],
    ['over 2048 characters', 'A'.repeat(2052)],
    ['not UTF-8', b64(Buffer.from([0xff, 0xfe, 0x7b, 0x7d]))],
    ['not JSON', b64('{"pk":')],
    ['JSON null', b64('null')],
    ['a JSON array', b64(JSON.stringify(Object.values(key)))],
    ['a missing attribute', encodeCursor({ pk: key.pk, sk: key.sk, gsi1pk: key.gsi1pk })!],
    ['an extra attribute', withKey({ entity: 'member' })],
    ['a __proto__ attribute', b64(`{"__proto__":"x",${JSON.stringify(key).slice(1)}`)],
    ['a number', withKey({ sk: 1 })],
    ['a DynamoDB-typed value', withKey({ sk: { S: 'MEMBER' } })],
    ['an empty string', withKey({ sk: '' })],
    ['a value over 1024 bytes', withKey({ gsi1sk: 'é'.repeat(513) })],
    ['a lone surrogate', withKey({ sk: '\ud800' })],
    ['another list', withKey({ gsi1pk: `ORG#club#MBR#${member}#MS` })],
    ['another tenant', withKey({ gsi1pk: 'ORG#other#MEMBERS' })],
    ['an item of another tenant', withKey({ pk: `ORG#other#MBR#${member}` })],
    ['two items patched together', withKey({ pk: 'ORG#club#MBR#mbr_01JBBBBBBBBBBBBBBBBBBBBBBB' })],
  ])('refuses a cursor with %s as 400 naming cursor', (_, cursor) => {
    const error = refusal(cursor);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details).toEqual([{ field: 'cursor', message: 'use the nextCursor of the previous page' }]);
  });

  it('accepts a 1024-byte value and a sort key that does not end with an id', () => {
    expect(refusal(withKey({ sk: 'é'.repeat(512) }))).toBe('accepted');
    const invoices = { partitionAttr: 'gsi2pk', partition: 'ORG#club#INV#STATUS#open', keyAttrs: keyAttrsOf(INDEX.byStatus) };
    const inv = 'inv_3ZZZZZZZZZZZZZZZZZZZZZZZZZ';
    const invoiceKey = { pk: `ORG#club#INV#${inv}`, sk: 'INVOICE', gsi2pk: invoices.partition, gsi2sk: `2027-02-01#${inv}` };
    expect(decodeCursor(encodeCursor(invoiceKey)!, invoices)).toEqual(invoiceKey);
    const dated = { ...invoiceKey, gsi2sk: '2027-02-01' };
    expect(decodeCursor(encodeCursor(dated)!, invoices)).toEqual(dated);
  });

  it('knows the key attributes of the table and of every index', () => {
    expect(keyAttrsOf(undefined)).toEqual(['pk', 'sk']);
    for (const index of Object.values(INDEX)) expect(keyAttrsOf(index)).toEqual(['pk', 'sk', `${index}pk`, `${index}sk`]);
    expect(() => keyAttrsOf('gsi9')).toThrow(/gsi9/);
  });
});
