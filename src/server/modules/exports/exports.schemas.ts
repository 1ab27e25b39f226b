import { Type, type Static } from 'typebox';
import { ListAccountsQuery } from '../accounts/index.js';
import { CUSTOMER_EXPORT_COLUMN_NAMES } from './customer-csv-columns.js';

const {
  limit: _limit,
  cursor: _cursor,
  sort: _sort,
  order: _order,
  ...filters
} = ListAccountsQuery.properties;

/** The filters of GET /customers, plus the columns to write. */
export const ExportCustomersQuery = Type.Object(
  {
    ...filters,
    includePins: Type.Optional(
      Type.Boolean({
        description:
          'Admins only: add the `pin` column (the file name says "with_PINs" and the export is audited). ' +
          'PINs are never in any other export.',
      }),
    ),
    columns: Type.Optional(
      Type.String({
        maxLength: 2000,
        description:
          'Comma-separated column names, written in the order given; default all, in this order: ' +
          CUSTOMER_EXPORT_COLUMN_NAMES.join(', '),
      }),
    ),
  },
  { additionalProperties: false },
);
export type ExportCustomersQuery = Static<typeof ExportCustomersQuery>;

/** The customer filters of GET /customers: the devices of the customers they select. */
export const ExportSipDevicesQuery = Type.Object({ ...filters }, { additionalProperties: false });
export type ExportSipDevicesQuery = Static<typeof ExportSipDevicesQuery>;

export const CsvBody = Type.String({ description: 'CSV (RFC 4180, UTF-8, header row, CRLF)' });
