import { Tooltip } from '@mui/material';
import WarningAmberIcon from '@mui/icons-material/WarningAmber';
import type { Warning } from './conn-api.js';

/** Shows the soft warnings of a saved object (a lower level's limit above an upper one). */
export function Warnings({ warnings }: { warnings: Warning[] }) {
  if (!warnings.length) return null;
  return (
    <Tooltip title={warnings.map((w) => w.message).join(' ')}>
      <WarningAmberIcon
        color="warning"
        fontSize="small"
        aria-label={warnings.map((w) => w.message).join(' ')}
      />
    </Tooltip>
  );
}
