import { Typography } from '@mui/material';
import { useDataProvider } from 'react-admin';
import type { EditTabProps } from '../accounts/AccountEdit.js';
import { formatRate } from '../format/format.js';
import { StatusChip } from '../layout/StatusChip.js';
import type { FieldSpec } from '../shared/EntityDialog.js';
import { ResourceTable, resourceWrites } from '../shared/ResourceTable.js';
import { useResourceList } from '../shared/resource-list.js';
import { STATUS_CHOICES } from './choices.js';
import type { RateOverride } from './conn-api.js';

/*
 * The customer's Rate overrides tab: its own rates, ranked with the rows of the rate group its
 * call selects (DOMAIN 4 step 7): the longest code wins; on the same code the override wins. Same
 * fields as a rate group's rates, plus a status; the next call uses a change.
 */

const FIELDS: FieldSpec[] = [
  { name: 'prefix', label: 'Code', required: true, only: 'create', help: 'Digits, e.g. 4420' },
  { name: 'destination', label: 'Destination' },
  { name: 'ratePerMin', label: 'Rate per minute', kind: 'decimal', required: true, width: 180 },
  { name: 'connectFee', label: 'Connect fee', kind: 'decimal', width: 160 },
  { name: 'includedSeconds', label: 'Included seconds', kind: 'integer', width: 160 },
  {
    name: 'initialIncrement',
    label: 'Initial increment',
    kind: 'integer',
    help: "0 = the group's",
    width: 160,
  },
  {
    name: 'billingIncrement',
    label: 'Billing increment',
    kind: 'integer',
    help: "0 = the group's",
    width: 160,
  },
  { name: 'effectiveFrom', label: 'Effective from', help: 'ISO date-time; blank = now', width: 250 },
  { name: 'effectiveTo', label: 'Effective to', nullable: true, help: 'Blank = open-ended', width: 250 },
  { name: 'status', label: 'Status', kind: 'select', choices: STATUS_CHOICES, width: 160 },
];

const INTRO = (
  <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
    An override prices this customer&apos;s calls to its code instead of the rate group. The longest matching
    code still wins: an override for 44 does not replace the group&apos;s 4420 for London numbers; on the same
    code the override wins.
  </Typography>
);

export function RateOverridesTab({ record }: EditTabProps) {
  const money = (v: string) => formatRate(v, record.currency);
  const dataProvider = useDataProvider();
  // Listed whole, added, edited and deleted under the customer: /customers/:id/rate-overrides[/:id].
  const overrides = `customers/${record.id}/rate-overrides`;
  const list = useResourceList<RateOverride>(overrides, { perPage: 500 });
  return (
    <>
      {INTRO}
      <ResourceTable
        title="Rate overrides"
        noun="rate override"
        list={list}
        fields={FIELDS}
        createIntro={INTRO}
        {...resourceWrites<RateOverride>(dataProvider, overrides, overrides)}
        empty="No rate overrides: every call is priced by the customer's rate group."
        columns={[
          { label: 'Code', value: (r) => r.prefix },
          { label: 'Destination', value: (r) => r.destination },
          { label: 'Per minute', value: (r) => money(r.ratePerMin) },
          { label: 'Connect fee', value: (r) => money(r.connectFee) },
          { label: 'Included', value: (r) => `${r.includedSeconds} s` },
          {
            label: 'Increments',
            value: (r) => `${r.initialIncrement || 'group'} / ${r.billingIncrement || 'group'}`,
          },
          {
            label: 'Valid',
            value: (r) =>
              `${r.effectiveFrom.slice(0, 10)} – ${r.effectiveTo ? r.effectiveTo.slice(0, 10) : 'open'}`,
          },
          { label: 'Status', value: (r) => <StatusChip status={r.status} /> },
        ]}
      />
    </>
  );
}
