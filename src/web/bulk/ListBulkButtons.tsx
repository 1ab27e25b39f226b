import { Button } from '@mui/material';
import DownloadIcon from '@mui/icons-material/Download';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import GroupAddIcon from '@mui/icons-material/GroupAdd';
import { Link } from 'react-router-dom';
import { useListContext, useStore } from 'react-admin';
import { columnsFor } from '../accounts/columns.js';
import { exportColumns, exportUrl } from './bulk-api.js';

/** Export: the CSV of the current filters and the visible columns (the server streams it). */
const COLUMNS = columnsFor('customers');
const HIDDEN_BY_DEFAULT = COLUMNS.filter((c) => c.hiddenByDefault).map((c) => c.source);

export function ExportCsvButton() {
  const { filterValues } = useListContext();
  const [hidden] = useStore<string[]>('customers.datatable', HIDDEN_BY_DEFAULT);
  const visible = COLUMNS.map((c) => c.source).filter((s) => !hidden.includes(s));
  return (
    <Button
      size="small"
      component="a"
      href={exportUrl(filterValues as Record<string, unknown>, exportColumns(visible))}
      download
      startIcon={<DownloadIcon />}
    >
      Export
    </Button>
  );
}

export function ImportButton() {
  return (
    <Button size="small" component={Link} to="/import-customers" startIcon={<UploadFileIcon />}>
      Import Customers
    </Button>
  );
}

export function MassCreateButton() {
  return (
    <Button size="small" component={Link} to="/mass-create-customers" startIcon={<GroupAddIcon />}>
      Mass Create
    </Button>
  );
}
