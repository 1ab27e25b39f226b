import { Box } from '@mui/material';
import { AutocompleteInput, ReferenceInput } from 'react-admin';

interface RateGroupOption {
  id: number;
  name: string;
  currency: string;
}

const rateGroupText = (r: RateGroupOption) => `${r.name} (${r.currency})`;

/** Rate group and non-CLI rate group, chosen by name (the template page and mass create). */
export function RateGroupInputs() {
  return (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', columnGap: 2, '& > *': { flex: '1 1 260px' } }}>
      <ReferenceInput source="rateGroupId" reference="rate-groups">
        <AutocompleteInput
          label="Rate Group"
          optionText={rateGroupText}
          filterToQuery={(q: string) => ({ name: q })}
        />
      </ReferenceInput>
      <ReferenceInput source="nonCliRateGroupId" reference="rate-groups">
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
