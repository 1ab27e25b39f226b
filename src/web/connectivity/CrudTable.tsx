import { Fragment, useCallback, useEffect, useState, type ReactNode } from 'react';
import {
  Alert,
  Box,
  Button,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import WarningAmberIcon from '@mui/icons-material/WarningAmber';
import { ConfirmDialog } from '../shared/dialogs.js';
import { EntityDialog, type FieldSpec } from '../shared/EntityDialog.js';
import { errorMessage } from '../shared/error-message.js';
import type { Warning } from './conn-api.js';

/*
 * One table-with-dialogs for the objects that hang off a customer (trunks, hosts, SIP devices,
 * caller IDs, blocked codes, DIDs...): list, add, edit, delete, with the server's error shown at
 * the field it names (the add/edit dialog is the shared EntityDialog).
 */

export type { FieldSpec };

export interface Column<T> {
  label: string;
  value: (row: T) => ReactNode;
}

export interface RowAction<T> {
  label: (row: T) => string;
  run: (row: T) => Promise<unknown> | void;
  /** Ask first, with this text. */
  confirm?: (row: T) => string;
  show?: (row: T) => boolean;
  /** Opens a dialog of its own: no busy state, no reload. */
  opens?: boolean;
}

/** Shows the soft warnings of a saved object (a lower level's limit above an upper one). */
export function Warnings({ warnings }: { warnings: Warning[] }) {
  if (!warnings.length) return null;
  return (
    <Tooltip title={warnings.map((w) => w.message).join(' ')}>
      <WarningAmberIcon
        color="warning"
        fontSize="small"
        aria-label={warnings.map((w) => w.message).join(' ')}
      />
    </Tooltip>
  );
}

export const STATUS_CHOICES = [
  { id: 'active', name: 'Active' },
  { id: 'inactive', name: 'Inactive' },
];

export function CrudTable<T extends { id: number }>(props: {
  title: string;
  /** A singular noun for buttons and dialogs ("trunk"). */
  noun: string;
  load: () => Promise<T[]>;
  columns: Column<T>[];
  fields?: FieldSpec[];
  create?: (body: Record<string, unknown>) => Promise<unknown>;
  update?: (row: T, body: Record<string, unknown>) => Promise<unknown>;
  remove?: (row: T) => Promise<unknown>;
  actions?: RowAction<T>[];
  /** Shown under a row when its expand button is on. */
  expand?: { label: (row: T) => string; render: (row: T, changed: () => void) => ReactNode };
  empty?: string;
  /** Bumped by the parent to reload. */
  version?: number;
  onChanged?: () => void;
  headerExtra?: ReactNode;
  createIntro?: ReactNode;
  /** The edit dialog's starting values, when they are not the row's own fields. */
  toInitial?: (row: T) => Record<string, unknown>;
}) {
  const [rows, setRows] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<{ row?: T } | null>(null);
  const [confirm, setConfirm] = useState<{
    text: string;
    label: string;
    run: () => Promise<unknown> | void;
  } | null>(null);
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState<number | null>(null);
  const [tick, setTick] = useState(0);
  const { load, onChanged } = props;

  const reload = useCallback(() => {
    setTick((t) => t + 1);
    onChanged?.();
  }, [onChanged]);

  useEffect(() => {
    let live = true;
    load()
      .then((r) => live && (setRows(r), setError(null)))
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reloads on tick and version only; load is recreated every render (issue 11: these screens move to react-admin resources)
  }, [tick, props.version]);

  async function runAction(fn: () => Promise<unknown> | void) {
    setBusy(true);
    try {
      await fn();
      setConfirm(null);
      reload();
    } catch (e) {
      setError(errorMessage(e));
      setConfirm(null);
    } finally {
      setBusy(false);
    }
  }

  const allActions: RowAction<T>[] = [
    ...(props.actions ?? []),
    ...(props.update && props.fields
      ? [{ label: () => 'Edit', opens: true, run: (row: T) => setDialog({ row }) }]
      : []),
    ...(props.remove
      ? [
          {
            label: () => 'Delete',
            run: (row: T) => props.remove!(row),
            confirm: () => `Delete this ${props.noun}?`,
          },
        ]
      : []),
  ];
  const cols = props.columns.length + (allActions.length ? 1 : 0) + (props.expand ? 1 : 0);

  return (
    <Box component="section" aria-label={props.title} sx={{ mb: 3 }}>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 1 }}>
        <Typography variant="h6" component="h2">
          {props.title}
        </Typography>
        {props.create && props.fields && (
          <Button size="small" startIcon={<AddIcon />} onClick={() => setDialog({})}>
            Add {props.noun}
          </Button>
        )}
        {props.headerExtra}
      </Stack>
      {error && (
        <Alert severity="error" sx={{ mb: 1 }} onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
      {rows && rows.length === 0 ? (
        <Typography color="text.secondary">{props.empty ?? `No ${props.noun}s yet.`}</Typography>
      ) : (
        <Table size="small" aria-label={props.title}>
          <TableHead>
            <TableRow>
              {props.expand && <TableCell />}
              {props.columns.map((c) => (
                <TableCell key={c.label}>{c.label}</TableCell>
              ))}
              {allActions.length > 0 && <TableCell>Actions</TableCell>}
            </TableRow>
          </TableHead>
          <TableBody>
            {(rows ?? []).map((row) => (
              <Fragment key={row.id}>
                <TableRow>
                  {props.expand && (
                    <TableCell>
                      <Button
                        size="small"
                        aria-expanded={open === row.id}
                        onClick={() => setOpen(open === row.id ? null : row.id)}
                      >
                        {props.expand.label(row)}
                      </Button>
                    </TableCell>
                  )}
                  {props.columns.map((c) => (
                    <TableCell key={c.label}>{c.value(row)}</TableCell>
                  ))}
                  {allActions.length > 0 && (
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>
                      {allActions
                        .filter((a) => !a.show || a.show(row))
                        .map((a) => (
                          <Button
                            key={a.label(row)}
                            size="small"
                            disabled={busy}
                            onClick={() =>
                              a.confirm
                                ? setConfirm({
                                    text: a.confirm(row),
                                    label: a.label(row),
                                    run: () => a.run(row),
                                  })
                                : a.opens
                                  ? a.run(row)
                                  : void runAction(() => a.run(row))
                            }
                          >
                            {a.label(row)}
                          </Button>
                        ))}
                    </TableCell>
                  )}
                </TableRow>
                {props.expand && open === row.id && (
                  <TableRow>
                    <TableCell colSpan={cols} sx={{ bgcolor: 'action.hover' }}>
                      {props.expand.render(row, reload)}
                    </TableCell>
                  </TableRow>
                )}
              </Fragment>
            ))}
          </TableBody>
        </Table>
      )}
      {dialog && props.fields && (
        <EntityDialog
          title={dialog.row ? `Edit ${props.noun}` : `Add ${props.noun}`}
          fields={props.fields}
          initial={
            dialog.row
              ? (props.toInitial?.(dialog.row) ?? (dialog.row as unknown as Record<string, unknown>))
              : undefined
          }
          submitLabel={dialog.row ? 'Save' : 'Add'}
          intro={dialog.row ? undefined : props.createIntro}
          onClose={() => setDialog(null)}
          onSubmit={async (body) => {
            if (dialog.row) await props.update!(dialog.row, body);
            else await props.create!(body);
            setDialog(null);
            reload();
          }}
        />
      )}
      {confirm && (
        <ConfirmDialog
          title="Please confirm"
          confirmLabel={confirm.label}
          danger
          busy={busy}
          onClose={() => setConfirm(null)}
          onConfirm={() => void runAction(confirm.run)}
        >
          {confirm.text}
        </ConfirmDialog>
      )}
    </Box>
  );
}
