/** The text to show for a failed call: the API's message (ApiError), or a generic one. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : 'Something went wrong.';
}
