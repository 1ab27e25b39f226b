import { useState, type ReactNode } from 'react';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  MenuItem,
  TextField,
} from '@mui/material';
import { ApiError } from '../api/http.js';
import { errorMessage } from './error-message.js';

/*
 * The add/edit dialog of a small object (a trunk, a DID, a template...): fields described as data,
 * the whole form sent on add, only what changed on edit, the server's error shown at the field it
 * names.
 */

export type FieldKind = 'text' | 'integer' | 'decimal' | 'select' | 'boolean' | 'list' | 'secret';

export interface FieldSpec {
  name: string;
  label: string;
  kind?: FieldKind;
  choices?: { id: string; name: string }[];
  /** Blank means null (e.g. "no limit"); otherwise blank is left out of the body. */
  nullable?: boolean;
  required?: boolean;
  help?: string;
  /** Only on the add form, or only on the edit form. */
  only?: 'create' | 'edit';
  width?: number;
}

type FormValues = Record<string, string | boolean>;

function toFormValue(spec: FieldSpec, v: unknown): string | boolean {
  if (spec.kind === 'boolean') return v === true;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}

function toApiValue(spec: FieldSpec, v: string | boolean): unknown {
  if (spec.kind === 'boolean') return v === true;
  const s = String(v).trim();
  if (spec.kind === 'list') return s === '' ? [] : s.split(/\s*,\s*/).filter(Boolean);
  if (s === '') return spec.nullable ? null : undefined;
  if (spec.kind === 'integer') return /^-?\d+$/.test(s) ? Number(s) : s;
  return s;
}

/** The add/edit dialog: sends the whole form on add, only what changed on edit. */
export function EntityDialog(props: {
  title: string;
  fields: FieldSpec[];
  initial?: Record<string, unknown>;
  submitLabel: string;
  onSubmit: (body: Record<string, unknown>) => Promise<void>;
  onClose: () => void;
  intro?: ReactNode;
  /** Starting values of an add form (everything is sent, as for any add). */
  defaults?: Record<string, unknown>;
}) {
  const mode = props.initial ? 'edit' : 'create';
  const fields = props.fields.filter((f) => !f.only || f.only === mode);
  const start: FormValues = Object.fromEntries(
    fields.map((f) => [f.name, toFormValue(f, (props.initial ?? props.defaults)?.[f.name])]),
  );
  const [values, setValues] = useState<FormValues>(start);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | null>(null);

  async function submit() {
    const body: Record<string, unknown> = {};
    for (const f of fields) {
      if (mode === 'edit' && values[f.name] === start[f.name]) continue;
      const v = toApiValue(f, values[f.name]);
      if (v !== undefined) body[f.name] = v;
    }
    if (mode === 'edit' && Object.keys(body).length === 0) return props.onClose();
    setBusy(true);
    setError(null);
    setFieldError(null);
    try {
      await props.onSubmit(body);
    } catch (e) {
      const field = e instanceof ApiError ? e.details.field : undefined;
      if (typeof field === 'string' && fields.some((f) => f.name === field))
        setFieldError({ field, message: (e as Error).message });
      else setError(errorMessage(e));
      setBusy(false);
    }
  }

  return (
    <Dialog
      open
      onClose={busy ? undefined : props.onClose}
      aria-labelledby="entity-title"
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id="entity-title">{props.title}</DialogTitle>
      <DialogContent>
        {props.intro}
        <Box
          component="form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
          sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, pt: 1 }}
        >
          {fields.map((f) => {
            const err = fieldError?.field === f.name ? fieldError.message : undefined;
            if (f.kind === 'boolean')
              return (
                <FormControlLabel
                  key={f.name}
                  label={f.label}
                  control={
                    <Checkbox
                      checked={values[f.name] === true}
                      onChange={(e) => setValues({ ...values, [f.name]: e.target.checked })}
                    />
                  }
                />
              );
            return (
              <TextField
                key={f.name}
                label={f.label}
                name={f.name}
                size="small"
                select={f.kind === 'select'}
                type={f.kind === 'secret' ? 'password' : 'text'}
                required={f.required}
                value={values[f.name]}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
                error={!!err}
                helperText={err ?? f.help ?? (f.nullable ? 'Blank = no limit' : undefined)}
                sx={{ width: f.width ?? 250 }}
                slotProps={{ htmlInput: { 'aria-label': f.label } }}
              >
                {f.choices?.map((c) => (
                  <MenuItem key={c.id} value={c.id}>
                    {c.name}
                  </MenuItem>
                ))}
              </TextField>
            );
          })}
          <button type="submit" hidden />
        </Box>
        {error && (
          <Alert severity="error" sx={{ mt: 2 }} role="alert">
            {error}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose} disabled={busy}>
          Cancel
        </Button>
        <Button variant="contained" onClick={() => void submit()} disabled={busy}>
          {props.submitLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
