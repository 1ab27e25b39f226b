import type { ReactNode } from 'react';
import { Link as MuiLink } from '@mui/material';
import { Link } from 'react-router-dom';

/** An in-app link in the theme's style (the browser's default blue, underlined, looked foreign). */
export function RouterLink({ to, children, title }: { to: string; children: ReactNode; title?: string }) {
  return (
    <MuiLink component={Link} to={to} title={title} underline="hover">
      {children}
    </MuiLink>
  );
}
