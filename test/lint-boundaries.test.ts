import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/*
 * The module boundaries are held by the project's own ESLint config (eslint.config.js): these
 * fixtures, linted as if they were files of the repository, must be refused or accepted.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: ROOT });

const BOUNDARY_RULES = new Set([
  'no-restricted-imports',
  '@typescript-eslint/no-restricted-imports',
  'no-restricted-syntax',
]);

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result.messages.filter((m) => BOUNDARY_RULES.has(m.ruleId ?? '')).map((m) => m.message);
}

describe('lint holds the module boundaries', () => {
  it("refuses a reach into another module's files, accepts its index", async () => {
    const file = 'src/server/modules/trunks/trunks.routes.ts';
    expect(
      await restrictedImports(
        file,
        "import { findAccount } from '../accounts/accounts.repository.js';\nvoid findAccount;\n",
      ),
    ).toEqual([expect.stringContaining('only through its index.ts')]);
    expect(
      await restrictedImports(
        file,
        "import { accountRoutes } from '../accounts/index.js';\nvoid accountRoutes;\n",
      ),
    ).toEqual([]);
    expect(
      await restrictedImports(
        file,
        "import { sql } from 'kysely';\nimport { AppError } from '../../platform/errors.js';\nvoid sql;\nvoid AppError;\n",
      ),
    ).toEqual([]);
  });

  it('refuses platform importing a module', async () => {
    expect(
      await restrictedImports(
        'src/server/platform/money.ts',
        "import { accountRoutes } from '../modules/accounts/index.js';\nvoid accountRoutes;\n",
      ),
    ).toEqual([expect.stringContaining('platform/ is below the modules')]);
  });

  it('refuses the web app importing server internals', async () => {
    expect(
      await restrictedImports(
        'src/web/main.tsx',
        "import { accountRoutes } from '../server/modules/accounts/index.js';\nvoid accountRoutes;\n",
      ),
    ).toEqual([expect.stringContaining('never imports server internals')]);
  });

  it("accepts the API's wire types in the web app as types only", async () => {
    const file = 'src/web/connectivity/conn-api.ts';
    expect(
      await restrictedImports(
        file,
        "import type { TrunkDto } from '../../server/api-types.js';\nexport type T = TrunkDto;\n",
      ),
    ).toEqual([]);
    // A value import would pull server code into the bundle.
    expect(
      await restrictedImports(
        file,
        "import * as types from '../../server/api-types.js';\nconsole.log(types);\n",
      ),
    ).toEqual([expect.stringContaining('`import type` only')]);
    // Reaching the schemas themselves stays refused, type-only or not.
    expect(
      await restrictedImports(
        file,
        "import type { Trunk } from '../../server/modules/trunks/trunks.schemas.js';\nexport type T = typeof Trunk;\n",
      ),
    ).toEqual([expect.stringContaining('never imports server internals')]);
  });

  it('keeps api-types.ts free of values (nothing of the server reaches the bundle)', async () => {
    const file = 'src/server/api-types.ts';
    expect(
      await restrictedImports(
        file,
        "import type { Static } from 'typebox';\nimport type { Trunk } from './modules/trunks/trunks.schemas.js';\nexport type TrunkDto = Static<typeof Trunk>;\n",
      ),
    ).toEqual([]);
    expect(
      await restrictedImports(
        file,
        "import { Trunk } from './modules/trunks/trunks.schemas.js';\nexport const TrunkSchema = Trunk;\n",
      ),
    ).toEqual([expect.stringContaining('wire types only'), expect.stringContaining('wire types only')]);
  });
});
