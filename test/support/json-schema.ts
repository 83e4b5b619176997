/**
 * A small validator for the subset of JSON Schema (draft 2020-12) the domain event schemas use
 * (shared/events/schemas). Any keyword outside the subset is an error, so a schema cannot use
 * one this validator would silently ignore. Answers the list of problems (empty: valid).
 */
type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$defs']);
const KEYWORDS = new Set(['type', 'const', 'enum', 'properties', 'required', 'additionalProperties', 'pattern', 'minLength', 'maxLength', 'minimum', 'anyOf', '$ref']);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(actual: string, wanted: string): boolean {
  return actual === wanted || (wanted === 'number' && actual === 'integer');
}

export function validate(schema: Schema, value: unknown): string[] {
  const root = schema;
  const problems: string[] = [];
  const check = (s: Schema, v: unknown, path: string): void => {
    for (const key of Object.keys(s)) {
      if (!KEYWORDS.has(key) && !ANNOTATIONS.has(key)) throw new Error(`${path}: the schema uses "${key}", outside the validator's subset`);
    }
    if (typeof s.$ref === 'string') {
      const match = /^#\/\$defs\/([A-Za-z0-9_]+)$/.exec(s.$ref);
      const target = match ? ((root.$defs as Record<string, Schema> | undefined)?.[match[1]!]) : undefined;
      if (!target) throw new Error(`${path}: unresolvable $ref ${s.$ref}`);
      check(target, v, path);
    }
    if (s.type !== undefined) {
      const wanted = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      if (!wanted.some((t) => typeMatches(typeOf(v), t))) {
        problems.push(`${path}: is ${typeOf(v)}, expected ${wanted.join(' or ')}`);
        return;
      }
    }
    if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(v)) problems.push(`${path}: must be ${JSON.stringify(s.const)}`);
    if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) problems.push(`${path}: ${JSON.stringify(v)} is not one of ${JSON.stringify(s.enum)}`);
    if (typeof v === 'string') {
      if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) problems.push(`${path}: "${v}" does not match ${s.pattern}`);
      if (typeof s.minLength === 'number' && [...v].length < s.minLength) problems.push(`${path}: shorter than ${s.minLength}`);
      if (typeof s.maxLength === 'number' && [...v].length > s.maxLength) problems.push(`${path}: longer than ${s.maxLength}`);
    }
    if (typeof v === 'number' && typeof s.minimum === 'number' && v < s.minimum) problems.push(`${path}: below ${s.minimum}`);
    if (Array.isArray(s.anyOf)) {
      const before = problems.length;
      const ok = (s.anyOf as Schema[]).some((branch) => {
        const sub: string[] = [];
        const saved = problems.splice(before);
        check(branch, v, path);
        sub.push(...problems.splice(before));
        problems.push(...saved);
        return sub.length === 0;
      });
      if (!ok) problems.push(`${path}: matches none of anyOf`);
    }
    if (typeOf(v) === 'object') {
      const obj = v as Record<string, unknown>;
      const props = (s.properties ?? {}) as Record<string, Schema>;
      for (const name of (s.required ?? []) as string[]) if (!(name in obj)) problems.push(`${path}.${name}: is required`);
      for (const [name, item] of Object.entries(obj)) {
        if (props[name]) check(props[name], item, `${path}.${name}`);
        else if (s.additionalProperties === false) problems.push(`${path}.${name}: is not allowed`);
      }
    }
  };
  check(schema, value, '$');
  return problems;
}
