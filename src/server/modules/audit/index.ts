export { recordAudit, recordAuditMany, recordUpdate, diffObjects, redactSecrets } from './audit.service.js';
export { listAuditForAccount, type AuditRow } from './audit.repository.js';
export { createOwnedRow, deleteOwnedRow, updateOwnedRow, type OwnedRowKind } from './owned-rows.js';
