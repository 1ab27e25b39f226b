import { Button } from '@mui/material';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import GroupAddIcon from '@mui/icons-material/GroupAdd';
import DownloadIcon from '@mui/icons-material/Download';
import { Link } from 'react-router-dom';
import { useListContext } from 'react-admin';
import { resellerExportUrl } from './bulk-api.js';

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

/** The reseller list's migration file: export (the filtered resellers, parents first) and import. */
export function ResellerMigrationButtons({ canCreate }: { canCreate: boolean }) {
  const { filterValues } = useListContext();
  return (
    <>
      {canCreate && (
        <Button size="small" component={Link} to="/import-resellers" startIcon={<UploadFileIcon />}>
          Import Resellers
        </Button>
      )}
      <Button
        size="small"
        component="a"
        href={resellerExportUrl(filterValues as Record<string, unknown>)}
        download
        startIcon={<DownloadIcon />}
      >
        Export Resellers
      </Button>
    </>
  );
}
