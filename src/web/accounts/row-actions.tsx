import { useState, type ComponentType, type MouseEvent } from 'react';
import { Button, IconButton, ListItemIcon, ListItemText, Menu, MenuItem, Stack } from '@mui/material';
import MoreVertIcon from '@mui/icons-material/MoreVert';
import EditIcon from '@mui/icons-material/Edit';
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import BlockIcon from '@mui/icons-material/Block';
import KeyIcon from '@mui/icons-material/Key';
import DeleteIcon from '@mui/icons-material/Delete';
import AddCardIcon from '@mui/icons-material/AddCard';
import RemoveCircleIcon from '@mui/icons-material/RemoveCircleOutlined';
import RestartAltIcon from '@mui/icons-material/RestartAlt';
import BookmarkAddIcon from '@mui/icons-material/BookmarkAdd';
import { useNavigate } from 'react-router-dom';
import { usePermissions, useRecordContext, useResourceContext } from 'react-admin';
import { ApiError } from '../api/http.js';
import { formatMoney } from '../format/format.js';
import { ConfirmDialog, PasswordDialog } from '../shared/dialogs.js';
import { ChargeDialog, RefillDialog, ResetBalanceDialog } from '../ledger/LedgerDialogs.js';
import { errorMessage } from '../shared/error-message.js';
import { useAccountOps } from './use-account-ops.js';
import { SaveAsTemplateDialog } from '../templates/SaveAsTemplateDialog.js';
import { useSendLowBalanceAlert, useSendWelcomeLetter } from '../notifications/notification-row-actions.js';
import MailIcon from '@mui/icons-material/Mail';
import NotificationImportantIcon from '@mui/icons-material/NotificationImportant';
import { SINGULAR, type Account, type AccountResource } from './types.js';

export interface ActionDialogProps {
  record: Account;
  resource: AccountResource;
  onClose: () => void;
}

/**
 * One entry of the row-action menu. Later capabilities (refill, reset balance, low-balance alert,
 * welcome letter, login as customer, save as template) add an entry to ROW_ACTIONS; an action
 * that needs a confirmation or input brings its own Dialog.
 */
export interface RowAction {
  key: string;
  label: string;
  icon: ComponentType;
  isAvailable?: (a: Account, role: string | undefined) => boolean;
  /** Opens the edit page or any other route. */
  path?: (a: Account, resource: AccountResource) => string;
  /** A confirmation or a form that performs the action and closes. */
  Dialog?: ComponentType<ActionDialogProps>;
  /** Runs at once: for actions that neither destroy nor disable. */
  useRun?: () => (a: Account, resource: AccountResource) => Promise<void>;
}

function useActivate() {
  const { dataProvider, notify, refresh } = useAccountOps();
  return async (a: Account, resource: AccountResource) => {
    try {
      await dataProvider.activate(resource, a.id);
      notify(`${a.name} activated`, { type: 'success' });
      refresh();
    } catch (e) {
      notify(errorMessage(e), { type: 'error' });
    }
  };
}

function DeactivateDialog({ record, resource, onClose }: ActionDialogProps) {
  const { dataProvider, notify, refresh } = useAccountOps();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <ConfirmDialog
      title={`Deactivate ${record.name}?`}
      confirmLabel="Deactivate"
      danger
      busy={busy}
      error={error}
      onClose={onClose}
      onConfirm={async () => {
        setBusy(true);
        try {
          await dataProvider.deactivate(resource, record.id);
          notify(`${record.name} deactivated`, { type: 'success' });
          refresh();
          onClose();
        } catch (e) {
          setError(errorMessage(e));
          setBusy(false);
        }
      }}
    >
      Account {record.accountNumber} stops placing calls and its portal sessions end. You can activate it
      again later.
    </ConfirmDialog>
  );
}

function ChangePasswordDialog({ record, resource, onClose }: ActionDialogProps) {
  const { dataProvider, notify } = useAccountOps();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <PasswordDialog
      title={`Change the password of ${record.name}`}
      description={`Portal username: ${record.portalUsername ?? record.accountNumber}. Open sessions end.`}
      busy={busy}
      serverError={error}
      onClose={onClose}
      onSubmit={async (password) => {
        setBusy(true);
        try {
          await dataProvider.changePassword(resource, record.id, password);
          notify(`Password of ${record.name} changed`, { type: 'success' });
          onClose();
        } catch (e) {
          setError(errorMessage(e));
          setBusy(false);
        }
      }}
    />
  );
}

/** Delete; when the balance is not zero, the confirmation quotes it. */
export function DeleteAccountDialog({
  record,
  resource,
  onClose,
  onDeleted,
}: ActionDialogProps & { onDeleted?: () => void }) {
  const { dataProvider, notify, refresh } = useAccountOps();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // A balance the row already shows is quoted at once (the API wants it confirmed), instead of
  // failing once with 409; a balance that moved meanwhile comes back in the 409 and is quoted then.
  const [balance, setBalance] = useState<string | null>(
    record.balance && Number(record.balance) !== 0 ? record.balance : null,
  );
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await dataProvider.deleteAccount(resource, record.id, balance ?? undefined);
      notify(`${record.name} deleted`, { type: 'success' });
      onClose();
      if (onDeleted) onDeleted();
      else refresh();
    } catch (e) {
      if (
        e instanceof ApiError &&
        e.code === 'BALANCE_CONFIRMATION_REQUIRED' &&
        String(e.details.balance) !== balance
      ) {
        setBalance(String(e.details.balance));
      } else setError(errorMessage(e));
      setBusy(false);
    }
  };
  const kind = SINGULAR[resource].toLowerCase();
  return balance ? (
    <ConfirmDialog
      title={`${record.name} has a balance of ${formatMoney(balance, record.currency)}`}
      confirmLabel={`Delete with balance ${formatMoney(balance, record.currency)}`}
      danger
      busy={busy}
      error={error}
      onClose={onClose}
      onConfirm={run}
    >
      The balance is not zero. Deleting keeps its financial history, but the {kind} can no longer use it.
      Confirm that you delete the {kind} with this balance.
    </ConfirmDialog>
  ) : (
    <ConfirmDialog
      title={`Delete ${record.name}?`}
      confirmLabel="Delete"
      danger
      busy={busy}
      error={error}
      onClose={onClose}
      onConfirm={run}
    >
      Account {record.accountNumber} is turned off and its related data removed
      {resource === 'resellers' ? ', with every account under it' : ''}. Its financial history and audit stay;
      its number is never reused.
    </ConfirmDialog>
  );
}

const MANAGERS = ['admin', 'reseller'];

export const ROW_ACTIONS: RowAction[] = [
  {
    key: 'edit',
    label: 'Edit',
    icon: EditIcon,
    path: (a, resource) => `/${resource}/${a.id}`,
  },
  {
    key: 'activate',
    label: 'Activate',
    icon: CheckCircleIcon,
    isAvailable: (a, role) => a.status === 'inactive' && MANAGERS.includes(role ?? ''),
    useRun: useActivate,
  },
  {
    key: 'deactivate',
    label: 'Deactivate',
    icon: BlockIcon,
    isAvailable: (a, role) => a.status === 'active' && MANAGERS.includes(role ?? ''),
    Dialog: DeactivateDialog,
  },
  {
    key: 'changePassword',
    label: 'Change Password',
    icon: KeyIcon,
    isAvailable: (_a, role) => MANAGERS.includes(role ?? ''),
    Dialog: ChangePasswordDialog,
  },
  {
    key: 'refill',
    label: 'Refill',
    icon: AddCardIcon,
    isAvailable: (a, role) => a.kind !== 'provider' && MANAGERS.includes(role ?? ''),
    Dialog: RefillDialog,
  },
  {
    key: 'charge',
    label: 'Post Charge',
    icon: RemoveCircleIcon,
    isAvailable: (a, role) => a.kind !== 'provider' && MANAGERS.includes(role ?? ''),
    Dialog: ChargeDialog,
  },
  {
    key: 'resetBalance',
    label: 'Reset Balance',
    icon: RestartAltIcon,
    isAvailable: (a, role) => a.kind !== 'provider' && MANAGERS.includes(role ?? ''),
    Dialog: ResetBalanceDialog,
  },
  {
    key: 'saveAsTemplate',
    label: 'Save as Template',
    icon: BookmarkAddIcon,
    isAvailable: (a, role) => a.kind === 'customer' && MANAGERS.includes(role ?? ''),
    Dialog: SaveAsTemplateDialog,
  },
  {
    key: 'welcomeLetter',
    label: 'Send Welcome Letter',
    icon: MailIcon,
    isAvailable: (_a, role) => MANAGERS.includes(role ?? ''),
    useRun: useSendWelcomeLetter,
  },
  {
    key: 'lowBalanceAlert',
    label: 'Send Low Balance Alert',
    icon: NotificationImportantIcon,
    isAvailable: (a, role) => a.kind === 'customer' && MANAGERS.includes(role ?? ''),
    useRun: useSendLowBalanceAlert,
  },
  {
    key: 'delete',
    label: 'Delete',
    icon: DeleteIcon,
    isAvailable: (_a, role) => MANAGERS.includes(role ?? ''),
    Dialog: DeleteAccountDialog,
  },
];

/** Runs every action's hook once, so hook order never depends on which actions are shown. */
function useRunners(): Record<string, (a: Account, r: AccountResource) => Promise<void>> {
  const out: Record<string, (a: Account, r: AccountResource) => Promise<void>> = {};
  for (const action of ROW_ACTIONS) if (action.useRun) out[action.key] = action.useRun();
  return out;
}

/** The "⋮" menu at the end of each row. */
export function RowActionsMenu() {
  const record = useRecordContext<Account>();
  const resource = useResourceContext() as AccountResource;
  const { permissions } = usePermissions<string>();
  const navigate = useNavigate();
  const runners = useRunners();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [open, setOpen] = useState<RowAction | null>(null);
  if (!record) return null;
  const actions = ROW_ACTIONS.filter((a) => !a.isAvailable || a.isAvailable(record, permissions));
  const stop = (e: MouseEvent) => e.stopPropagation();
  const menuId = `row-actions-${record.id}`;
  return (
    <span onClick={stop}>
      <IconButton
        aria-label={`Actions for ${record.name}`}
        aria-haspopup="menu"
        aria-controls={anchor ? menuId : undefined}
        size="small"
        onClick={(e) => setAnchor(e.currentTarget)}
      >
        <MoreVertIcon fontSize="small" />
      </IconButton>
      <Menu id={menuId} anchorEl={anchor} open={Boolean(anchor)} onClose={() => setAnchor(null)}>
        {actions.map((action) => {
          const Icon = action.icon;
          return (
            <MenuItem
              key={action.key}
              onClick={() => {
                setAnchor(null);
                if (action.path) void navigate(action.path(record, resource));
                else if (action.Dialog) setOpen(action);
                else void runners[action.key]?.(record, resource);
              }}
            >
              <ListItemIcon>
                <Icon />
              </ListItemIcon>
              <ListItemText>{action.label}</ListItemText>
            </MenuItem>
          );
        })}
      </Menu>
      {open?.Dialog && <open.Dialog record={record} resource={resource} onClose={() => setOpen(null)} />}
    </span>
  );
}

/** The actions shown as buttons on the account's page; the others go in its "More" menu. */
const PAGE_BUTTONS = ['refill', 'charge', 'resetBalance', 'activate', 'deactivate', 'changePassword'];

/**
 * The account's actions on its own page (the same ROW_ACTIONS as the grid's row menu): Refill,
 * Charge, Reset, Activate/Deactivate and Change Password as buttons, the rest under "More".
 * Deleting from the page returns to the list.
 */
export function AccountPageActions({ record, resource }: { record: Account; resource: AccountResource }) {
  const { permissions } = usePermissions<string>();
  const navigate = useNavigate();
  const runners = useRunners();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [open, setOpen] = useState<RowAction | null>(null);
  const actions = ROW_ACTIONS.filter(
    (a) => a.key !== 'edit' && (!a.isAvailable || a.isAvailable(record, permissions)),
  );
  const run = (action: RowAction) => {
    setAnchor(null);
    if (action.path) void navigate(action.path(record, resource));
    else if (action.Dialog) setOpen(action);
    else void runners[action.key]?.(record, resource);
  };
  const buttons = actions.filter((a) => PAGE_BUTTONS.includes(a.key));
  const more = actions.filter((a) => !PAGE_BUTTONS.includes(a.key));
  if (actions.length === 0) return null;
  return (
    <Stack
      direction="row"
      spacing={1}
      useFlexGap
      role="toolbar"
      aria-label="Account actions"
      sx={{ flexWrap: 'wrap', alignItems: 'center' }}
    >
      {buttons.map((action) => {
        const Icon = action.icon;
        return (
          <Button
            key={action.key}
            size="small"
            variant="outlined"
            startIcon={<Icon />}
            onClick={() => run(action)}
          >
            {action.label}
          </Button>
        );
      })}
      {more.length > 0 && (
        <>
          <Button
            size="small"
            startIcon={<MoreVertIcon />}
            aria-haspopup="menu"
            aria-controls={anchor ? 'account-more-menu' : undefined}
            onClick={(e) => setAnchor(e.currentTarget)}
          >
            More
          </Button>
          <Menu
            id="account-more-menu"
            anchorEl={anchor}
            open={Boolean(anchor)}
            onClose={() => setAnchor(null)}
          >
            {more.map((action) => {
              const Icon = action.icon;
              return (
                <MenuItem key={action.key} onClick={() => run(action)}>
                  <ListItemIcon>
                    <Icon />
                  </ListItemIcon>
                  <ListItemText>{action.label}</ListItemText>
                </MenuItem>
              );
            })}
          </Menu>
        </>
      )}
      {open?.key === 'delete' ? (
        <DeleteAccountDialog
          record={record}
          resource={resource}
          onClose={() => setOpen(null)}
          onDeleted={() => void navigate(`/${resource}`)}
        />
      ) : (
        open?.Dialog && <open.Dialog record={record} resource={resource} onClose={() => setOpen(null)} />
      )}
    </Stack>
  );
}
