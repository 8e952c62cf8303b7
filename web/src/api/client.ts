import createClient from 'openapi-fetch';
import type { components, paths } from './schema.d.ts';

export type Schemas = components['schemas'];
export type ErrorBody = Schemas['Error'];

/** An API call that failed, with the API's error code, message and details. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, body: Partial<ErrorBody> | undefined) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code ?? 'http_error';
    this.details = body?.details;
  }
}

const unauthorizedListeners = new Set<() => void>();

/** Called whenever the API answers 401: the session ended (signed out elsewhere, expired). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/**
 * The console's only way to the API: openapi-fetch typed by the paths generated from the
 * server's OpenAPI document (npm run gen:api). The session cookie goes along (same origin).
 */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });

api.use({
  onResponse({ response, request }) {
    if (response.status === 401 && !request.url.endsWith('/auth/login')) {
      for (const listener of unauthorizedListeners) listener();
    }
    return undefined;
  },
});

/** The data of a successful call, or an ApiError. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || error !== undefined) throw new ApiError(response.status, error as Partial<ErrorBody> | undefined);
  return data as T;
}
