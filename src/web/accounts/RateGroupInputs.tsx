import { Box } from '@mui/material';
import { AutocompleteInput, ReferenceInput } from 'react-admin';
import { useWatch } from 'react-hook-form';
import { useAccountOwner } from '../connectivity/choices.js';

interface RateGroupOption {
  id: number;
  name: string;
  currency: string;
}

const rateGroupText = (r: RateGroupOption) => `${r.name} (${r.currency})`;

/**
 * Rate group and non-CLI rate group, chosen by name (the template page and mass create): only the
 * active groups of the accounts' owner (the form's reseller, else the signed-in user's), in their
 * currency.
 */
export function RateGroupInputs() {
  const [resellerId, currency] = useWatch({ name: ['resellerId', 'currency'] }) as [unknown, unknown];
  const owner = useAccountOwner(resellerId);
  const filter = {
    status: 'active',
    ...(owner !== null ? { resellerId: owner } : {}),
    ...(typeof currency === 'string' && currency ? { currency } : {}),
  };
  return (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', columnGap: 2, '& > *': { flex: '1 1 260px' } }}>
      <ReferenceInput source="rateGroupId" reference="rate-groups" filter={filter}>
        <AutocompleteInput
          label="Rate Group"
          optionText={rateGroupText}
          filterToQuery={(q: string) => ({ name: q })}
        />
      </ReferenceInput>
      <ReferenceInput source="nonCliRateGroupId" reference="rate-groups" filter={filter}>
        <AutocompleteInput
          label="Non-CLI Rate Group"
          helperText="Used by CLI pool modes 3 to 5."
          optionText={rateGroupText}
          filterToQuery={(q: string) => ({ name: q })}
        />
      </ReferenceInput>
    </Box>
  );
}
