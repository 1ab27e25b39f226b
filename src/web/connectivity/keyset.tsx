import { useEffect, useState } from 'react';
import { Alert, Button, Stack, Typography } from '@mui/material';
import { errorMessage } from '../shared/error-message.js';
import type { Page } from './conn-api.js';

/**
 * Keyset pages for the connectivity pages: a stack of cursors (page 1 has none), reloaded from
 * page 1 whenever `key` (the filters) changes, and on `reload()`.
 */
export function useKeysetPages<T>(fetch: (cursor: string | undefined) => Promise<Page<T>>, key: string) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [rows, setRows] = useState<T[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => setCursors([undefined]), [key]);
  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    let live = true;
    fetch(cursor)
      .then((r) => {
        if (!live) return;
        setRows(r.data);
        setNext(r.nextCursor);
        setError(null);
      })
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- refetches on the page key; fetch is recreated every render by callers (issue 11: these screens move to react-admin resources)
  }, [cursor, cursors.length, key, tick]);

  return {
    rows,
    error,
    page: cursors.length,
    reload: () => setTick((t) => t + 1),
    pager: (
      <>
        {error && <Alert severity="error">{error}</Alert>}
        <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mt: 1 }}>
          <Button disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </Button>
          <Typography variant="body2">Page {cursors.length}</Typography>
          <Button disabled={!next} onClick={() => setCursors([...cursors, next ?? undefined])}>
            Next page
          </Button>
        </Stack>
      </>
    ),
  };
}
