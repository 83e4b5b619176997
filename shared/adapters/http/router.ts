import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { ID_PATH_PARAMS, type PathParams } from './request.js';

export interface RouteMatch<H> {
  handler: H;
  params: Record<string, string>;
}

interface Route<H> {
  method: string;
  template: string;
  segments: string[];
  handler: H;
}

const PARAM = /^\{([A-Za-z][A-Za-z0-9]*)\}$/;
/** How much of a refused parameter an error message repeats. */
const SHOWN = 64;

/**
 * A small method + path router for API Gateway HTTP API events. Path templates use `{name}`
 * segments; a path that matches with another method answers 405.
 *
 * Every `{name}` must have a validator (by default ID_PATH_PARAMS, the admin API's ids), or
 * `add` throws, so a new route cannot forget one. `match` hands a handler only parameters that
 * passed their validator; before that:
 * - a parameter whose percent-encoding is malformed (`%`, `%zz`, `%E0%A4`) is a malformed
 *   request: ValidationError, 400;
 * - a well-encoded parameter that is not the id shape (a 3 KB string, `..`, another kind's id)
 *   cannot name a resource, so it is answered like an id that names none: NotFoundError, 404
 *   `not_found`. One answer for "no such member" whatever the reason, and no use case or table
 *   key ever sees the value.
 */
export class Router<H> {
  private readonly routes: Route<H>[] = [];

  constructor(private readonly params: PathParams = ID_PATH_PARAMS) {}

  add(method: string, template: string, handler: H): this {
    const segments = template.split('/').filter(Boolean);
    const names = new Set<string>();
    for (const segment of segments) {
      if (!segment.includes('{') && !segment.includes('}')) continue;
      const name = PARAM.exec(segment)?.[1];
      if (name === undefined) throw new Error(`route ${method} ${template}: malformed segment ${segment}`);
      if (!Object.hasOwn(this.params, name)) throw new Error(`route ${method} ${template}: no validator for path parameter {${name}}`);
      if (names.has(name)) throw new Error(`route ${method} ${template}: {${name}} appears twice`);
      names.add(name);
    }
    this.routes.push({ method, template, segments, handler });
    return this;
  }

  /** The routes as added, e.g. for a fuzzer or a route listing. */
  list(): { method: string; template: string }[] {
    return this.routes.map(({ method, template }) => ({ method, template }));
  }

  /**
   * The handler and validated parameters of the first route with this method and path shape;
   * `method_not_allowed` when only other methods have the shape; null when none has it.
   * Throws ValidationError (400) or NotFoundError (404) for a parameter, as described above.
   */
  match(method: string, path: string): RouteMatch<H> | 'method_not_allowed' | null {
    const parts = path.split('/').filter(Boolean);
    let pathMatched = false;
    for (const route of this.routes) {
      if (!sameShape(route.segments, parts)) continue;
      pathMatched = true;
      if (route.method === method) return { handler: route.handler, params: this.paramsOf(route.segments, parts) };
    }
    return pathMatched ? 'method_not_allowed' : null;
  }

  private paramsOf(template: string[], parts: string[]): Record<string, string> {
    const params: Record<string, string> = {};
    for (let i = 0; i < template.length; i++) {
      const name = PARAM.exec(template[i]!)?.[1];
      if (name === undefined) continue;
      let value: string;
      try {
        value = decodeURIComponent(parts[i]!);
      } catch {
        throw new ValidationError(`the path parameter ${name} is not valid percent-encoding`, [{ field: name, message: 'malformed percent-encoding' }]);
      }
      const param = this.params[name]!;
      if (!param.schema.safeParse(value).success) throw new NotFoundError(param.entity, shown(value));
      params[name] = value;
    }
    return params;
  }
}

function sameShape(template: string[], parts: string[]): boolean {
  return template.length === parts.length && template.every((t, i) => PARAM.test(t) || t === parts[i]);
}

function shown(value: string): string {
  const chars = Array.from(value);
  return chars.length > SHOWN ? `${chars.slice(0, SHOWN).join('')}…` : value;
}
