import { useState } from 'react';
import {
  Alert,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  FormControlLabel,
  MenuItem,
  TextField,
} from '@mui/material';
import { formatMoney } from '../format/format.js';
import { ConfirmDialog } from '../shared/dialogs.js';
import { errorMessage } from '../shared/error-message.js';
import { useAccountOps } from '../accounts/use-account-ops.js';
import type { ActionDialogProps } from '../accounts/row-actions.js';
import type { BulkDialogProps } from '../accounts/bulk-actions.js';
import { SINGULAR } from '../accounts/types.js';
import { ledgerApi, newIdempotencyKey, type LedgerEntry } from './ledger-api.js';

const AMOUNT = /^(0|[1-9][0-9]{0,13})(\.[0-9]{1,6})?$/;
const METHODS = [
  { id: 'cash', name: 'Cash' },
  { id: 'bank_transfer', name: 'Bank transfer' },
  { id: 'card', name: 'Card' },
  { id: 'online', name: 'Online' },
  { id: 'other', name: 'Other' },
];

/**
 * Refill or post a charge: amount and reason (method and reference for a refill), then a
 * confirmation that names the amount. The Idempotency-Key is made once when the dialog opens, so
 * a double click or a retry after a lost answer posts once.
 */
function PostingDialog({
  record,
  resource,
  onClose,
  kind,
}: ActionDialogProps & { kind: 'refill' | 'charge' }) {
  const { notify, refresh } = useAccountOps();
  const [key] = useState(newIdempotencyKey);
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [method, setMethod] = useState('cash');
  const [externalRef, setExternalRef] = useState('');
  const [allowNegative, setAllowNegative] = useState(false);
  const [touched, setTouched] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const amountBad = !AMOUNT.test(amount.trim()) || Number(amount) <= 0;
  const reasonBad = reason.trim() === '';
  const verb = kind === 'refill' ? 'Refill' : 'Post Charge';
  const money = formatMoney(amount.trim() || '0', record.currency);

  const post = async () => {
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, string> = { amount: amount.trim(), reason: reason.trim() };
      if (externalRef.trim()) body.externalRef = externalRef.trim();
      const entry =
        kind === 'refill'
          ? await ledgerApi.refill(resource, record.id, key, { ...body, method })
          : await ledgerApi.charge(
              resource,
              record.id,
              key,
              allowNegative ? { ...body, allowNegative } : body,
            );
      notify(
        `${kind === 'refill' ? 'Refilled' : 'Charged'} ${record.name} ${money}; balance ${formatMoney(entry.balanceAfter, entry.currency)}`,
        { type: 'success' },
      );
      refresh();
      onClose();
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  if (confirming)
    return (
      <ConfirmDialog
        title={kind === 'refill' ? `Refill ${record.name} with ${money}?` : `Charge ${record.name} ${money}?`}
        confirmLabel={kind === 'refill' ? `Refill ${money}` : `Charge ${money}`}
        danger={kind === 'charge'}
        busy={busy}
        error={error}
        onClose={busy ? () => undefined : () => setConfirming(false)}
        onConfirm={() => void post()}
      >
        Account {record.accountNumber}, balance now {formatMoney(record.balance, record.currency)}. Reason:{' '}
        {reason.trim()}
        {kind === 'refill' ? `. Method: ${METHODS.find((m) => m.id === method)?.name ?? method}` : ''}
        {externalRef.trim() ? `. Reference: ${externalRef.trim()}` : ''}.
        {allowNegative ? ' The balance may go below the available funds.' : ''}
      </ConfirmDialog>
    );

  return (
    <Dialog open onClose={onClose} aria-labelledby="posting-title" fullWidth maxWidth="xs">
      <form
        // Our own messages under each field (the asterisks say what is required), not the browser's.
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setTouched(true);
          if (!amountBad && !reasonBad) setConfirming(true);
        }}
      >
        <DialogTitle id="posting-title">
          {kind === 'refill' ? `Refill ${record.name}` : `Post a charge to ${record.name}`}
        </DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 1 }}>
            Balance {formatMoney(record.balance, record.currency)}, in {record.currency}.
          </DialogContentText>
          <TextField
            label={`Amount (${record.currency})`}
            required
            autoFocus
            fullWidth
            margin="dense"
            inputMode="decimal"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            error={touched && amountBad}
            helperText={touched && amountBad ? 'A positive amount, e.g. 25.00' : ' '}
          />
          <TextField
            label="Reason"
            required
            fullWidth
            margin="dense"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            error={touched && reasonBad}
            helperText={touched && reasonBad ? 'Say why; it is shown in the history.' : ' '}
            slotProps={{ htmlInput: { maxLength: 500 } }}
          />
          {kind === 'refill' && (
            <TextField
              select
              label="Method"
              fullWidth
              margin="dense"
              value={method}
              onChange={(e) => setMethod(e.target.value)}
              helperText=" "
            >
              {METHODS.map((m) => (
                <MenuItem key={m.id} value={m.id}>
                  {m.name}
                </MenuItem>
              ))}
            </TextField>
          )}
          <TextField
            label="Reference"
            fullWidth
            margin="dense"
            value={externalRef}
            onChange={(e) => setExternalRef(e.target.value)}
            helperText="Bank transaction, receipt or ticket number (optional)"
            slotProps={{ htmlInput: { maxLength: 100 } }}
          />
          {kind === 'charge' && (
            <FormControlLabel
              control={
                <Checkbox checked={allowNegative} onChange={(e) => setAllowNegative(e.target.checked)} />
              }
              label="Allow beyond the available funds (the balance may go negative)"
            />
          )}
          {error && <Alert severity="error">{error}</Alert>}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="contained">
            {verb}…
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

export const RefillDialog = (p: ActionDialogProps) => <PostingDialog {...p} kind="refill" />;
export const ChargeDialog = (p: ActionDialogProps) => <PostingDialog {...p} kind="charge" />;

/** Reset balance: an entry that brings the balance to zero, after a confirmation quoting it. */
export function ResetBalanceDialog({ record, resource, onClose }: ActionDialogProps) {
  const { notify, refresh } = useAccountOps();
  const [key] = useState(newIdempotencyKey);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <ConfirmDialog
      title={`Reset the balance of ${record.name}?`}
      confirmLabel="Reset Balance"
      danger
      busy={busy}
      error={error}
      onClose={onClose}
      onConfirm={async () => {
        setBusy(true);
        try {
          await ledgerApi.reset(resource, record.id, key);
          notify(`Balance of ${record.name} reset to ${formatMoney('0', record.currency)}`, {
            type: 'success',
          });
          refresh();
          onClose();
        } catch (e) {
          setError(errorMessage(e));
          setBusy(false);
        }
      }}
    >
      The balance of {formatMoney(record.balance, record.currency)} is brought to zero by a "Balance reset"
      entry in the history (nothing is overwritten).
    </ConfirmDialog>
  );
}

/** Bulk reset: one request keyed once per opening; one result per account. */
export function BulkResetBalanceDialog({ ids, resource, onDone, onClose }: BulkDialogProps) {
  const { notify, refresh } = useAccountOps();
  const [key] = useState(newIdempotencyKey);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const one = SINGULAR[resource].toLowerCase();
  const label = ids.length === 1 ? `1 ${one}` : `${ids.length} ${one}s`;
  return (
    <ConfirmDialog
      title={`Reset the balance of ${label}?`}
      confirmLabel="Reset Balances"
      danger
      busy={busy}
      error={error}
      onClose={onClose}
      onConfirm={async () => {
        setBusy(true);
        try {
          const r = await ledgerApi.bulkReset(resource, ids.map(Number), key);
          const failed = r.results.filter((x) => !x.ok);
          if (failed.length === 0)
            notify(`Reset the balance of ${r.succeeded} ${one}(s)`, { type: 'success' });
          else
            notify(
              `Reset ${r.succeeded} of ${r.results.length}. Not done: ` +
                failed.map((f) => `#${f.id} ${f.error?.message ?? ''}`).join('; '),
              { type: 'warning', autoHideDuration: 10_000 },
            );
          refresh();
          onDone();
        } catch (e) {
          setError(errorMessage(e));
          setBusy(false);
        }
      }}
    >
      Each balance is brought to zero by a "Balance reset" entry in its history.
    </ConfirmDialog>
  );
}

/**
 * Reverse one entry of the charge history: a REVERSAL entry of the opposite amount, with a reason
 * (an entry is reversed at most once; the history is never edited).
 */
export function ReverseEntryDialog({
  record,
  resource,
  entry,
  onClose,
}: ActionDialogProps & { entry: LedgerEntry }) {
  const { notify, refresh } = useAccountOps();
  const [key] = useState(newIdempotencyKey);
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const amount = formatMoney(entry.amount, entry.currency);
  return (
    <Dialog open onClose={busy ? undefined : onClose} aria-labelledby="reverse-title" fullWidth maxWidth="xs">
      <DialogTitle id="reverse-title">Reverse {amount}?</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 1 }}>
          “{entry.reason}” posts a reversal of the opposite amount to {record.name}. The entry itself stays in
          the history.
        </DialogContentText>
        <TextField
          label="Reason"
          required
          autoFocus
          fullWidth
          margin="dense"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          error={touched && reason.trim() === ''}
          helperText={touched && reason.trim() === '' ? 'Say why; it is shown in the history.' : ' '}
          slotProps={{ htmlInput: { maxLength: 500 } }}
        />
        {error && (
          <Alert severity="error" role="alert">
            {error}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button
          variant="contained"
          color="warning"
          disabled={busy}
          onClick={() => {
            setTouched(true);
            if (reason.trim() === '') return;
            setBusy(true);
            setError(null);
            ledgerApi
              .reverse(resource, record.id, entry.id, key, reason.trim())
              .then((r) => {
                notify(`Reversed ${amount}; balance ${formatMoney(r.balanceAfter, r.currency)}`, {
                  type: 'success',
                });
                refresh();
                onClose();
              })
              .catch((e: unknown) => {
                setError(errorMessage(e));
                setBusy(false);
              });
          }}
        >
          Reverse
        </Button>
      </DialogActions>
    </Dialog>
  );
}
