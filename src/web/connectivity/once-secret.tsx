import { useState } from 'react';
import { Alert, Typography } from '@mui/material';
import { CopyButton } from '../layout/CopyButton.js';

/*
 * The SIP device that "Create SIP Device" made with a new account comes back once, in the create
 * answer. The data provider hands it here; the new account's edit page shows it one time.
 */

interface CreatedDevice {
  username: string;
  secret: string;
}

const pending = new Map<number, CreatedDevice>();

export function rememberCreatedSipDevice(accountId: number, device: CreatedDevice): void {
  pending.set(accountId, device);
}

export function CreatedSipDeviceNotice({ accountId }: { accountId: number }) {
  const [device] = useState(() => {
    const d = pending.get(accountId) ?? null;
    pending.delete(accountId);
    return d;
  });
  if (!device) return null;
  return (
    <Alert severity="warning" sx={{ mb: 2 }} role="status">
      SIP device <strong>{device.username}</strong> created. Its password is shown only now:{' '}
      <Typography component="code" data-testid="created-sip-secret">
        {device.secret}
      </Typography>
      <CopyButton text={device.secret} label="Copy the password" />
    </Alert>
  );
}
