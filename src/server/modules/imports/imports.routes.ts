import { Readable } from 'node:stream';
import { uploadStream } from '../../platform/http/upload-body.js';
import { MANAGER_ROLES } from '../../platform/tenancy/index.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  CustomerImport,
  FieldsQuery,
  IdParams,
  ImportFields,
  ImportList,
  ImportPreview,
  ImportSettingsBody,
  IssuePage,
  ListImportsQuery,
  RunQuery,
  SampleParams,
  UploadQuery,
} from './imports.schemas.js';
import * as service from './imports.service.js';

const tags = ['customer imports'];
const CsvFile = { description: 'CSV file', content: { 'text/csv': { schema: Type.String() } } };

/**
 * CSV import of customers, resellers or SIP devices (the upload's `kind`): upload, mapping, dry
 * run, run in the background, progress and reports.
 */
export const importRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The upload body is handed over as a stream: it is parsed and stored chunk by chunk.
  app.addContentTypeParser(
    ['text/csv', 'text/plain', 'application/octet-stream', 'application/vnd.ms-excel'],
    (_req, payload, done) => done(null, payload),
  );
  const base = '/customer-imports';

  app.get(
    `${base}/fields`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'Importable columns, their header aliases (ASTPP included) and defaults',
        querystring: FieldsQuery,
        response: { 200: ImportFields },
      },
    },
    async (req) => service.listImportFields(req.query.kind),
  );

  app.get(
    `${base}/samples/:layout`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: "A sample file to fill in: ours (the export's columns) or ASTPP's layout",
        params: SampleParams,
        produces: ['text/csv'],
        response: { 200: CsvFile },
      },
    },
    async (req, reply) => {
      const { fileName, text } = service.getSampleCsv(req.params.layout);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .send(text);
    },
  );

  app.post(
    base,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'Upload a CSV file (body: text/csv, up to 1,000,000 rows); nothing is imported yet',
        querystring: UploadQuery,
        body: Type.Unknown({
          description: 'the CSV file (text/csv): UTF-8 (BOM allowed), RFC 4180, header row',
        }),
        consumes: ['text/csv'],
        response: { 201: CustomerImport },
      },
    },
    async (req, reply) =>
      reply.status(201).send(
        await service.uploadImport(req.ctx, req.query.fileName ?? 'import.csv', uploadStream(req.body), {
          kind: req.query.kind,
        }),
      ),
  );

  app.get(
    base,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'Imports, newest first',
        querystring: ListImportsQuery,
        response: { 200: ImportList },
      },
    },
    async (req) => service.listImports(req.ctx, req.query),
  );

  app.get(
    `${base}/:id`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'An import with its progress (poll this for the progress bar)',
        params: IdParams,
        response: { 200: CustomerImport },
      },
    },
    async (req) => service.getImport(req.ctx, req.params.id),
  );

  app.delete(
    `${base}/:id`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'Delete an import that is not running (file, report, reject list)',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await service.deleteImport(req.ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    `${base}/:id/dry-run`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary:
          'Validate every row in the background without writing (mapping, defaults and modes as for the run)',
        params: IdParams,
        body: Type.Optional(ImportSettingsBody),
        response: { 202: CustomerImport },
      },
    },
    async (req, reply) => reply.status(202).send(await service.startDryRun(req.ctx, req.params.id, req.body)),
  );

  app.get(
    `${base}/:id/preview`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'The first rows of the dry run, as they would be created or changed',
        params: IdParams,
        response: { 200: ImportPreview },
      },
    },
    async (req) => service.getPreview(req.ctx, req.params.id),
  );

  app.post(
    `${base}/:id/start`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'Run the import in the background (skipInvalid or atomic; onExisting error|skip|update)',
        params: IdParams,
        body: Type.Optional(ImportSettingsBody),
        response: { 202: CustomerImport },
      },
    },
    async (req, reply) => reply.status(202).send(await service.startImport(req.ctx, req.params.id, req.body)),
  );

  app.get(
    `${base}/:id/issues`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'Every error and warning by row and column (run=dry for the dry run)',
        params: IdParams,
        querystring: RunQuery,
        response: { 200: IssuePage },
      },
    },
    async (req) => service.listIssues(req.ctx, req.params.id, req.query),
  );

  app.get(
    `${base}/:id/issues.csv`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'The error report as CSV: row, column, severity, code, message',
        params: IdParams,
        querystring: Type.Object(
          { run: Type.Optional(Type.Union([Type.Literal('dry'), Type.Literal('real')])) },
          { additionalProperties: false },
        ),
        produces: ['text/csv'],
        response: { 200: CsvFile },
      },
    },
    async (req, reply) => {
      const { fileName, chunks } = await service.issuesCsv(req.ctx, req.params.id, req.query.run ?? 'real');
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(chunks) as unknown as string);
    },
  );

  app.get(
    `${base}/:id/rejected.csv`,
    {
      config: { roles: MANAGER_ROLES },
      schema: {
        tags,
        summary: 'The rejected rows with their original cells and an error column, to fix and upload again',
        params: IdParams,
        produces: ['text/csv'],
        response: { 200: CsvFile },
      },
    },
    async (req, reply) => {
      const { fileName, chunks } = await service.rejectedCsv(req.ctx, req.params.id);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(chunks) as unknown as string);
    },
  );
};
