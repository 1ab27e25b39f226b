import type { Migration } from 'kysely';
import * as m20261124_1300 from './2026_11_24_1300_create_accounts.js';
import * as m20261124_1420 from './2026_11_24_1420_create_connectivity.js';
import * as m20261124_1421 from './2026_11_24_1421_create_rating.js';

/** Every migration, by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '2026_11_24_1300_create_accounts': m20261124_1300,
  '2026_11_24_1420_create_connectivity': m20261124_1420,
  '2026_11_24_1421_create_rating': m20261124_1421,
};
