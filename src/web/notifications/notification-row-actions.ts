import { useNotify } from 'react-admin';
import { errorMessage } from '../shared/error-message.js';
import { notificationsApi } from './notifications-api.js';

/** Row action "Send welcome letter": queues the mail now and says whether it will be sent. */
export function useSendWelcomeLetter() {
  const notify = useNotify();
  return async (a: { id: number; name: string }) => {
    try {
      const r = await notificationsApi.welcomeLetter(a.id);
      notify(
        r.status === 'queued' ? `Welcome letter to ${a.name} queued` : `Kept, not sent: ${r.skipReason}`,
        {
          type: r.status === 'queued' ? 'success' : 'warning',
        },
      );
    } catch (e) {
      notify(errorMessage(e), { type: 'error' });
    }
  };
}

/** Row action "Send low balance alert": sends now; the low-balance state does not change. */
export function useSendLowBalanceAlert() {
  const notify = useNotify();
  return async (a: { id: number; name: string }) => {
    try {
      const r = await notificationsApi.lowBalanceAlert(a.id);
      notify(
        r.status === 'queued' ? `Low balance alert to ${a.name} queued` : `Kept, not sent: ${r.skipReason}`,
        {
          type: r.status === 'queued' ? 'success' : 'warning',
        },
      );
    } catch (e) {
      notify(errorMessage(e), { type: 'error' });
    }
  };
}
