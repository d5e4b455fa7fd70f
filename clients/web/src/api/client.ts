// The one way this app talks to the API: openapi-fetch over the types generated from openapi/openapi.json.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
export type Role = Schemas['Role'];

let token: string | null = null;
let onUnauthorised: () => void = () => {};

/** The bearer token lives only in memory: a reload or a new tab signs in again. */
export function setToken(value: string | null): void {
  token = value;
}
export function whenUnauthorised(handler: () => void): void {
  onUnauthorised = handler;
}

const auth: Middleware = {
  onRequest({ request }) {
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    // An expired or revoked token: back to the sign-in page.
    if (response.status === 401 && token) onUnauthorised();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: '' });
api.use(auth);

/** An API error carrying its RFC 9457 problem document. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title);
  }
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful call; throws ApiError otherwise (TanStack Query shows it). */
export function unwrap<T>(result: Result<T>): T {
  if (result.error !== undefined || result.data === undefined) {
    throw toApiError(result.error, result.response);
  }
  return result.data;
}

/** For calls answered 204 No Content (nothing to unwrap): throws ApiError unless the call succeeded. */
export function ensureOk(result: Result<unknown>): void {
  if (!result.response.ok) throw toApiError(result.error, result.response);
}

/**
 * The error of a refused call as a problem document. A gateway's answer is none (an empty 503; an HTML 502, which
 * openapi-fetch passes on as a string), and over HTTP/2 statusText is always "": the user is still told something.
 */
export function toApiError(error: unknown, response: Response): ApiError {
  const status = response.status;
  const body = (typeof error === 'object' && error !== null ? error : {}) as Partial<Problem>;
  const fallback = [502, 503, 504].includes(status)
    ? 'The service is unavailable at the moment. Try again shortly.'
    : response.statusText || `Request failed (${status})`;
  return new ApiError(status, {
    type: typeof body.type === 'string' ? body.type : 'about:blank',
    title: (typeof body.title === 'string' && body.title) || fallback,
    status,
    detail: typeof body.detail === 'string' ? body.detail : null,
    errors: Array.isArray(body.errors) ? body.errors : [],
  } as Problem);
}

/** The ETag of a resource, sent back as If-Match so a concurrent edit is refused (412), not lost. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/** The If-Match header of a write made from this record as read; none before there is a record. */
export function ifMatch(record: { version: number } | null | undefined): { 'If-Match'?: string } {
  return record ? { 'If-Match': etagOf(record.version) } : {};
}

/** Endpoints that can also answer CSV are typed as JSON or text; the app always asks for JSON. */
export function json<T extends object>(value: T | string): T {
  if (typeof value === 'string') throw new Error('Expected JSON');
  return value;
}
