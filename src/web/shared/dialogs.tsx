import { useState, type ReactNode } from 'react';
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

/** A yes/no dialog; the confirm button names the action ("Deactivate"), never just "OK". */
export function ConfirmDialog(props: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog open onClose={props.busy ? undefined : props.onClose} aria-labelledby="confirm-title">
      <DialogTitle id="confirm-title">{props.title}</DialogTitle>
      <DialogContent>
        <DialogContentText component="div">{props.children}</DialogContentText>
        {props.error && (
          <Alert severity="error" sx={{ mt: 2 }}>
            {props.error}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose} disabled={props.busy}>
          Cancel
        </Button>
        <Button
          onClick={props.onConfirm}
          variant="contained"
          color={props.danger ? 'error' : 'primary'}
          disabled={props.busy}
          autoFocus
        >
          {props.confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** Asks for a new portal password twice; checks length and match before calling `onSubmit`. */
export function PasswordDialog(props: {
  title: string;
  description: ReactNode;
  busy?: boolean;
  serverError?: string | null;
  onSubmit: (password: string) => void;
  onClose: () => void;
}) {
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [touched, setTouched] = useState(false);
  const tooShort = password.length < 10;
  const mismatch = password !== again;
  const submit = () => {
    setTouched(true);
    if (!tooShort && !mismatch) props.onSubmit(password);
  };
  return (
    <Dialog open onClose={props.busy ? undefined : props.onClose} aria-labelledby="password-title">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <DialogTitle id="password-title">{props.title}</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>{props.description}</DialogContentText>
          <TextField
            label="New Password"
            type="password"
            autoComplete="new-password"
            fullWidth
            autoFocus
            margin="dense"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={touched && tooShort}
            helperText={touched && tooShort ? 'At least 10 characters.' : ' '}
          />
          <TextField
            label="Confirm Password"
            type="password"
            autoComplete="new-password"
            fullWidth
            margin="dense"
            value={again}
            onChange={(e) => setAgain(e.target.value)}
            error={touched && mismatch}
            helperText={touched && mismatch ? 'The two passwords differ.' : ' '}
          />
          {props.serverError && <Alert severity="error">{props.serverError}</Alert>}
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose} disabled={props.busy}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" disabled={props.busy}>
            Change Password
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
