/**
 * Stripe's request encoding: `application/x-www-form-urlencoded` with bracket notation
 * (`metadata[orgId]=x`, `expand[0]=latest_charge`, `expand[]=…`, `created[gte]=…`), read into a
 * tree, plus the readers that validate a parameter and refuse it the way Stripe does.
 */

import { invalidParam, StripeApiError } from './errors.js';
import type { Metadata } from './types.js';

/** A form value: a string, or a nested map (arrays are maps with numeric keys). */
export type FormValue = string | FormMap;
export interface FormMap {
  [key: string]: FormValue;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw new StripeApiError(400, { type: 'invalid_request_error', message: `Invalid URL encoding: ${part.slice(0, 40)}` });
  }
}

/** Parses a form body or a query string into a tree. */
export function parseForm(text: string): FormMap {
  const root: FormMap = {};
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    if (!match || match[1] === undefined) throw new StripeApiError(400, { type: 'invalid_request_error', message: `Invalid parameter name: ${key}` });
    const path = [match[1], ...[...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? '')];
    let node = root;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i] === '' ? String(Object.keys(node).length) : (path[i] as string);
      if (i === path.length - 1) {
        if (typeof node[segment] === 'object') throw invalidParam(path.slice(0, i + 1).join('.'), `Invalid hash: ${key}`);
        node[segment] = value;
      } else {
        const next = node[segment];
        if (typeof next === 'string') {
          // `metadata=` (empty, i.e. "unset") followed by `metadata[k]=v`: the hash wins.
          if (next !== '') throw invalidParam(path[0] as string, `Invalid hash: ${key}`);
        }
        if (typeof next !== 'object') node[segment] = {};
        node = node[segment] as FormMap;
      }
    }
  }
  return root;
}

/** A stable text for a parameter tree: the same for the same parameters in any order. */
export function canonicalParams(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalParams(value[k] as FormValue)}`)
    .join(',')}}`;
}

/** Typed access to one request's parameters, refusing as Stripe does. */
export class Params {
  constructor(readonly map: FormMap) {}

  /** Stripe refuses parameters an endpoint does not know: `Received unknown parameter: x`. */
  allowOnly(names: readonly string[]): void {
    for (const key of Object.keys(this.map)) {
      if (key !== 'expand' && !names.includes(key)) throw invalidParam(key, `Received unknown parameter: ${key}`);
    }
  }

  has(name: string): boolean {
    return this.map[name] !== undefined;
  }

  string(name: string): string | undefined {
    const v = this.map[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw invalidParam(name, `Invalid string: ${name} must be a string, not a hash.`);
    return v;
  }

  /** A non-empty string, or undefined when absent or empty (Stripe reads `x=` as "unset"). */
  optional(name: string): string | undefined {
    const v = this.string(name);
    return v === '' ? undefined : v;
  }

  required(name: string): string {
    const v = this.optional(name);
    if (v === undefined) throw invalidParam(name, `Missing required param: ${name}.`, 'parameter_missing');
    return v;
  }

  integer(name: string): number | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw invalidParam(name, `Invalid integer: ${v}`);
    return Number(v);
  }

  boolean(name: string): boolean | undefined {
    return readBoolean(this.map, name, name);
  }

  /** A nested hash such as `automatic_payment_methods` or `invoice_settings`. */
  hash(name: string): Params | undefined {
    const v = this.map[name];
    if (v === undefined || v === '') return undefined;
    if (typeof v === 'string') throw invalidParam(name, `Invalid hash: ${name}`);
    return new Params(v);
  }

  /** An array given as `name[0]=…` or `name[]=…` (or a single value). */
  list(name: string): string[] | undefined {
    const v = this.map[name];
    if (v === undefined) return undefined;
    if (typeof v === 'string') return v === '' ? [] : [v];
    return Object.keys(v)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => {
        const item = v[k];
        if (typeof item !== 'string') throw invalidParam(`${name}[${k}]`, `Invalid array: ${name}`);
        return item;
      });
  }

  /** `metadata`: up to 50 keys of at most 40 characters, values of at most 500. */
  metadata(name = 'metadata'): Metadata | undefined {
    const v = this.map[name];
    if (v === undefined) return undefined;
    if (typeof v === 'string') {
      if (v === '') return {};
      throw invalidParam(name, `Invalid hash: ${name}`);
    }
    const out: Metadata = {};
    for (const [k, value] of Object.entries(v)) {
      if (typeof value !== 'string') throw invalidParam(`${name}[${k}]`, 'Metadata values must be strings.');
      if (k.length > 40) throw invalidParam(`${name}[${k}]`, `Metadata keys can have up to 40 characters, but you passed in a key that is ${k.length} characters.`);
      if (value.length > 500)
        throw invalidParam(`${name}[${k}]`, `Metadata values can have up to 500 characters, but you passed in a value that is ${value.length} characters.`);
      out[k] = value;
    }
    if (Object.keys(out).length > 50) throw invalidParam(name, 'Metadata can have up to 50 keys.');
    return out;
  }

  /** `limit`, 1…100, default 10. */
  limit(): number {
    const limit = this.integer('limit') ?? 10;
    if (limit < 1 || limit > 100) throw invalidParam('limit', 'This value must be greater than or equal to 1 and less than or equal to 100.');
    return limit;
  }

  /** `created` as an exact value or a range (`created[gte]` …), as a predicate on unix seconds. */
  createdFilter(): (created: number) => boolean {
    const v = this.map.created;
    if (v === undefined) return () => true;
    if (typeof v === 'string') {
      const exact = this.integer('created');
      return (c) => exact === undefined || c === exact;
    }
    const range = new Params(v);
    range.allowOnlyRange();
    const gt = range.integer('gt');
    const gte = range.integer('gte');
    const lt = range.integer('lt');
    const lte = range.integer('lte');
    return (c) => (gt === undefined || c > gt) && (gte === undefined || c >= gte) && (lt === undefined || c < lt) && (lte === undefined || c <= lte);
  }

  private allowOnlyRange(): void {
    for (const key of Object.keys(this.map)) {
      if (!['gt', 'gte', 'lt', 'lte'].includes(key)) throw invalidParam(`created[${key}]`, `Received unknown parameter: created[${key}]`);
    }
  }

  /** The `expand` paths. */
  expand(): string[] {
    return this.list('expand') ?? [];
  }
}

function readBoolean(map: FormMap, name: string, param: string): boolean | undefined {
  const v = map[name];
  if (v === undefined || v === '') return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalidParam(param, `Invalid boolean: ${typeof v === 'string' ? v : 'hash'}`);
}
