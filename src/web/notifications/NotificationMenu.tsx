import { Menu, usePermissions } from 'react-admin';
import MailIcon from '@mui/icons-material/Mail';
import ArticleIcon from '@mui/icons-material/Article';
import WorkHistoryIcon from '@mui/icons-material/WorkHistory';

/** Menu entries of issue 15: the Mail log and Email templates (staff), Jobs (admins only). */
export function NotificationMenuItems() {
  const { permissions } = usePermissions();
  return (
    <>
      <Menu.Item to="/mail-log" primaryText="Mail log" leftIcon={<MailIcon />} />
      <Menu.Item to="/mail-templates" primaryText="Email templates" leftIcon={<ArticleIcon />} />
      {permissions === 'admin' && <Menu.Item to="/jobs" primaryText="Jobs" leftIcon={<WorkHistoryIcon />} />}
    </>
  );
}
