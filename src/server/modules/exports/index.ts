export { exportRoutes } from './exports.routes.js';
export { exportCustomersCsv, exportResellersCsv, exportSipDevicesCsv } from './exports.service.js';
export {
  SIP_DEVICE_EXPORT_COLUMNS,
  SIP_DEVICE_EXPORT_COLUMN_NAMES,
  SIP_DEVICE_IMPORT_ONLY_COLUMNS,
  sipDeviceColumnForHeader,
  sipDeviceCsvColumn,
} from './sip-device-csv-columns.js';
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
