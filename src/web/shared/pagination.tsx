import { Box, IconButton, MenuItem, TextField, Tooltip, Typography } from '@mui/material';
import ChevronLeftIcon from '@mui/icons-material/ChevronLeft';
import ChevronRightIcon from '@mui/icons-material/ChevronRight';
import FirstPageIcon from '@mui/icons-material/FirstPage';
import { useListContext, useResourceContext, useStore } from 'react-admin';
import { PAGE_SIZES } from '../api/data-provider.js';
import { formatCount } from '../format/format.js';

/**
 * Keyset paging: first, previous and next (no jumping to page 4,000 of a million rows), records per
 * page, and the total, shown as "10,000+" when the server stopped counting.
 */
export function CursorPagination() {
  const { page, perPage, setPage, setPerPage, hasNextPage, hasPreviousPage, data, isPending, meta } =
    useListContext();
  const resource = useResourceContext();
  const [, rememberPerPage] = useStore<number>(`${resource}.perPage`);
  const total = meta?.total as number | undefined;
  const capped = Boolean(meta?.totalCapped);
  const count = data?.length ?? 0;
  const from = count ? (page - 1) * perPage + 1 : 0;
  const to = (page - 1) * perPage + count;
  const of = total === undefined ? '' : ` of ${formatCount(total)}${capped ? '+' : ''}`;
  return (
    <Box
      component="nav"
      aria-label="Pages"
      sx={{
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'flex-end',
        gap: 2,
        p: 1,
        flexWrap: 'wrap',
      }}
    >
      <TextField
        select
        size="small"
        label="Records per page"
        value={perPage}
        onChange={(e) => {
          const n = Number(e.target.value);
          rememberPerPage(n);
          setPerPage(n);
        }}
        fullWidth={false}
        sx={{ width: 160 }}
      >
        {PAGE_SIZES.map((n) => (
          <MenuItem key={n} value={n}>
            {n}
          </MenuItem>
        ))}
      </TextField>
      <Typography variant="body2" role="status" aria-live="polite">
        {isPending ? 'Loading…' : `${formatCount(from)}–${formatCount(to)}${of}`} · Page {formatCount(page)}
      </Typography>
      <Box>
        <Tooltip title="First page">
          <span>
            <IconButton aria-label="First page" disabled={page <= 1} onClick={() => setPage(1)}>
              <FirstPageIcon />
            </IconButton>
          </span>
        </Tooltip>
        <Tooltip title="Previous page">
          <span>
            <IconButton
              aria-label="Previous page"
              disabled={!hasPreviousPage}
              onClick={() => setPage(page - 1)}
            >
              <ChevronLeftIcon />
            </IconButton>
          </span>
        </Tooltip>
        <Tooltip title="Next page">
          <span>
            <IconButton aria-label="Next page" disabled={!hasNextPage} onClick={() => setPage(page + 1)}>
              <ChevronRightIcon />
            </IconButton>
          </span>
        </Tooltip>
      </Box>
    </Box>
  );
}
