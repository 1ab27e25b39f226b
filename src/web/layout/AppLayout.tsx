import type { ReactNode } from 'react';
import { AppBar, Layout, Logout, UserMenu, useGetIdentity } from 'react-admin';

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
  return <AppBar userMenu={<SignedInUserMenu />} />;
}

export function AppLayout({ children }: { children: ReactNode }) {
  return <Layout appBar={TollgateAppBar}>{children}</Layout>;
}
