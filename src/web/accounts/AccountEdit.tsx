import { type ComponentType } from 'react';
import {
  Box,
  Button,
  Card,
  CardContent,
  List,
  ListItemButton,
  ListItemIcon,
  ListItemText,
  Link as MuiLink,
  Stack,
  Typography,
} from '@mui/material';
import PersonIcon from '@mui/icons-material/Person';
import HistoryIcon from '@mui/icons-material/History';
import ReceiptLongIcon from '@mui/icons-material/ReceiptLong';
import PaymentsIcon from '@mui/icons-material/Payments';
import { BalanceLine, ChargeHistoryTab, RefillReportTab } from '../ledger/LedgerHistory.js';
import { Link, Route, Routes, useLocation, useParams } from 'react-router-dom';
import { EditBase, Form, SaveButton, Title, useEditContext, useGetOne, usePermissions } from 'react-admin';
import type { Template } from '../bulk/bulk-api.js';
import { AuditHistory } from './AuditHistory.js';
import { StatusChip } from '../layout/StatusChip.js';
import { AccountPageActions } from './row-actions.js';
import {
  BlockedCodesTab,
  CallerIdsTab,
  DidsTab,
  IpSettingsTab,
  SipDevicesTab,
  SpeedDialTab,
  TrunksTab,
} from '../connectivity/CustomerTabs.js';
import { CreatedSipDeviceNotice } from '../connectivity/once-secret.js';
import { EmailsTab, NotificationsTab } from '../notifications/CustomerNotificationTabs.js';
import { CdrsTab } from '../cdrs/CdrPages.js';
import PhoneCallbackIcon from '@mui/icons-material/PhoneCallback';
import { RoutingTab } from '../call-auth/RoutingPages.js';
import AltRouteIcon from '@mui/icons-material/AltRoute';
import EmailIcon from '@mui/icons-material/Email';
import NotificationsIcon from '@mui/icons-material/Notifications';
import HubIcon from '@mui/icons-material/Hub';
import LanIcon from '@mui/icons-material/Lan';
import PhoneIcon from '@mui/icons-material/Phone';
import BadgeIcon from '@mui/icons-material/Badge';
import BlockIcon from '@mui/icons-material/Block';
import DialpadIcon from '@mui/icons-material/Dialpad';
import NumbersIcon from '@mui/icons-material/Numbers';
import PriceChangeIcon from '@mui/icons-material/PriceChange';
import { RateOverridesTab } from '../connectivity/RateOverridesTab.js';
import { toApiBody, toFormValues } from './form-fields.js';
import { ACCOUNT_FORM_SECTIONS } from './form-sections.js';
import { formatMoney } from '../format/format.js';
import { KIND_OF, SINGULAR, type Account, type AccountResource } from './types.js';

export interface EditTabProps {
  record: Account;
  resource: AccountResource;
}

/**
 * The left-panel menu of the edit page (004), in order. Issues that bring data add their tab here
 * (SIP Devices, IP Settings, Caller IDs, DIDs, Invoices, Refill Report, Charge History, CDRs...).
 */
export interface EditTab {
  key: string;
  label: (resource: AccountResource) => string;
  /** Below /<resource>/<id>; '' is the first tab. */
  path: string;
  icon: ComponentType;
  Component: ComponentType<EditTabProps>;
  only?: AccountResource[];
  /** Operator settings a reseller may not see (route plans). */
  adminOnly?: boolean;
}

function ProfileTab({ record, resource }: EditTabProps) {
  return (
    <Form record={toFormValues(record) as unknown as Account} mode="onBlur" key={record.updatedAt}>
      {ACCOUNT_FORM_SECTIONS.map((s) => (
        <Box key={s.key} component="section" aria-labelledby={`section-${s.key}`} sx={{ mb: 3 }}>
          <Typography variant="h6" component="h2" id={`section-${s.key}`} sx={{ mb: 1 }}>
            {s.title}
          </Typography>
          <s.Component mode="edit" resource={resource} />
        </Box>
      ))}
      <SaveButton label="Save" />
    </Form>
  );
}

export const ACCOUNT_EDIT_TABS: EditTab[] = [
  {
    key: 'profile',
    label: (r) => `${SINGULAR[r]} Profile`,
    path: '',
    icon: PersonIcon,
    Component: ProfileTab,
  },
  ...(
    [
      ['trunks', 'Trunks', HubIcon, TrunksTab],
      ['ip-settings', 'IP Settings', LanIcon, IpSettingsTab],
      ['sip-devices', 'SIP Devices', PhoneIcon, SipDevicesTab],
      ['caller-ids', 'Caller IDs', BadgeIcon, CallerIdsTab],
      ['blocked-codes', 'Blocked Codes', BlockIcon, BlockedCodesTab],
      ['speed-dial', 'Speed Dial', DialpadIcon, SpeedDialTab],
      ['dids', 'DIDs', NumbersIcon, DidsTab],
    ] as const
  ).map(([key, label, icon, Component]): EditTab => ({
    key,
    label: () => label,
    path: key,
    icon,
    Component,
    only: ['customers', 'providers'],
  })),
  {
    key: 'rate-overrides',
    label: () => 'Rate overrides',
    path: 'rate-overrides',
    icon: PriceChangeIcon,
    Component: RateOverridesTab,
    only: ['customers'],
  },
  {
    key: 'routing',
    label: () => 'Routing',
    path: 'routing',
    icon: AltRouteIcon,
    Component: RoutingTab,
    only: ['customers'],
    adminOnly: true,
  },
  {
    key: 'notifications',
    label: () => 'Notifications',
    path: 'notifications',
    icon: NotificationsIcon,
    Component: NotificationsTab,
    only: ['customers', 'providers'],
  },
  {
    key: 'emails',
    label: () => 'Emails',
    path: 'emails',
    icon: EmailIcon,
    Component: EmailsTab,
    only: ['customers', 'providers'],
  },
  {
    key: 'cdrs',
    label: () => 'CDRs',
    path: 'cdrs',
    icon: PhoneCallbackIcon,
    Component: CdrsTab,
    only: ['customers'],
  },
  {
    key: 'refills',
    label: () => 'Refill Report',
    path: 'refills',
    icon: PaymentsIcon,
    Component: RefillReportTab,
    only: ['customers', 'resellers'],
  },
  {
    key: 'charges',
    label: () => 'Charge History',
    path: 'charges',
    icon: ReceiptLongIcon,
    Component: ChargeHistoryTab,
    only: ['customers', 'resellers'],
  },
  { key: 'audit', label: () => 'Audit History', path: 'audit', icon: HistoryIcon, Component: AuditHistory },
];

/** "Created by template X (version n)", linking to the template; the name is fetched once. */
function TemplateLink({ record }: { record: Account }) {
  const templateId = record.templateId;
  // Through the one data provider; unreadable (deleted...), the link shows the id.
  const { data: template } = useGetOne<Template>(
    'customer-templates',
    { id: templateId ?? 0 },
    { enabled: Boolean(templateId), retry: false },
  );
  const name = template?.name ?? null;
  if (!templateId) return null;
  return (
    <Typography data-testid="template-link">
      Template:{' '}
      <MuiLink component={Link} to={`/customer-templates/${templateId}`}>
        {name ?? `#${templateId}`}
      </MuiLink>{' '}
      (version {record.templateVersion})
    </Typography>
  );
}

function Header({ record, resource }: { record: Account; resource: AccountResource }) {
  return (
    <Stack direction="row" spacing={2} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap', mb: 2 }}>
      <Typography variant="h5" component="h1">
        {record.name}
      </Typography>
      <Typography color="text.secondary">#{record.accountNumber}</Typography>
      <StatusChip status={record.status} />
      {resource === 'providers' ? (
        <Typography>
          Balance: <strong>{formatMoney(record.balance, record.currency)}</strong>
        </Typography>
      ) : (
        <BalanceLine record={record} resource={resource} />
      )}
      <TemplateLink record={record} />
      <Box sx={{ flex: 1 }} />
      <AccountPageActions record={record} resource={resource} />
    </Stack>
  );
}

/** `/#/customers/99999`: say so, instead of falling back to the list without a word. */
function NotFound({ resource, error }: { resource: AccountResource; error: unknown }) {
  const { id } = useParams();
  const status = (error as { status?: number } | null)?.status;
  return (
    <Card sx={{ mt: 2 }}>
      <Title title={`${SINGULAR[resource]} not found`} />
      <CardContent>
        <Typography variant="h5" component="h1" sx={{ mb: 1 }}>
          {status === 404 || status === 400
            ? `${SINGULAR[resource]} not found`
            : 'This account cannot be shown'}
        </Typography>
        <Typography color="text.secondary" sx={{ mb: 2 }}>
          {status === 404 || status === 400
            ? `There is no ${SINGULAR[resource].toLowerCase()} #${id ?? ''} that you can see. It may have been deleted, or the link is wrong.`
            : ((error as Error | null)?.message ?? 'Please try again.')}
        </Typography>
        <Button variant="contained" component={Link} to={`/${resource}`}>
          All {SINGULAR[resource].toLowerCase()}s
        </Button>
      </CardContent>
    </Card>
  );
}

function EditLayout({ resource }: { resource: AccountResource }) {
  const { record, isPending, error } = useEditContext<Account>();
  const { permissions } = usePermissions<string>();
  const location = useLocation();
  if (error) return <NotFound resource={resource} error={error} />;
  if (isPending || !record) return null;
  const base = `/${resource}/${record.id}`;
  const tabs = ACCOUNT_EDIT_TABS.filter(
    (t) => (!t.only || t.only.includes(resource)) && (!t.adminOnly || permissions === 'admin'),
  );
  const current = location.pathname.replace(/\/+$/, '');
  return (
    <Box sx={{ mt: 2 }}>
      <Title title={`${SINGULAR[resource]}: ${record.name}`} />
      <Header record={record} resource={resource} />
      <CreatedSipDeviceNotice accountId={record.id} />
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'flex-start', flexWrap: { xs: 'wrap', md: 'nowrap' } }}>
        <Card component="nav" aria-label={`${SINGULAR[resource]} menu`} sx={{ minWidth: 220, flexShrink: 0 }}>
          <List dense>
            {tabs.map((t) => {
              const to = t.path ? `${base}/${t.path}` : base;
              const Icon = t.icon;
              const selected = current === to;
              return (
                <ListItemButton
                  key={t.key}
                  component={Link}
                  to={to}
                  selected={selected}
                  aria-current={selected ? 'page' : undefined}
                >
                  <ListItemIcon>
                    <Icon />
                  </ListItemIcon>
                  <ListItemText primary={t.label(resource)} />
                </ListItemButton>
              );
            })}
          </List>
        </Card>
        <Card sx={{ flex: 1, minWidth: 0 }}>
          <CardContent>
            <Routes>
              {tabs.map((t) => (
                <Route
                  key={t.key}
                  index={t.path === ''}
                  path={t.path || undefined}
                  element={<t.Component record={record} resource={resource} />}
                />
              ))}
            </Routes>
          </CardContent>
        </Card>
      </Box>
    </Box>
  );
}

/** Edit customer / provider / reseller: left-panel menu, each tab saving on its own. */
export function AccountEdit({ resource }: { resource: AccountResource }) {
  return (
    <EditBase
      resource={resource}
      mutationMode="pessimistic"
      redirect={false}
      // A missing account shows "not found" here (react-admin's default goes back to the list).
      queryOptions={{ retry: false, onError: () => undefined }}
      transform={(values: Record<string, unknown>) =>
        toApiBody(values, { isCreate: false, kind: KIND_OF[resource] })
      }
    >
      <EditLayout resource={resource} />
    </EditBase>
  );
}
