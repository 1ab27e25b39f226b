import { CdrSearchPage } from './cdrs/CdrPages.js';
import { useMemo } from 'react';
import { Admin, CustomRoutes, Resource } from 'react-admin';
import { Route } from 'react-router-dom';
import { ImportPage } from './bulk/ImportPage.js';
import { CustomerLimitPage, HostViewPage } from './connectivity/LimitsPages.js';
import { RateGroupList, RateGroupShow } from './connectivity/RateGroupsPages.js';
import { DidInventoryPage, LocalizationEdit, LocalizationList } from './connectivity/InventoryPages.js';
import { MassCreatePage } from './bulk/MassCreatePage.js';
import { LiveCallsPage } from './call-auth/LiveCallsPage.js';
import { RefusalReasonsPage, RoutePlansPage } from './call-auth/RoutingPages.js';
import { SettingsPage } from './settings/SettingsPage.js';
import { TemplateEdit } from './templates/TemplateEdit.js';
import { TemplateList } from './templates/TemplateList.js';
import BookmarksIcon from '@mui/icons-material/Bookmarks';
import PeopleIcon from '@mui/icons-material/People';
import LocalShippingIcon from '@mui/icons-material/Hub';
import StorefrontIcon from '@mui/icons-material/Storefront';
import { createAuthProvider } from './api/auth-provider.js';
import { createDataProvider } from './api/data-provider.js';
import { createQueryClient } from './api/query-client.js';
import { createPreferenceStore } from './api/preference-store.js';
import { AccountCreate } from './accounts/AccountCreate.js';
import { AccountEdit } from './accounts/AccountEdit.js';
import { AccountList } from './accounts/AccountList.js';
import type { Account, AccountResource } from './accounts/types.js';
import { Dashboard } from './dashboard/Dashboard.js';
import { LoginPage } from './layout/LoginPage.js';
import { AppLayout } from './layout/AppLayout.js';
import { i18nProvider } from './i18n.js';
import { JobsPage, MailLogPage, MailTemplatesPage } from './notifications/NotificationPages.js';

const recordRepresentation = (r: Account) => `${r.name} (${r.accountNumber})`;

/** One Resource per account kind; they share the list, the create stepper and the edit page. */
function accountResource(name: AccountResource, label: string, icon: typeof PeopleIcon) {
  return (
    <Resource
      key={name}
      name={name}
      options={{ label }}
      icon={icon}
      list={<AccountList resource={name} />}
      create={<AccountCreate resource={name} />}
      edit={<AccountEdit resource={name} />}
      recordRepresentation={recordRepresentation}
    />
  );
}

export function App() {
  const { store, authProvider, dataProvider, queryClient } = useMemo(() => {
    const store = createPreferenceStore();
    return {
      store,
      authProvider: createAuthProvider(store),
      dataProvider: createDataProvider(),
      queryClient: createQueryClient(),
    };
  }, []);
  return (
    <Admin
      title="Tollgate"
      store={store}
      authProvider={authProvider}
      dataProvider={dataProvider}
      queryClient={queryClient}
      i18nProvider={i18nProvider}
      loginPage={LoginPage}
      layout={AppLayout}
      dashboard={Dashboard}
      requireAuth
      disableTelemetry
    >
      {accountResource('customers', 'Customers', PeopleIcon)}
      {accountResource('providers', 'Providers', LocalShippingIcon)}
      {accountResource('resellers', 'Resellers', StorefrontIcon)}
      <Resource
        name="customer-templates"
        options={{ label: 'Customer Templates' }}
        icon={BookmarksIcon}
        list={TemplateList}
        edit={TemplateEdit}
      />
      <CustomRoutes>
        <Route path="/import-customers" element={<ImportPage />} />
        <Route path="/import-resellers" element={<ImportPage kind="resellers" />} />
        <Route path="/import-sip-devices" element={<ImportPage kind="sip-devices" />} />
        <Route path="/limits/customers" element={<CustomerLimitPage />} />
        <Route path="/limits/hosts" element={<HostViewPage />} />
        <Route path="/dids" element={<DidInventoryPage />} />
        <Route path="/rate-groups" element={<RateGroupList />} />
        <Route path="/rate-groups/:id" element={<RateGroupShow />} />
        <Route path="/localizations" element={<LocalizationList />} />
        <Route path="/localizations/:id" element={<LocalizationEdit />} />
        <Route path="/mass-create-customers" element={<MassCreatePage />} />
        <Route path="/mail-log" element={<MailLogPage />} />
        <Route path="/mail-templates" element={<MailTemplatesPage />} />
        <Route path="/jobs" element={<JobsPage />} />
        <Route path="/cdrs" element={<CdrSearchPage />} />
        <Route path="/live-calls" element={<LiveCallsPage />} />
        <Route path="/route-plans" element={<RoutePlansPage />} />
        <Route path="/refusal-reasons" element={<RefusalReasonsPage />} />
        <Route path="/settings" element={<SettingsPage />} />
      </CustomRoutes>
    </Admin>
  );
}
