/*
 * A list's filter comes from the URL, so it may hold anything (an old bookmark, a typo). Each value
 * the API would refuse is dropped here instead of showing a schema message: the list shows what
 * the rest of the filter selects, and the URL loses the bad part.
 */

const text = (max: number) => (v: unknown) => typeof v === 'string' && v.length <= max;
const oneOf =
  (...values: string[]) =>
  (v: unknown) =>
    typeof v === 'string' && values.includes(v);
const positiveId = (v: unknown) =>
  (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1) ||
  (typeof v === 'string' && /^[1-9][0-9]{0,15}$/.test(v) && Number.isSafeInteger(Number(v)));
const instant = (v: unknown) =>
  typeof v === 'string' &&
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) &&
  !Number.isNaN(Date.parse(v));

const VALID: Record<string, (v: unknown) => boolean> = {
  q: text(100),
  status: oneOf('active', 'inactive'),
  mode: oneOf('prepaid', 'postpaid'),
  role: oneOf('customer', 'provider', 'any'),
  resellerId: (v) => v === 'none' || positiveId(v),
  company: text(100),
  name: text(100),
  accountNumber: (v) => typeof v === 'string' && /^[0-9]{1,20}$/.test(v),
  rateGroupId: positiveId,
  createdFrom: instant,
  createdTo: instant,
  lowBalance: (v) => v === true || v === false || v === 'true' || v === 'false',
};

/** The account list filter without the values the API would refuse (and without unknown keys). */
export function cleanAccountFilter(filter: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(filter ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    if (VALID[k]?.(v)) out[k] = v;
  }
  return out;
}

/** Whether cleaning changed the filter (so the URL should be rewritten). */
export function hasBadFilter(filter: Record<string, unknown> | undefined): boolean {
  const clean = cleanAccountFilter(filter);
  return Object.keys(filter ?? {}).some(
    (k) => !(k in clean) && filter![k] !== undefined && filter![k] !== null && filter![k] !== '',
  );
}
