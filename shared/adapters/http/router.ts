/**
 * A small method + path router for API Gateway HTTP API events. Path templates use `{name}`
 * segments; a path that matches with another method answers 405.
 */
export interface RouteMatch<H> {
  handler: H;
  params: Record<string, string>;
}

interface Route<H> {
  method: string;
  segments: string[];
  handler: H;
}

export class Router<H> {
  private readonly routes: Route<H>[] = [];

  add(method: string, template: string, handler: H): this {
    this.routes.push({ method, segments: template.split('/').filter(Boolean), handler });
    return this;
  }

  match(method: string, path: string): RouteMatch<H> | 'method_not_allowed' | null {
    const parts = path.split('/').filter(Boolean);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.method === method) return { handler: route.handler, params };
    }
    return pathMatched ? 'method_not_allowed' : null;
  }
}

function matchSegments(template: string[], parts: string[]): Record<string, string> | null {
  if (template.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i]!;
    const p = parts[i]!;
    if (t.startsWith('{') && t.endsWith('}')) {
      let value: string;
      try {
        value = decodeURIComponent(p);
      } catch {
        return null;
      }
      params[t.slice(1, -1)] = value;
    } else if (t !== p) {
      return null;
    }
  }
  return params;
}
