import { Fragment, useState, type ReactNode } from 'react';
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
  Typography,
} from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import type { DataProvider, Identifier, ListControllerResult, RaRecord } from 'react-admin';
import { ConfirmDialog } from './dialogs.js';
import { EntityDialog, type FieldSpec } from './EntityDialog.js';
import { errorMessage } from './error-message.js';

/*
 * A small list that hangs off one parent (a customer's trunks, a trunk's hosts, its SIP devices,
 * caller IDs, blocked codes, DIDs...) as a table with its add, edit and delete dialogs. The rows
 * are a list from useResourceList (the one data provider, react-query's cache); the dialogs' writes
 * are the screen's (usually `resourceWrites`, through the same provider); after a change the list
 * is read again. The server's error is shown at the field it names (the shared EntityDialog).
 * These lists come whole from the API, so there is no pager.
 */

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

export interface RowWrites<T> {
  create: (body: Record<string, unknown>) => Promise<unknown>;
  update: (row: T, body: Record<string, unknown>) => Promise<unknown>;
  remove: (row: T) => Promise<unknown>;
}

/**
 * Add, edit and delete through the data provider: the add dialog posts to `createIn` (the
 * parent's list, `customers/7/trunks`), edit and delete go to `resource` (`trunks`: PATCH and
 * DELETE /trunks/:id). `toBody` turns the dialog's fields into the API's body (the row is given
 * on edit). An edit sends only what changed from the row.
 */
export function resourceWrites<T extends { id: Identifier }>(
  dataProvider: DataProvider,
  createIn: string,
  resource: string,
  toBody: (body: Record<string, unknown>, row?: T) => Record<string, unknown> = (b) => b,
): RowWrites<T> {
  return {
    create: (body) => dataProvider.create(createIn, { data: toBody(body) }),
    update: (row, body) =>
      dataProvider.update(resource, { id: row.id, data: toBody(body, row), previousData: row as RaRecord }),
    remove: (row) => dataProvider.delete(resource, { id: row.id, previousData: row as RaRecord }),
  };
}

export function ResourceTable<T extends RaRecord, R extends { id: Identifier } = T>(props: {
  title: string;
  /** A singular noun for buttons and dialogs ("trunk"). */
  noun: string;
  /** Where the rows come from (useResourceList). */
  list: ListControllerResult<T>;
  /** The rows shown, when they are not the list's own (the ten keys of Speed Dial). */
  rows?: (data: T[]) => R[];
  columns: Column<R>[];
  fields?: FieldSpec[];
  create?: (body: Record<string, unknown>) => Promise<unknown>;
  update?: (row: R, body: Record<string, unknown>) => Promise<unknown>;
  remove?: (row: R) => Promise<unknown>;
  actions?: RowAction<R>[];
  /** Shown under a row when its expand button is on. */
  expand?: { label: (row: R) => string; render: (row: R, changed: () => void) => ReactNode };
  empty?: string;
  /** Called after every change made here (the parent may show counts of these rows). */
  onChanged?: () => void;
  headerExtra?: ReactNode;
  createIntro?: ReactNode;
  /** The edit dialog's starting values, when they are not the row's own fields. */
  toInitial?: (row: R) => Record<string, unknown>;
}) {
  const { list, onChanged } = props;
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<{ row?: R } | null>(null);
  const [confirm, setConfirm] = useState<{
    text: string;
    label: string;
    run: () => Promise<unknown> | void;
  } | null>(null);
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState<Identifier | null>(null);
  const data = list.isPending ? null : (list.data ?? []);
  const rows: R[] | null = data && (props.rows ? props.rows(data) : (data as unknown as R[]));
  const shownError = error ?? (list.error ? errorMessage(list.error) : null);

  const reload = () => {
    void list.refetch();
    onChanged?.();
  };

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

  const allActions: RowAction<R>[] = [
    ...(props.actions ?? []),
    ...(props.update && props.fields
      ? [{ label: () => 'Edit', opens: true, run: (row: R) => setDialog({ row }) }]
      : []),
    ...(props.remove
      ? [
          {
            label: () => 'Delete',
            run: (row: R) => props.remove!(row),
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
      {shownError && (
        <Alert severity="error" sx={{ mb: 1 }} onClose={error ? () => setError(null) : undefined}>
          {shownError}
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
