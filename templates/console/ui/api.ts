import { currentToken, forgetToken } from './auth.js';

/**
 * Talking to the admin API ({ error: { code, message, details: [{ field?, message, rule? }] } }).
 * The console shows its own words for an error's code and field (R-CON-2); the API's message
 * stays available as a detail.
 */
export interface ErrorDetail {
  field?: string;
  message: string;
  rule?: string;
  /** Validation problems: required, invalid_type, too_small, too_big, invalid_format, invalid_value, unknown_field, invalid. */
  reason?: string;
  limit?: number;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];

  constructor(status: number, body: unknown) {
    const error = (body as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | null)?.error;
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = error?.code ?? (status === 0 ? 'network_error' : `http_${status}`);
    this.details = Array.isArray(error?.details) ? error.details : [];
  }

  /** The rule a refusal names (R-…), from the details or the message. */
  get rule(): string | undefined {
    return this.details.find((d) => d.rule)?.rule ?? /\bR-[A-Z]{3}-\d+\b/.exec(this.message)?.[0];
  }
}

/** Thrown after a 401 has sent the user back to the login screen; pages ignore it. */
export class SessionEnded extends Error {}

let onSessionEnded: () => void = () => undefined;

export function whenSessionEnds(callback: () => void): void {
  onSessionEnded = callback;
}

/** A page of a list, as every list route answers it (`pageView`). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Answer<T> {
  data: T;
  etag: string | null;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { error: { code: `http_${response.status}`, message: text.slice(0, 200), details: [] } };
  }
}

async function send<T>(method: string, path: string, body?: unknown, ifMatch?: string | null): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = currentToken();
  if (token && path.startsWith('/api/')) headers.authorization = `Bearer ${token}`;
  if (ifMatch) headers['if-match'] = ifMatch;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, null);
  }
  const data = await readJson(response);
  if (response.status === 401 && path.startsWith('/api/')) {
    forgetToken();
    onSessionEnded();
    throw new SessionEnded('session ended');
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return { data: data as T, etag: response.headers.get('etag') };
}

export const api = {
  get: <T>(path: string) => send<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => send<T>('POST', path, body),
  put: <T>(path: string, body: unknown, ifMatch?: string | null) => send<T>('PUT', path, body, ifMatch),
  patch: <T>(path: string, body: unknown, ifMatch?: string | null) => send<T>('PATCH', path, body, ifMatch),
};

/** apiPath('members', id) → '/api/members/<id>', each segment encoded; a query object is appended. */
export function apiPath(segments: (string | number)[], query?: Record<string, string | undefined | null>): string {
  const path = `/api/${segments.map((s) => encodeURIComponent(String(s))).join('/')}`;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== null && value !== '') search.set(key, value);
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/** Reads a resource, answering null instead of throwing when it does not exist. */
export async function getOrNull<T>(path: string): Promise<Answer<T> | null> {
  try {
    return await api.get<T>(path);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}
