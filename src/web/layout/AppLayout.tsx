import { CdrMenuItem } from '../cdrs/CdrPages.js';
import type { ReactNode } from 'react';
import {
  AppBar,
  Layout,
  LoadingIndicator,
  Logout,
  Menu,
  UserMenu,
  useGetIdentity,
  usePermissions,
} from 'react-admin';
import PhoneInTalkIcon from '@mui/icons-material/PhoneInTalk';
import AltRouteIcon from '@mui/icons-material/AltRoute';
import PhoneDisabledIcon from '@mui/icons-material/PhoneDisabled';
import SpeedIcon from '@mui/icons-material/Speed';
import LanIcon from '@mui/icons-material/Lan';
import NumbersIcon from '@mui/icons-material/Numbers';
import PriceChangeIcon from '@mui/icons-material/PriceChange';
import TranslateIcon from '@mui/icons-material/Translate';
import SettingsIcon from '@mui/icons-material/Settings';
import { ViewerZoneButton } from '../format/viewer-zone.js';
import { NotificationMenuItems } from '../notifications/NotificationMenu.js';

/** The user menu button reads "Signed in as <name>" to screen readers and shows the name. */
function SignedInUserMenu() {
  const { identity } = useGetIdentity();
  return (
    <UserMenu label={identity?.fullName ? `Signed in as ${identity.fullName}` : 'Signed-in user'}>
      <Logout />
    </UserMenu>
  );
}

function TollgateAppBar() {
  return (
    <AppBar
      userMenu={<SignedInUserMenu />}
      toolbar={
        <>
          <ViewerZoneButton />
          <LoadingIndicator />
        </>
      }
    />
  );
}

/** The account resources, then the pages that are not one resource (limits, DIDs, rating). */
function TollgateMenu() {
  const { permissions } = usePermissions<string>();
  return (
    <Menu>
      <Menu.DashboardItem />
      <Menu.ResourceItems />
      <Menu.Item to="/live-calls" primaryText="Live Calls" leftIcon={<PhoneInTalkIcon />} />
      {permissions === 'admin' && (
        <>
          <Menu.Item to="/route-plans" primaryText="Route Plans" leftIcon={<AltRouteIcon />} />
          <Menu.Item to="/refusal-reasons" primaryText="Refusal Reasons" leftIcon={<PhoneDisabledIcon />} />
        </>
      )}
      <Menu.Item to="/limits/customers" primaryText="Customer Limit" leftIcon={<SpeedIcon />} />
      <Menu.Item to="/limits/hosts" primaryText="Host" leftIcon={<LanIcon />} />
      <Menu.Item to="/dids" primaryText="DIDs" leftIcon={<NumbersIcon />} />
      <Menu.Item to="/rate-groups" primaryText="Rate Groups" leftIcon={<PriceChangeIcon />} />
      <Menu.Item to="/localizations" primaryText="Localizations" leftIcon={<TranslateIcon />} />
      <CdrMenuItem />
      <NotificationMenuItems />
      {permissions === 'admin' && (
        <Menu.Item to="/settings" primaryText="Settings" leftIcon={<SettingsIcon />} />
      )}
    </Menu>
  );
}

export function AppLayout({ children }: { children: ReactNode }) {
  return (
    <Layout
      appBar={TollgateAppBar}
      menu={TollgateMenu}
      // react-admin sizes the layout to its widest content; a wide grid then widened the whole
      // page and slid under the menu. Let the layout keep the window's width instead: wide content
      // scrolls inside its own card.
      sx={{
        minWidth: 0,
        '& .RaLayout-appFrame, & .RaLayout-contentWithSidebar, & .RaLayout-content': { minWidth: 0 },
      }}
    >
      {children}
    </Layout>
  );
}
