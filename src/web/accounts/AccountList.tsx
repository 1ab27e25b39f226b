import {
  AutocompleteInput,
  BooleanInput,
  ColumnsButton,
  CreateButton,
  DataTable,
  List,
  ReferenceInput,
  SelectInput,
  TextInput,
  TopToolbar,
  useListContext,
  usePermissions,
  useStore,
} from 'react-admin';
import { useEffect } from 'react';
import { Box, Stack, Typography } from '@mui/material';
import { cleanAccountFilter, hasBadFilter } from './list-filter.js';
import { AccountBulkActions } from './bulk-actions.js';
import { ImportButton, MassCreateButton, ResellerMigrationButtons } from '../bulk/ListBulkButtons.js';
import { ListMoreMenu } from './ListMoreMenu.js';
import { CreateByTemplateButton } from '../templates/CreateByTemplateButton.js';
import { columnsFor } from './columns.js';
import { useViewerTimeZone } from '../format/viewer-zone.js';
import { CursorPagination } from '../shared/pagination.js';
import { RowActionsMenu } from './row-actions.js';
import { SINGULAR, type Account, type AccountResource } from './types.js';

/** The query form of both documents; every value lives in the URL, so a filtered list is a bookmark. */
function accountFilters(resource: AccountResource) {
  const filters = [
    <TextInput
      key="q"
      source="q"
      label="Search"
      helperText={false}
      alwaysOn
      resettable
      sx={{ width: 220 }}
    />,
    <TextInput
      key="company"
      source="company"
      label="Company"
      helperText={false}
      alwaysOn
      sx={{ width: 160 }}
    />,
    <SelectInput
      key="status"
      source="status"
      label="Status"
      helperText={false}
      alwaysOn
      sx={{ width: 140 }}
      emptyText="All"
      choices={[
        { id: 'active', name: 'All Active' },
        { id: 'inactive', name: 'All Inactive' },
      ]}
    />,
    <SelectInput
      key="mode"
      source="mode"
      label="Terms"
      helperText={false}
      alwaysOn
      sx={{ width: 140 }}
      emptyText="All"
      choices={[
        { id: 'prepaid', name: 'Prepaid' },
        { id: 'postpaid', name: 'Postpaid' },
      ]}
    />,
    <TextInput key="name" source="name" label="Name" helperText={false} />,
    <TextInput key="accountNumber" source="accountNumber" label="Account Number" helperText={false} />,
    <ReferenceInput key="resellerId" source="resellerId" reference="resellers" label="Reseller">
      <AutocompleteInput
        label="Reseller"
        helperText={false}
        optionText={(r: Account) => `${r.name} (${r.accountNumber})`}
        filterToQuery={(q: string) => ({ q })}
      />
    </ReferenceInput>,
    <BooleanInput
      key="lowBalance"
      source="lowBalance"
      label="At or below low-balance threshold"
      helperText={false}
    />,
  ];
  if (resource === 'customers')
    filters.push(
      <SelectInput
        key="role"
        source="role"
        label="Type"
        helperText={false}
        emptyText="Customers"
        choices={[
          { id: 'provider', name: 'Providers' },
          { id: 'any', name: 'Customers and providers' },
        ]}
      />,
    );
  return filters;
}

function ListActions({ resource }: { resource: AccountResource }) {
  const { permissions } = usePermissions<string>();
  const canCreate = permissions === 'admin' || permissions === 'reseller';
  return (
    // One row: the frequent action, the column chooser and "More" for the rest.
    <TopToolbar sx={{ flexWrap: 'nowrap', whiteSpace: 'nowrap', alignItems: 'center' }}>
      {canCreate && <CreateButton label={`Create ${SINGULAR[resource]}`} />}
      <ColumnsButton storeKey={`${resource}.datatable`} />
      {resource === 'customers' && <ListMoreMenu canCreate={canCreate} />}
      {resource === 'resellers' && <ResellerMigrationButtons canCreate={canCreate} />}
    </TopToolbar>
  );
}

/**
 * No customers yet: besides Create, the ways to bring many at once (react-admin's default empty
 * page offers Create only, which hid Import and Mass Create on a fresh install).
 */
function NoCustomersYet() {
  const { permissions } = usePermissions<string>();
  const canCreate = permissions === 'admin' || permissions === 'reseller';
  return (
    <Box sx={{ textAlign: 'center', mt: 8, flex: 1 }}>
      <Typography variant="h5" component="p" color="text.secondary" sx={{ mb: 2 }}>
        No Customers yet.
      </Typography>
      {canCreate && (
        <Stack direction="row" spacing={1} useFlexGap sx={{ justifyContent: 'center', flexWrap: 'wrap' }}>
          <CreateButton variant="contained" label="Create Customer" />
          <CreateByTemplateButton />
          <MassCreateButton />
          <ImportButton />
        </Stack>
      )}
    </Box>
  );
}

/** A filter value the API would refuse (from an old or edited URL) is dropped, and the URL with it. */
function DropBadFilters() {
  const { filterValues, displayedFilters, setFilters } = useListContext();
  useEffect(() => {
    if (hasBadFilter(filterValues)) setFilters(cleanAccountFilter(filterValues), displayedFilters);
  }, [filterValues, displayedFilters, setFilters]);
  return null;
}

/** The customer grid (and the same for providers and resellers). */
export function AccountList({ resource }: { resource: AccountResource }) {
  const [perPage] = useStore<number>(`${resource}.perPage`, 25);
  const columns = columnsFor(resource);
  const view = { zone: useViewerTimeZone() };
  return (
    <List
      resource={resource}
      title={`${SINGULAR[resource]}s`}
      filters={accountFilters(resource)}
      actions={<ListActions resource={resource} />}
      empty={resource === 'customers' ? <NoCustomersYet /> : undefined}
      sort={{ field: 'createdAt', order: 'DESC' }}
      perPage={perPage}
      pagination={<CursorPagination />}
      // A grid wider than the window scrolls inside its card, not the whole page (which slid the
      // table under the menu).
      sx={{
        minWidth: 0,
        '& .RaList-main': { minWidth: 0 },
        '& .RaDataTable-tableWrapper': { overflowX: 'auto' },
        // Dense cells: the default columns fit a 1440 px window with Status and the row actions.
        '& .RaDataTable-table .MuiTableCell-sizeSmall': { px: 1 },
        '& .RaDataTable-table .MuiTableCell-paddingCheckbox': { pl: 0.5 },
      }}
    >
      <DropBadFilters />
      <DataTable
        storeKey={`${resource}.datatable`}
        hiddenColumns={columns.filter((c) => c.hiddenByDefault).map((c) => c.source)}
        rowClick="edit"
        bulkActionButtons={<AccountBulkActions />}
        size="small"
      >
        {columns.map((c) => (
          <DataTable.Col<Account>
            key={c.source}
            source={c.source as never}
            label={c.label}
            disableSort={!c.sortable}
            align={c.align}
            sx={c.nowrap ? { whiteSpace: 'nowrap' } : undefined}
            render={(a) => c.render(a, view)}
          />
        ))}
        <DataTable.Col label="Actions" align="right" disableSort render={() => <RowActionsMenu />} />
      </DataTable>
    </List>
  );
}
