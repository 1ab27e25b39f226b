import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

/*
 * Module boundaries (STYLE.md 16, issue 11), held here rather than by habit:
 * - a module is reached only through its index.ts (`../<module>/index.js`);
 * - platform/ never imports a module;
 * - the web app never imports server code, except the two pure data files it shares with it, and
 *   the wire types of src/server/api-types.ts, with `import type` only (erased from the bundle).
 */
export const MODULE_REACH = {
  // `../<module>/<anything but index.js>` from a module's file.
  regex: '^\\.\\./(?!\\.\\.)[^/]+/(?!index\\.js$).+',
  message: "Reach another module only through its index.ts ('../<module>/index.js').",
};
export const PLATFORM_TO_MODULES = {
  regex: '(^|/)modules/',
  message: 'platform/ is below the modules: it never imports one (pass what it needs in, e.g. a hook).',
};
export const WEB_TO_SERVER = {
  regex:
    '(^|/)server/(?!platform/reference-data\\.js$|modules/templates/template-fields\\.js$|api-types\\.js$)',
  message: 'The web app never imports server internals (wire types come from server/api-types.ts).',
};
/** The API's wire types reach the web app as types only: a value import would bundle server code. */
export const WEB_API_TYPES = {
  regex: '(^|/)server/api-types\\.js$',
  allowTypeImports: true,
  message: "Import the API's wire types with `import type` only.",
};
export const API_TYPES_ONLY = 'api-types.ts holds wire types only: `import type` and `export type`.';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'e2e/screenshots/**', 'scratch/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['src/server/modules/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [MODULE_REACH] }],
    },
  },
  {
    files: ['src/server/platform/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [PLATFORM_TO_MODULES] }] },
  },
  {
    // The web app's one way into the server: types in, types out, so nothing of it is bundled.
    files: ['src/server/api-types.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportDeclaration[importKind!="type"]', message: API_TYPES_ONLY },
        { selector: 'ExportNamedDeclaration[exportKind!="type"]', message: API_TYPES_ONLY },
        { selector: 'ExportAllDeclaration, ExportDefaultDeclaration', message: API_TYPES_ONLY },
      ],
    },
  },
  {
    files: ['src/web/**/*.ts', 'src/web/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'no-restricted-imports': ['error', { patterns: [WEB_TO_SERVER] }],
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [WEB_API_TYPES] }],
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
);
