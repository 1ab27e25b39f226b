import { useEffect, useState } from 'react';
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
import { useNavigate } from 'react-router-dom';
import { errorMessage } from '../shared/error-message.js';
import { templateApi, type Template } from '../bulk/bulk-api.js';

export function ChooseTemplateDialog({ onClose }: { onClose: () => void }) {
  const navigate = useNavigate();
  const [templates, setTemplates] = useState<Template[] | null>(null);
  const [chosen, setChosen] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    templateApi
      .list()
      .then((r) => {
        setTemplates(r.data);
        if (r.data.length === 1) setChosen(String(r.data[0].id));
      })
      .catch((e: unknown) => setError(errorMessage(e)));
  }, []);
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
