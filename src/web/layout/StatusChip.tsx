import { Chip } from '@mui/material';

const LABELS: Record<string, string> = {
  active: 'Active',
  inactive: 'Inactive',
  disabled: 'Disabled',
  deleted: 'Deleted',
  pending: 'Pending',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
};

/** `active` -> `Active`, `past_due` -> `Past due`: every status chip in one case. */
export function statusLabel(status: string): string {
  return LABELS[status] ?? status.charAt(0).toUpperCase() + status.slice(1).replace(/_/g, ' ');
}

/**
 * One status chip for every screen: sentence case, green when active, outlined otherwise;
 * `effective` when a parent's status overrides this one (an active trunk of an inactive customer).
 */
export function StatusChip({ status, effective }: { status: string; effective?: string }) {
  const active = (effective ?? status) === 'active';
  return (
    <Chip
      size="small"
      label={
        effective && effective !== status
          ? `${statusLabel(status)} (effective: ${statusLabel(effective).toLowerCase()})`
          : statusLabel(status)
      }
      color={active ? 'success' : 'default'}
      variant={active ? 'filled' : 'outlined'}
    />
  );
}
