import { useState } from 'react';
import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  TextField,
} from '@mui/material';
import { useNotify } from 'react-admin';
import { errorMessage } from '../shared/error-message.js';
import type { ActionDialogProps } from '../accounts/row-actions.js';
import { templateApi } from '../bulk/bulk-api.js';

/** "Save as template": asks for a name (and a description) and saves the customer's settings. */
export function SaveAsTemplateDialog({ record, onClose }: ActionDialogProps) {
  const notify = useNotify();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const missing = name.trim() === '';
  const submit = () => {
    setTouched(true);
    if (missing) return;
    setBusy(true);
    setError(null);
    templateApi
      .saveAs(record.id, name.trim(), description.trim() || undefined)
      .then((t) => {
        notify(`Template ${t.name} saved`, { type: 'success' });
        onClose();
      })
      .catch((e: unknown) => {
        setError(errorMessage(e));
        setBusy(false);
      });
  };
  return (
    <Dialog open onClose={busy ? undefined : onClose} aria-labelledby="save-template-title" fullWidth>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <DialogTitle id="save-template-title">Save {record.name} as a template</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>
            The template copies the settings of this customer (type, country, timezone, billing, limits,
            portal permissions). Never its name, account number, emails, credentials, PIN or balance.
          </DialogContentText>
          <TextField
            label="Template Name"
            fullWidth
            autoFocus
            required
            margin="dense"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={touched && missing}
            helperText={touched && missing ? 'Required.' : ' '}
            slotProps={{ htmlInput: { maxLength: 100 } }}
          />
          <TextField
            label="Description"
            fullWidth
            margin="dense"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            slotProps={{ htmlInput: { maxLength: 500 } }}
          />
          {error && (
            <Alert severity="error" sx={{ mt: 1 }}>
              {error}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" disabled={busy}>
            Save as template
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
