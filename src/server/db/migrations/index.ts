import type { Migration } from 'kysely';
import * as m20261124_1300 from './2026_11_24_1300_create_accounts.js';
import * as m20261124_1400 from './2026_11_24_1400_user_preferences.js';
import * as m20261124_1410 from './2026_11_24_1410_create_ledger.js';

/** Every migration, by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '2026_11_24_1300_create_accounts': m20261124_1300,
  '2026_11_24_1400_user_preferences': m20261124_1400,
  '2026_11_24_1410_create_ledger': m20261124_1410,
};
