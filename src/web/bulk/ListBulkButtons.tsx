import { Button } from '@mui/material';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import GroupAddIcon from '@mui/icons-material/GroupAdd';
import { Link } from 'react-router-dom';

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
