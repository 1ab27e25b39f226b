import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/*
 * The module boundaries are held by the project's own ESLint config (eslint.config.js): these
 * fixtures, linted as if they were files of the repository, must be refused or accepted.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: ROOT });

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
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
});
