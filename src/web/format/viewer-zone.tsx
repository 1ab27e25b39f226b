import { useState } from 'react';
import {
  Autocomplete,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  TextField,
  Tooltip,
  Typography,
} from '@mui/material';
import ScheduleIcon from '@mui/icons-material/Schedule';
import { useStore } from 'react-admin';
import { TIMEZONE_CHOICES } from '../accounts/reference-choices.js';
import { browserTimeZone } from './format.js';

/*
 * Every instant the admin UI shows (created dates, audit, ledger, templates...) is in the viewer's
 * zone: a preference saved on the server per user, the browser's zone until they choose one. The
 * zone is named once, in the app bar, instead of beside each time.
 */

/** The preference key (persisted, see preference-store.ts). */
export const VIEWER_ZONE_KEY = 'viewer.timezone';

export function isTimeZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone instants are shown in: the user's choice, else the browser's. */
export function useViewerTimeZone(): string {
  const [zone] = useStore<string | undefined>(VIEWER_ZONE_KEY);
  return isTimeZone(zone) ? zone : browserTimeZone();
}

/** `America/New_York` -> `America/New York`. */
export const zoneName = (zone: string) => zone.replace(/_/g, ' ');

/** The app bar's "Times in <zone>" button, which opens the chooser. */
export function ViewerZoneButton() {
  const zone = useViewerTimeZone();
  const [, setZone] = useStore<string | undefined>(VIEWER_ZONE_KEY);
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<string | null>(null);
  const browser = browserTimeZone();
  return (
    <>
      <Tooltip title="Dates and times are shown in this time zone. Click to change.">
        <Button
          color="inherit"
          size="small"
          startIcon={<ScheduleIcon />}
          onClick={() => {
            setDraft(zone);
            setOpen(true);
          }}
          aria-label={`Times in ${zoneName(zone)}; change the time zone`}
          sx={{ textTransform: 'none', whiteSpace: 'nowrap' }}
          data-testid="viewer-zone"
        >
          Times in {zoneName(zone)}
        </Button>
      </Tooltip>
      {open && (
        <Dialog open onClose={() => setOpen(false)} aria-labelledby="zone-title" fullWidth maxWidth="xs">
          <DialogTitle id="zone-title">Show times in</DialogTitle>
          <DialogContent>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
              Every date and time in this console uses this zone. Your browser&apos;s is {zoneName(browser)}.
            </Typography>
            <Autocomplete
              options={TIMEZONE_CHOICES}
              getOptionLabel={(o) => o.name}
              value={TIMEZONE_CHOICES.find((c) => c.id === draft) ?? null}
              onChange={(_, v) => setDraft(v?.id ?? null)}
              renderInput={(params) => <TextField {...params} label="Time zone" size="small" />}
            />
          </DialogContent>
          <DialogActions>
            <Button
              onClick={() => {
                setZone(undefined);
                setOpen(false);
              }}
            >
              Use the browser&apos;s
            </Button>
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button
              variant="contained"
              disabled={!draft}
              onClick={() => {
                setZone(draft === browser ? undefined : (draft ?? undefined));
                setOpen(false);
              }}
            >
              Save
            </Button>
          </DialogActions>
        </Dialog>
      )}
    </>
  );
}
