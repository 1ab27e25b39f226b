import { useState } from 'react';
import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  MenuItem,
  TextField,
} from '@mui/material';
import LibraryAddIcon from '@mui/icons-material/LibraryAdd';
import { useGetList } from 'react-admin';
import { useNavigate } from 'react-router-dom';
import { errorMessage } from '../shared/error-message.js';
import type { Template } from '../bulk/bulk-api.js';

export function ChooseTemplateDialog({ onClose }: { onClose: () => void }) {
  const navigate = useNavigate();
  // Every template (the endpoint answers the whole list) through the one data provider.
  const list = useGetList<Template>(
    'customer-templates',
    { pagination: { page: 1, perPage: 500 }, sort: { field: 'id', order: 'ASC' } },
    { retry: false },
  );
  const templates = list.data ?? null;
  const error = list.error ? errorMessage(list.error) : null;
  const [picked, setChosen] = useState('');
  // A single template is chosen from the start.
  const chosen = picked || (templates?.length === 1 ? String(templates[0].id) : '');
  return (
    <Dialog open onClose={onClose} aria-labelledby="choose-template-title" fullWidth maxWidth="xs">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (chosen) void navigate(`/customers/create?template=${chosen}`);
        }}
      >
        <DialogTitle id="choose-template-title">Create by template</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>
            The create form opens prefilled with the template&apos;s values; every value can still be changed.
          </DialogContentText>
          {error && <Alert severity="error">{error}</Alert>}
          {templates && templates.length === 0 && (
            <Alert severity="info">
              No templates yet. Use “Save as Template” in a customer&apos;s row menu.
            </Alert>
          )}
          {templates && templates.length > 0 && (
            <TextField
              select
              fullWidth
              autoFocus
              label="Template"
              value={chosen}
              onChange={(e) => setChosen(e.target.value)}
            >
              {templates.map((t) => (
                <MenuItem key={t.id} value={String(t.id)}>
                  {t.name}
                  {t.description ? ` — ${t.description}` : ''}
                </MenuItem>
              ))}
            </TextField>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={!chosen}>
            Continue
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/** "Create New By Template" on the customer list: choose a template, then the prefilled create form. */
export function CreateByTemplateButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="small" startIcon={<LibraryAddIcon />} onClick={() => setOpen(true)}>
        Create by Template
      </Button>
      {open && <ChooseTemplateDialog onClose={() => setOpen(false)} />}
    </>
  );
}
