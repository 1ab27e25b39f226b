import { HttpError } from 'react-admin';
import { formFieldOf } from '../accounts/form-fields.js';

/** The shape of every error the API answers with. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: { field?: string; [k: string]: unknown } };
}

/**
 * An API error as react-admin expects it: `body.errors` maps the form field at fault to the
 * server's message, so create and edit forms show it at that field.
 */
export class ApiError extends HttpError {
  readonly code: string;
  readonly details: Record<string, unknown>;
  constructor(status: number, payload: ApiErrorBody | null) {
    const err = payload?.error;
    const message = err?.message ?? `Request failed (${status})`;
    const field = typeof err?.details?.field === 'string' ? formFieldOf(err.details.field) : null;
    super(message, status, {
      ...payload,
      errors: field ? { [field]: message, root: { serverError: message } } : undefined,
    });
    // HttpError pins its own prototype; restore ours so `instanceof ApiError` holds.
    Object.setPrototypeOf(this, new.target.prototype);
    this.code = err?.code ?? 'HTTP_' + status;
    this.details = err?.details ?? {};
  }
}

let csrfToken: string | null = null;

/** Set from the sign-in answer or GET /auth/me; sent back on every change (X-CSRF-Token). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

/** One call to /api/v1 with the session cookie; throws ApiError on any non-2xx answer. */
export async function api<T = unknown>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  opts: {
    query?: Query;
    body?: unknown;
    headers?: Record<string, string>;
    raw?: { body: Blob | string; type: string };
  } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.raw) headers['content-type'] = opts.raw.type;
  else if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(withQuery(`/api/v1${path}`, opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.raw ? opts.raw.body : opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch {
    throw new ApiError(0, {
      error: { code: 'NETWORK', message: 'The server cannot be reached. Check your connection.' },
    });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) throw new ApiError(res.status, json as ApiErrorBody | null);
  return json as T;
}

/** A POST that answers a file (CSV): the body as a Blob, or ApiError. */
export async function apiDownload(path: string, body: unknown): Promise<Blob> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(`/api/v1${path}`, {
    method: 'POST',
    headers,
    credentials: 'same-origin',
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    let json: unknown = null;
    try {
      json = await res.json();
    } catch {
      json = null;
    }
    throw new ApiError(res.status, json as ApiErrorBody | null);
  }
  return res.blob();
}

/** Hands a Blob to the browser as a download named `fileName`. */
export function saveBlob(blob: Blob, fileName: string): void {
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
