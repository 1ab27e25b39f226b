import { Type, type Static } from 'typebox';

import { Nullable } from '../../platform/http/nullable.js';

export const ImportKindSchema = Type.Union(
  [Type.Literal('customers'), Type.Literal('resellers'), Type.Literal('sip-devices')],
  {
    description:
      'what the file creates: customers (default); resellers (the same columns, parents before children: ' +
      'the importer orders the file); sip-devices (devices of existing customers, by account number)',
  },
);

export const UploadQuery = Type.Object(
  {
    fileName: Type.Optional(Type.String({ maxLength: 200, description: 'shown in the import list' })),
    kind: Type.Optional(ImportKindSchema),
  },
  { additionalProperties: false },
);

export const ImportSettingsBody = Type.Object(
  {
    columns: Type.Optional(
      Type.Array(Nullable(Type.String({ maxLength: 64 })), {
        maxItems: 500,
        description:
          'the column each header fills, by header position (null = ignore); default: the automatic mapping',
      }),
    ),
    defaults: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 500 }), {
        description:
          'batch defaults by column name, as cell text (e.g. {"currency": "EUR"}); a non-empty cell wins',
      }),
    ),
    mode: Type.Optional(
      Type.Union([Type.Literal('skipInvalid'), Type.Literal('atomic')], {
        description: 'skipInvalid (default): import every valid row; atomic: all rows or none',
      }),
    ),
    onExisting: Type.Optional(
      Type.Union([Type.Literal('error'), Type.Literal('skip'), Type.Literal('update')], {
        description: 'a row whose account number exists: reject it (default), skip it, or update the account',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ImportSettingsBody = Static<typeof ImportSettingsBody>;

const Settings = Type.Object({
  kind: ImportKindSchema,
  columns: Type.Array(Nullable(Type.String())),
  defaults: Type.Record(Type.String(), Type.String()),
  mode: Type.String(),
  onExisting: Type.String(),
});

const Counters = Type.Object({
  rowsTotal: Type.Integer(),
  rowsDone: Type.Integer(),
  percent: Type.Integer({ minimum: 0, maximum: 100 }),
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  skipped: Type.Integer(),
  rejected: Type.Integer(),
  warnings: Type.Integer(),
});

export const CustomerImport = Type.Object({
  id: Type.Integer(),
  kind: ImportKindSchema,
  resellerId: Nullable(Type.Integer()),
  fileName: Type.String(),
  fileSha256: Type.String(),
  fileBytes: Type.Integer(),
  headers: Type.Array(Type.String()),
  hashedColumns: Type.Array(Type.Integer(), {
    description:
      'header positions holding passwords, hashed (argon2id) at upload; only these may map to password',
  }),
  autoColumns: Type.Array(Nullable(Type.String()), {
    description: 'the automatic mapping, by header position',
  }),
  unmappedHeaders: Type.Array(Type.String()),
  rowCount: Type.Integer(),
  status: Type.Union([
    Type.Literal('uploading'),
    Type.Literal('uploaded'),
    Type.Literal('validating'),
    Type.Literal('validated'),
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('done'),
    Type.Literal('failed'),
  ]),
  phase: Nullable(Type.String({ description: 'atomic runs: validate, then write' })),
  resuming: Type.Boolean({
    description:
      'The job was interrupted (a server stopped or died mid-run) and is being resumed where it left off',
  }),
  settings: Settings,
  progress: Counters,
  dryRun: Nullable(
    Type.Intersect([
      Counters,
      Type.Object({ status: Type.Union([Type.Literal('running'), Type.Literal('done')]) }),
    ]),
  ),
  failure: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
  sameFileAsImportId: Nullable(
    Type.Integer({
      description: 'an earlier import of the very same file (rows that exist are reported, never duplicated)',
    }),
  ),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Nullable(Type.String({ format: 'date-time' })),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
});
export type CustomerImportDto = Static<typeof CustomerImport>;

export const ImportList = Type.Object({
  data: Type.Array(CustomerImport),
  nextBeforeId: Nullable(Type.Integer()),
});

export const ListImportsQuery = Type.Object(
  {
    beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
);

export const RunQuery = Type.Object(
  {
    run: Type.Optional(
      Type.Union([Type.Literal('dry'), Type.Literal('real')], {
        description: 'the dry run or the run (default)',
      }),
    ),
    afterId: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);

export const ImportIssue = Type.Object({
  id: Type.Integer(),
  rowNumber: Type.Integer({ description: 'the record in the file, the header being row 1' }),
  column: Nullable(Type.String()),
  severity: Type.Union([Type.Literal('error'), Type.Literal('warning')]),
  code: Type.String(),
  message: Type.String(),
});
export const IssuePage = Type.Object({
  data: Type.Array(ImportIssue),
  nextAfterId: Nullable(Type.Integer()),
});

export const ImportPreview = Type.Object({
  rows: Type.Array(
    Type.Object({
      rowNumber: Type.Integer(),
      action: Type.Union([
        Type.Literal('create'),
        Type.Literal('update'),
        Type.Literal('unchanged'),
        Type.Literal('skip'),
      ]),
      values: Type.Record(Type.String(), Type.Unknown(), {
        description:
          'create: the account as it would be created (no password); update: the fields that would change',
      }),
    }),
  ),
});

export const ImportFields = Type.Object({
  data: Type.Array(
    Type.Object({
      name: Type.String(),
      type: Type.String(),
      aliases: Type.Array(Type.String()),
      defaultable: Type.Boolean(),
      ignored: Type.Boolean({ description: 'export-only information, never imported' }),
    }),
  ),
  layouts: Type.Array(
    Type.Object({
      id: Type.Union([Type.Literal('tollgate'), Type.Literal('astpp')]),
      label: Type.String(),
      fileName: Type.String(),
      headers: Type.Array(Type.String()),
      needsDefaults: Type.Array(Type.String(), {
        description: 'required columns this layout lacks: give them as batch defaults',
      }),
    }),
    { description: 'the layouts a sample file is offered in (GET .../samples/{layout})' },
  ),
});

export const SampleParams = Type.Object({
  layout: Type.Union([Type.Literal('tollgate'), Type.Literal('astpp')]),
});

export const FieldsQuery = Type.Object(
  { kind: Type.Optional(ImportKindSchema) },
  { additionalProperties: false },
);

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
