import { useState, type ComponentType } from 'react';
import { Button as MuiButton } from '@mui/material';
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import BlockIcon from '@mui/icons-material/Block';
import KeyIcon from '@mui/icons-material/Key';
import DeleteIcon from '@mui/icons-material/Delete';
import RestartAltIcon from '@mui/icons-material/RestartAlt';
import { useListContext, usePermissions, useResourceContext, type Identifier } from 'react-admin';
import type { BulkResult } from '../api/data-provider.js';
import { ConfirmDialog, PasswordDialog } from '../shared/dialogs.js';
import { BulkResetBalanceDialog } from '../ledger/LedgerDialogs.js';
import { errorMessage } from '../shared/error-message.js';
import { useAccountOps } from './use-account-ops.js';
import { SINGULAR, type AccountResource } from './types.js';

export interface BulkDialogProps {
  ids: Identifier[];
  resource: AccountResource;
  onDone: () => void;
  onClose: () => void;
}

/**
 * One button of the bulk toolbar (shown when rows are selected). Later capabilities (reset balance)
 * add an entry; anything that destroys or disables confirms first, in its Dialog.
 */
export interface BulkAction {
  key: string;
  label: string;
  icon: ComponentType;
  roles: string[];
  Dialog: ComponentType<BulkDialogProps>;
  only?: AccountResource[];
}

function plural(resource: AccountResource, n: number) {
  const one = SINGULAR[resource].toLowerCase();
  return n === 1 ? `1 ${one}` : `${n} ${one}s`;
}

function useBulkRunner(resource: AccountResource) {
  const { dataProvider, notify, refresh } = useAccountOps();
  return (done: string) => (r: BulkResult) => {
    const failed = r.results.filter((x) => !x.ok);
    if (failed.length === 0) notify(`${done} ${plural(resource, r.succeeded)}`, { type: 'success' });
    else
      notify(
        `${done} ${r.succeeded} of ${r.results.length}. Not done: ` +
          failed.map((f) => `#${f.id} ${f.error?.message ?? ''}`).join('; '),
        { type: 'warning', autoHideDuration: 10_000 },
      );
    refresh();
    return dataProvider;
  };
}

function StatusDialog(action: 'activate' | 'deactivate') {
  return function StatusBulkDialog({ ids, resource, onDone, onClose }: BulkDialogProps) {
    const { dataProvider } = useAccountOps();
    const report = useBulkRunner(resource);
    const [busy, setBusy] = useState(false);
    const [error, setError] = useState<string | null>(null);
    const verb = action === 'activate' ? 'Activate' : 'Deactivate';
    return (
      <ConfirmDialog
        title={`${verb} ${plural(resource, ids.length)}?`}
        confirmLabel={verb}
        danger={action === 'deactivate'}
        busy={busy}
        error={error}
        onClose={onClose}
        onConfirm={async () => {
          setBusy(true);
          try {
            report(action === 'activate' ? 'Activated' : 'Deactivated')(
              await dataProvider.bulk(resource, action, ids),
            );
            onDone();
          } catch (e) {
            setError(errorMessage(e));
            setBusy(false);
          }
        }}
      >
        {action === 'deactivate'
          ? 'They stop placing calls and their portal sessions end.'
          : 'They can place calls and sign in again.'}
      </ConfirmDialog>
    );
  };
}

function BulkPasswordDialog({ ids, resource, onDone, onClose }: BulkDialogProps) {
  const { dataProvider } = useAccountOps();
  const report = useBulkRunner(resource);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <PasswordDialog
      title={`Change the password of ${plural(resource, ids.length)}`}
      description="Every selected account gets this portal password; their open sessions end."
      busy={busy}
      serverError={error}
      onClose={onClose}
      onSubmit={async (password) => {
        setBusy(true);
        try {
          report('Changed the password of')(
            await dataProvider.bulk(resource, 'changePassword', ids, { password }),
          );
          onDone();
        } catch (e) {
          setError(errorMessage(e));
          setBusy(false);
        }
      }}
    />
  );
}

/** Bulk delete: accounts with money on them are listed and need a second, explicit confirmation. */
function BulkDeleteDialog({ ids, resource, onDone, onClose }: BulkDialogProps) {
  const { dataProvider } = useAccountOps();
  const report = useBulkRunner(resource);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [withBalance, setWithBalance] = useState<{ id: number; message: string }[] | null>(null);
  const run = async () => {
    setBusy(true);
    try {
      if (withBalance) {
        report('Deleted')(
          await dataProvider.bulk(
            resource,
            'delete',
            withBalance.map((x) => x.id),
            { confirmBalances: true },
          ),
        );
        onDone();
        return;
      }
      const r = await dataProvider.bulk(resource, 'delete', ids);
      const balances = r.results.filter((x) => x.error?.code === 'BALANCE_CONFIRMATION_REQUIRED');
      report('Deleted')({ ...r, results: r.results.filter((x) => !balances.includes(x)) });
      if (balances.length === 0) onDone();
      else {
        setWithBalance(balances.map((b) => ({ id: b.id, message: b.error!.message })));
        setBusy(false);
      }
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };
  return withBalance ? (
    <ConfirmDialog
      title={`${plural(resource, withBalance.length)} still hold a balance`}
      confirmLabel="Delete them with their balances"
      danger
      busy={busy}
      error={error}
      onClose={onDone}
      onConfirm={run}
    >
      <ul>
        {withBalance.map((b) => (
          <li key={b.id}>
            #{b.id}: {b.message.split(';')[0]}
          </li>
        ))}
      </ul>
      Deleting keeps their financial history.
    </ConfirmDialog>
  ) : (
    <ConfirmDialog
      title={`Delete ${plural(resource, ids.length)}?`}
      confirmLabel="Delete"
      danger
      busy={busy}
      error={error}
      onClose={onClose}
      onConfirm={run}
    >
      They are turned off and their related data removed. Financial history and audit stay; numbers are never
      reused.
    </ConfirmDialog>
  );
}

const MANAGERS = ['admin', 'reseller'];

export const BULK_ACTIONS: BulkAction[] = [
  {
    key: 'activate',
    label: 'Activate',
    icon: CheckCircleIcon,
    roles: MANAGERS,
    Dialog: StatusDialog('activate'),
  },
  {
    key: 'deactivate',
    label: 'Deactivate',
    icon: BlockIcon,
    roles: MANAGERS,
    Dialog: StatusDialog('deactivate'),
  },
  {
    key: 'changePassword',
    label: 'Change Password',
    icon: KeyIcon,
    roles: MANAGERS,
    Dialog: BulkPasswordDialog,
  },
  {
    key: 'resetBalance',
    label: 'Reset Balance',
    icon: RestartAltIcon,
    roles: MANAGERS,
    Dialog: BulkResetBalanceDialog,
    only: ['customers', 'resellers'],
  },
  { key: 'delete', label: 'Delete', icon: DeleteIcon, roles: MANAGERS, Dialog: BulkDeleteDialog },
];

/** The toolbar shown above the grid while rows are selected. */
export function AccountBulkActions() {
  const { selectedIds, onUnselectItems } = useListContext();
  const resource = useResourceContext() as AccountResource;
  const { permissions } = usePermissions<string>();
  const [open, setOpen] = useState<BulkAction | null>(null);
  const actions = BULK_ACTIONS.filter(
    (a) => a.roles.includes(permissions ?? '') && (!a.only || a.only.includes(resource)),
  );
  return (
    <>
      {actions.map((a) => {
        const Icon = a.icon;
        return (
          <MuiButton
            key={a.key}
            size="small"
            color={a.key === 'delete' ? 'error' : 'primary'}
            startIcon={<Icon />}
            onClick={() => setOpen(a)}
          >
            {a.label}
          </MuiButton>
        );
      })}
      {open && (
        <open.Dialog
          ids={selectedIds}
          resource={resource}
          onClose={() => setOpen(null)}
          onDone={() => {
            setOpen(null);
            onUnselectItems();
          }}
        />
      )}
    </>
  );
}
