export { exportRoutes } from './exports.routes.js';
export { exportCustomersCsv } from './exports.service.js';
export {
  CUSTOMER_EXPORT_COLUMNS,
  CUSTOMER_EXPORT_COLUMN_NAMES,
  CUSTOMER_IMPORT_ONLY_COLUMNS,
  columnForHeader,
  customerCsvColumn,
  normalizeHeader,
  type CsvValueType,
  type CustomerCsvColumn,
} from './customer-csv-columns.js';
