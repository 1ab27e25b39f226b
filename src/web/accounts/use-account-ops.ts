import { useDataProvider, useNotify, useRefresh } from 'react-admin';
import type { TollgateDataProvider } from '../api/data-provider.js';

/** What an action needs: the typed data provider, a toast and a list refresh. */
export function useAccountOps() {
  const dataProvider = useDataProvider<TollgateDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  return { dataProvider, notify, refresh };
}
