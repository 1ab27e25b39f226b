import { describe, expect, it } from 'vitest';
import { ApiError } from './http.js';
import { shouldRetry } from './query-client.js';

describe('query retries', () => {
  it('retries a server or network failure up to three times', () => {
    expect(shouldRetry(0, new ApiError(503, null))).toBe(true);
    expect(shouldRetry(2, new TypeError('Failed to fetch'))).toBe(true);
    expect(shouldRetry(3, new ApiError(500, null))).toBe(false);
  });
  it('never retries a refusal or "not signed in": the answer would only come later', () => {
    expect(shouldRetry(0, new ApiError(401, null))).toBe(false);
    expect(shouldRetry(0, new ApiError(404, null))).toBe(false);
    expect(shouldRetry(0, { message: false })).toBe(false);
  });
});
