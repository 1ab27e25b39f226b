import { Menu, Title } from 'react-admin';
import { Box, Card, CardContent, Typography } from '@mui/material';
import PhoneCallbackIcon from '@mui/icons-material/PhoneCallback';
import type { EditTabProps } from '../accounts/AccountEdit.js';
import { CdrTable } from './CdrTable.js';

/** The customer edit page's CDRs tab: every call of the customer, refused attempts included. */
export function CdrsTab({ record }: EditTabProps) {
  return (
    <Box>
      <Typography variant="h6" component="h2" sx={{ mb: 2 }}>
        CDRs
      </Typography>
      <CdrTable customerId={record.id} />
    </Box>
  );
}

/** The CDR search across customers (admins: all; resellers: their subtree). */
export function CdrSearchPage() {
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="CDR search" />
      <CardContent>
        <Typography variant="h5" component="h1" sx={{ mb: 2 }}>
          CDR search
        </Typography>
        <CdrTable />
      </CardContent>
    </Card>
  );
}

export function CdrMenuItem() {
  return <Menu.Item to="/cdrs" primaryText="CDR search" leftIcon={<PhoneCallbackIcon />} />;
}
