import { Alert } from '@mui/material';
import {
  ListContextProvider,
  ResourceContextProvider,
  useListController,
  type ListControllerResult,
  type RaRecord,
} from 'react-admin';
import { errorMessage } from './error-message.js';
import { CursorPagination } from './pagination.js';

/**
 * A list screen's rows through the one data provider (react-admin's list controller): keyset
 * pages as the account lists walk them, react-query's cache and refetch, filters that send the
 * pager back to page 1. `filter` is fixed (a parent id...); the screen's own inputs go through
 * `setFilters`.
 */
export function useResourceList<T extends RaRecord>(
  resource: string,
  opts: { filter?: Record<string, unknown>; perPage?: number } = {},
): ListControllerResult<T> {
  return useListController<T>({
    resource,
    filter: opts.filter,
    perPage: opts.perPage ?? 25,
    sort: { field: 'id', order: 'ASC' },
    // These screens keep their filters in their own inputs, not in the URL or the store.
    disableSyncWithLocation: true,
    storeKey: false,
  });
}

/** The list's error (if any) and the account lists' cursor pager, for a list from useResourceList. */
export function ResourceListPager<T extends RaRecord>({ list }: { list: ListControllerResult<T> }) {
  return (
    <ResourceContextProvider value={list.resource}>
      <ListContextProvider value={list}>
        {list.error && (
          <Alert severity="error" sx={{ mt: 1 }}>
            {errorMessage(list.error)}
          </Alert>
        )}
        <CursorPagination />
      </ListContextProvider>
    </ResourceContextProvider>
  );
}

/** Sets one filter input of a list (blank removes it); the pager goes back to page 1. */
export function setListFilter<T extends RaRecord>(
  list: ListControllerResult<T>,
  name: string,
  value: string,
) {
  const next = { ...list.filterValues, [name]: value };
  if (value === '') delete next[name];
  list.setFilters(next, undefined, false);
}
