import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/http/nullable.js';
import { PageQuery } from '../../platform/http/schemas.js';

const JobStatus = Type.Union([
  Type.Literal('queued'),
  Type.Literal('running'),
  Type.Literal('done'),
  Type.Literal('failed'),
]);
export const Job = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  status: JobStatus,
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  runAfter: Type.String({ format: 'date-time' }),
  schedule: Nullable(Type.String({ description: 'the schedule slot that enqueued it' })),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
});
export type JobDto = Static<typeof Job>;
export const JobList = Type.Object({ data: Type.Array(Job), nextCursor: Nullable(Type.String()) });
export const JobListQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(JobStatus),
    kind: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9._-]{0,63}$' })),
  },
  { additionalProperties: false },
);
export type JobListQueryInput = Static<typeof JobListQuery>;
