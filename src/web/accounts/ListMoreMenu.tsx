import { useState } from 'react';
import { Button, ListItemIcon, ListItemText, Menu, MenuItem } from '@mui/material';
import MoreVertIcon from '@mui/icons-material/MoreVert';
import LibraryAddIcon from '@mui/icons-material/LibraryAdd';
import GroupAddIcon from '@mui/icons-material/GroupAdd';
import HubIcon from '@mui/icons-material/Hub';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import DownloadIcon from '@mui/icons-material/Download';
import { Link } from 'react-router-dom';
import { useListContext, useStore } from 'react-admin';
import { ChooseTemplateDialog } from '../templates/CreateByTemplateButton.js';
import DialerSipIcon from '@mui/icons-material/DialerSip';
import { exportColumns, exportUrl, sipDeviceExportUrl } from '../bulk/bulk-api.js';
import { columnsFor } from './columns.js';

const COLUMNS = columnsFor('customers');
const HIDDEN_BY_DEFAULT = COLUMNS.filter((c) => c.hiddenByDefault).map((c) => c.source);

/**
 * The customer list's less frequent actions in one "More" menu, so the toolbar stays one row beside
 * the filters at 1440 px: create by template, create a provider, mass create, import (customers,
 * SIP devices), export (customers, their SIP devices).
 */
export function ListMoreMenu({ canCreate }: { canCreate: boolean }) {
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [choosing, setChoosing] = useState(false);
  const { filterValues } = useListContext();
  const [hidden] = useStore<string[]>('customers.datatable', HIDDEN_BY_DEFAULT);
  const visible = COLUMNS.map((c) => c.source).filter((s) => !hidden.includes(s));
  const close = () => setAnchor(null);
  return (
    <>
      <Button
        size="small"
        startIcon={<MoreVertIcon />}
        aria-haspopup="menu"
        aria-expanded={anchor ? 'true' : undefined}
        aria-controls={anchor ? 'list-more-menu' : undefined}
        onClick={(e) => setAnchor(e.currentTarget)}
      >
        More
      </Button>
      <Menu id="list-more-menu" anchorEl={anchor} open={Boolean(anchor)} onClose={close}>
        {canCreate && [
          <MenuItem
            key="template"
            onClick={() => {
              close();
              setChoosing(true);
            }}
          >
            <ListItemIcon>
              <LibraryAddIcon fontSize="small" />
            </ListItemIcon>
            <ListItemText>Create by Template</ListItemText>
          </MenuItem>,
          <MenuItem key="provider" component={Link} to="/providers/create" onClick={close}>
            <ListItemIcon>
              <HubIcon fontSize="small" />
            </ListItemIcon>
            <ListItemText>Create Provider</ListItemText>
          </MenuItem>,
          <MenuItem key="mass" component={Link} to="/mass-create-customers" onClick={close}>
            <ListItemIcon>
              <GroupAddIcon fontSize="small" />
            </ListItemIcon>
            <ListItemText>Mass Create</ListItemText>
          </MenuItem>,
          <MenuItem key="import" component={Link} to="/import-customers" onClick={close}>
            <ListItemIcon>
              <UploadFileIcon fontSize="small" />
            </ListItemIcon>
            <ListItemText>Import Customers</ListItemText>
          </MenuItem>,
          <MenuItem key="import-sip" component={Link} to="/import-sip-devices" onClick={close}>
            <ListItemIcon>
              <DialerSipIcon fontSize="small" />
            </ListItemIcon>
            <ListItemText>Import SIP Devices</ListItemText>
          </MenuItem>,
        ]}
        <MenuItem
          component="a"
          href={exportUrl(filterValues as Record<string, unknown>, exportColumns(visible))}
          download
          onClick={close}
        >
          <ListItemIcon>
            <DownloadIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText>Export</ListItemText>
        </MenuItem>
        <MenuItem
          component="a"
          href={sipDeviceExportUrl(filterValues as Record<string, unknown>)}
          download
          onClick={close}
        >
          <ListItemIcon>
            <DownloadIcon fontSize="small" />
          </ListItemIcon>
          <ListItemText>Export SIP Devices</ListItemText>
        </MenuItem>
      </Menu>
      {choosing && <ChooseTemplateDialog onClose={() => setChoosing(false)} />}
    </>
  );
}
