import type { ComponentType, ReactNode } from 'react';
import { Box, IconButton, InputAdornment, Tooltip, Typography } from '@mui/material';
import AutorenewIcon from '@mui/icons-material/Autorenew';
import {
  AutocompleteInput,
  BooleanInput,
  CheckboxGroupInput,
  DateInput,
  FormDataConsumer,
  PasswordInput,
  ReferenceInput,
  SelectInput,
  TextInput,
  email,
  maxLength,
  regex,
  required,
  usePermissions,
} from 'react-admin';
import { useFormContext, useWatch } from 'react-hook-form';
import { useAccountOwner, useConnectivityChoices } from '../connectivity/choices.js';
import { dateIn } from '../format/format.js';
import { generateAccountNumber } from './account-number.js';
import { splitEmails } from './form-fields.js';
import {
  CLI_POOL_CHOICES,
  COUNTRY_CHOICES,
  CURRENCY_CHOICES,
  PORTAL_PERMISSION_CHOICES,
  TIMEZONE_CHOICES,
} from './reference-choices.js';
import type { Account, AccountResource } from './types.js';

export interface SectionProps {
  /** `template`: only the setting fields a customer template carries (DOMAIN 3.3). */
  mode: 'create' | 'edit' | 'template';
  resource: AccountResource;
}

/**
 * The sections of the account form, in the documents' words. The create stepper walks them in
 * order; the edit page's Customer Profile shows them all. `fields` lets a step be validated alone
 * and a server error be shown on the step that holds its field.
 */
export interface FormSection {
  key: string;
  title: string;
  fields: string[];
  Component: ComponentType<SectionProps>;
}

const wide = { width: '100%' } as const;

const emailList =
  (max = 5) =>
  (value: unknown) => {
    const list = splitEmails(value);
    if (list.length > max) return `At most ${max} addresses.`;
    const bad = list.find((e) => !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e));
    return bad ? `Not an email address: ${bad}` : undefined;
  };

const decimal = (places: number, message: string) =>
  regex(new RegExp(`^(0|[1-9][0-9]{0,13})(\\.[0-9]{1,${places}})?$`), message);

const passwordRules = (value: unknown, all: Record<string, unknown>) => {
  if (!value) return undefined;
  const s = String(value);
  if (s.length < 10) return 'At least 10 characters.';
  const username = String(all.portalUsername || all.accountNumber || '');
  if (username && s.toLowerCase() === username.toLowerCase())
    return 'The password must differ from the username.';
  return undefined;
};

const rolesRule = (resource: AccountResource) => (value: unknown) => {
  const roles = Array.isArray(value) ? value : [];
  if (roles.length === 0) return 'Choose at least one type.';
  if (resource === 'providers' && !roles.includes('provider'))
    return 'A provider must have the Provider type.';
  if (resource === 'customers' && !roles.includes('customer') && !roles.includes('provider'))
    return 'Choose at least one type.';
  return undefined;
};

function Row({ children }: { children: ReactNode }) {
  return (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', columnGap: 2, '& > *': { flex: '1 1 260px' } }}>
      {children}
    </Box>
  );
}

function AccountNumberInput({ mode }: SectionProps) {
  const { setValue } = useFormContext();
  if (mode === 'edit')
    return (
      <TextInput
        source="accountNumber"
        label="Account Number"
        readOnly
        helperText="Never changes."
        sx={wide}
      />
    );
  return (
    <TextInput
      source="accountNumber"
      label="Account Number"
      sx={wide}
      validate={regex(/^[0-9]{4,20}$/, '4 to 20 digits.')}
      helperText="Generated: 10 digits. Regenerate it, type your own, or clear it to let the server choose."
      slotProps={{
        input: {
          endAdornment: (
            <InputAdornment position="end">
              <Tooltip title="Generate a new account number">
                <IconButton
                  aria-label="Generate a new account number"
                  edge="end"
                  onClick={() =>
                    setValue('accountNumber', generateAccountNumber(), {
                      shouldDirty: true,
                      shouldValidate: true,
                    })
                  }
                >
                  <AutorenewIcon />
                </IconButton>
              </Tooltip>
            </InputAdornment>
          ),
        },
      }}
    />
  );
}

function RolesInput({ resource }: { resource: AccountResource }) {
  return (
    <CheckboxGroupInput
      source="roles"
      label="Type"
      validate={rolesRule(resource)}
      choices={[
        { id: 'customer', name: 'Customer' },
        { id: 'provider', name: 'Provider' },
      ]}
    />
  );
}

function BasicInfo(props: SectionProps) {
  const { mode, resource } = props;
  if (mode === 'template')
    return (
      <Row>
        <RolesInput resource={resource} />
      </Row>
    );
  return (
    <>
      <Row>
        <TextInput source="name" label="Name" validate={[required(), maxLength(100)]} />
        {resource !== 'resellers' && <RolesInput resource={resource} />}
      </Row>
      <Row>
        <AccountNumberInput {...props} />
        {mode === 'create' && (
          <ReferenceInput source="resellerId" reference="resellers">
            <AutocompleteInput
              label="Reseller"
              helperText="Leave empty for an account of your own."
              optionText={(r: Account) => `${r.name} (${r.accountNumber})`}
              filterToQuery={(q: string) => ({ q })}
            />
          </ReferenceInput>
        )}
      </Row>
      <Row>
        <TextInput
          source="mainEmail"
          label="Main Email"
          type="email"
          validate={mode === 'create' ? [required(), email()] : email()}
        />
        <TextInput
          source="nocEmails"
          label="NOC Email"
          validate={emailList()}
          helperText="Network Operation Centre; up to 5, separated by commas."
        />
      </Row>
      <Row>
        <SelectInput
          source="status"
          label="Status"
          validate={required()}
          choices={[
            { id: 'active', name: 'Active' },
            { id: 'inactive', name: 'Inactive' },
          ]}
        />
        <FormDataConsumer>
          {({ formData }) => (
            <DateInput
              source="validUntil"
              label="Expiry Date"
              helperText="Empty: never expires. Ends at midnight in the account's timezone."
              format={(v: unknown) =>
                typeof v === 'string' && v.includes('T')
                  ? dateIn(v, String(formData.timezone || 'UTC'))
                  : (v ?? '')
              }
            />
          )}
        </FormDataConsumer>
      </Row>
      <Typography variant="subtitle2" sx={{ mt: 1 }}>
        Self Service Portal
      </Typography>
      <Row>
        <TextInput
          source="portalUsername"
          label="Username"
          validate={[regex(/^[A-Za-z0-9._@+-]{3,64}$/, '3 to 64 letters, digits or . _ @ + -')]}
          helperText={mode === 'create' ? 'Empty: the account number.' : undefined}
        />
        {mode === 'create' && (
          <PasswordInput
            source="password"
            label="Password"
            autoComplete="new-password"
            validate={passwordRules}
            helperText="At least 10 characters. Empty: set later with Change Password."
          />
        )}
        <TextInput
          source="pin"
          label="Pin"
          validate={regex(/^[0-9]{6,12}$/, '6 to 12 digits.')}
          helperText="Calling card PIN, 6 to 12 digits."
        />
      </Row>
      {mode === 'create' && resource !== 'resellers' && (
        <Row>
          <BooleanInput
            source="createSipDevice"
            label="Create SIP Device"
            helperText="A SIP device with the account number as username; its password is shown once."
          />
        </Row>
      )}
    </>
  );
}

const CountryInput = () => (
  <AutocompleteInput source="country" label="Country" choices={COUNTRY_CHOICES} validate={required()} />
);

function CompanyInfo({ mode }: SectionProps) {
  if (mode === 'template')
    return (
      <Row>
        <CountryInput />
      </Row>
    );
  return (
    <>
      <Row>
        <TextInput source="companyName" label="Company Name" validate={maxLength(100)} />
        <TextInput source="taxId" label="Tax ID" validate={maxLength(100)} helperText="Shown on invoices." />
      </Row>
      <Row>
        <TextInput
          source="billingEmails"
          label="Billing Email"
          validate={emailList()}
          helperText="Up to 5, separated by commas."
        />
        <TextInput
          source="ratesEmails"
          label="Rates Email"
          validate={emailList()}
          helperText="Up to 5, separated by commas."
        />
      </Row>
      <Row>
        <TextInput source="address1" label="Address 1" validate={maxLength(200)} />
        <TextInput source="address2" label="Address 2" validate={maxLength(200)} />
      </Row>
      <Row>
        <TextInput source="city" label="City" validate={maxLength(100)} />
        <TextInput source="province" label="Province" validate={maxLength(100)} />
        <TextInput source="zip" label="Zip Code" validate={maxLength(20)} />
      </Row>
      <Row>
        <CountryInput />
      </Row>
    </>
  );
}

/** The rate groups and localizations this account's owner may use (in its currency). */
function useAccountChoices() {
  const [resellerId, currency] = useWatch({ name: ['resellerId', 'currency'] }) as [unknown, unknown];
  const owner = useAccountOwner(resellerId);
  return useConnectivityChoices(owner, typeof currency === 'string' ? currency : undefined);
}

function AccountSettings() {
  const { localizations } = useAccountChoices();
  return (
    <>
      <Row>
        <SelectInput
          source="localizationId"
          label="Localization"
          emptyText="None"
          choices={localizations}
          helperText="Translation rules for destination and caller ID."
        />
      </Row>
      <Row>
        <TextInput
          source="callLimit"
          label="Concurrent Calls"
          validate={regex(/^[0-9]{1,7}$/, 'A whole number, 0 or more.')}
          helperText="Call limit. Empty: no limit; 0: no calls."
        />
        <TextInput
          source="cpsLimit"
          label="CPS"
          validate={decimal(2, 'A number with at most 2 decimals.')}
          helperText="Calls per second. Empty: no limit."
        />
      </Row>
      <Row>
        <SelectInput
          source="minProfitabilityType"
          label="Min Profitability"
          emptyText="None"
          choices={[
            { id: 'percent', name: 'Percent' },
            { id: 'absolute', name: 'Value (per minute)' },
          ]}
        />
        <FormDataConsumer>
          {({ formData }) =>
            formData.minProfitabilityType ? (
              <TextInput
                source="minProfitabilityValue"
                label="Min Profitability Value"
                validate={[
                  required(),
                  regex(/^-?[0-9]{1,14}(\.[0-9]{1,6})?$/, 'A number, up to 6 decimals.'),
                ]}
              />
            ) : (
              <span />
            )
          }
        </FormDataConsumer>
      </Row>
      <Row>
        <BooleanInput source="allowLocalCalls" label="Allow Local Calls" />
        <FormDataConsumer>
          {({ formData }) =>
            formData.allowLocalCalls ? (
              <TextInput
                source="localCallPricePerMin"
                label="Local Call Price per Minute"
                validate={decimal(6, 'An amount of 0 or more, up to 6 decimals.')}
              />
            ) : (
              <span />
            )
          }
        </FormDataConsumer>
      </Row>
      <Row>
        <BooleanInput source="notificationsEnabled" label="Notifications" />
        <BooleanInput source="onlinePayment" label="Payment Gateway Permission" />
      </Row>
      <CheckboxGroupInput
        source="portalPermissions"
        label="Permissions (Self Service Portal)"
        choices={PORTAL_PERMISSION_CHOICES}
        sx={{
          '& .MuiFormGroup-root': {
            display: 'grid',
            gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))',
          },
        }}
      />
    </>
  );
}

const TimezoneInput = () => (
  <AutocompleteInput
    source="timezone"
    label="Timezone"
    choices={TIMEZONE_CHOICES}
    validate={required()}
    helperText="Dates and schedules of this account use it, daylight saving included."
  />
);

function Profile({ mode }: SectionProps) {
  if (mode === 'template')
    return (
      <Row>
        <TimezoneInput />
      </Row>
    );
  return (
    <>
      <Row>
        <TextInput source="firstName" label="First Name" validate={maxLength(60)} />
        <TextInput source="lastName" label="Last Name" validate={maxLength(60)} />
      </Row>
      <Row>
        <TextInput
          source="phone"
          label="Phone"
          validate={regex(/^[0-9+() .-]{0,40}$/, 'Digits, spaces and + ( ) . - only.')}
        />
        <TextInput
          source="notificationEmails"
          label="Notification Email"
          validate={emailList()}
          helperText="Up to 5, separated by commas."
        />
      </Row>
      <Row>
        <TimezoneInput />
      </Row>
    </>
  );
}

/** Billing schedule and, when monthly, the billing day (the account form and Mass Create). */
export function BillingScheduleInputs() {
  return (
    <Row>
      <SelectInput
        source="billingSchedule"
        label="Billing Schedule"
        validate={required()}
        choices={[
          { id: 'daily', name: 'Daily' },
          { id: 'monthly', name: 'Monthly' },
        ]}
      />
      <FormDataConsumer>
        {({ formData }) =>
          formData.billingSchedule === 'monthly' ? (
            <SelectInput
              source="billingDay"
              label="Billing Day"
              choices={Array.from({ length: 28 }, (_, i) => ({ id: i + 1, name: String(i + 1) }))}
            />
          ) : (
            <span />
          )
        }
      </FormDataConsumer>
    </Row>
  );
}

function BillingSettings({ mode }: SectionProps) {
  const { permissions } = usePermissions<string>();
  const { rateGroups } = useAccountChoices();
  return (
    <>
      <Row>
        <SelectInput
          source="mode"
          label="Account Type"
          validate={required()}
          choices={[
            { id: 'prepaid', name: 'Prepaid' },
            { id: 'postpaid', name: 'Postpaid' },
          ]}
        />
        <AutocompleteInput
          source="currency"
          label="Currency"
          choices={CURRENCY_CHOICES}
          validate={required()}
          readOnly={mode === 'edit'}
          helperText={mode === 'edit' ? 'Fixed once the account exists.' : undefined}
        />
      </Row>
      <FormDataConsumer>
        {({ formData }) =>
          mode === 'create' && formData.mode === 'prepaid' ? (
            <Row>
              <TextInput
                source="testCredit"
                label="Test Credit"
                validate={decimal(6, 'An amount of 0 or more, up to 6 decimals.')}
                helperText="Credit to try the service with, posted to the ledger when the account is created."
              />
            </Row>
          ) : null
        }
      </FormDataConsumer>
      <FormDataConsumer>
        {({ formData }) =>
          formData.mode === 'postpaid' ? (
            <Row>
              <TextInput
                source="creditLimit"
                label="Credit Limit"
                validate={decimal(6, 'An amount of 0 or more, up to 6 decimals.')}
                helperText="How far below zero the balance may go."
                disabled={Boolean(formData.unlimitedCredit)}
              />
              {permissions === 'admin' && <BooleanInput source="unlimitedCredit" label="Unlimited Credit" />}
            </Row>
          ) : null
        }
      </FormDataConsumer>
      <Row>
        <SelectInput source="cliPoolMode" label="CLI Pool" choices={CLI_POOL_CHOICES} validate={required()} />
      </Row>
      <Row>
        <SelectInput source="rateGroupId" label="Rate Group" emptyText="None" choices={rateGroups} />
        <SelectInput
          source="nonCliRateGroupId"
          label="NON-CLI Rate Group"
          emptyText="None"
          choices={rateGroups}
          helperText="Used by the CLI pool modes that fall back to it."
        />
      </Row>
      <BillingScheduleInputs />
      <Row>
        <BooleanInput source="generateZeroInvoice" label="Generate Invoice for zero amount" />
      </Row>
      <Row>
        <TextInput
          source="invoiceNote"
          label="Invoice Note"
          multiline
          minRows={2}
          validate={maxLength(500)}
        />
        {mode !== 'template' && <TextInput source="reference" label="Reference" validate={maxLength(100)} />}
      </Row>
    </>
  );
}

export const ACCOUNT_FORM_SECTIONS: FormSection[] = [
  {
    key: 'basic',
    title: 'Basic Info',
    fields: [
      'name',
      'roles',
      'accountNumber',
      'resellerId',
      'mainEmail',
      'nocEmails',
      'status',
      'validUntil',
      'portalUsername',
      'password',
      'pin',
      'createSipDevice',
    ],
    Component: BasicInfo,
  },
  {
    key: 'company',
    title: 'Company Info',
    fields: [
      'companyName',
      'taxId',
      'billingEmails',
      'ratesEmails',
      'address1',
      'address2',
      'city',
      'province',
      'zip',
      'country',
    ],
    Component: CompanyInfo,
  },
  {
    key: 'settings',
    title: 'Account Settings',
    fields: [
      'localizationId',
      'callLimit',
      'cpsLimit',
      'minProfitabilityType',
      'minProfitabilityValue',
      'allowLocalCalls',
      'localCallPricePerMin',
      'notificationsEnabled',
      'onlinePayment',
      'portalPermissions',
    ],
    Component: AccountSettings,
  },
  {
    key: 'profile',
    title: 'Profile',
    fields: ['firstName', 'lastName', 'phone', 'notificationEmails', 'timezone'],
    Component: Profile,
  },
  {
    key: 'billing',
    title: 'Billing Settings',
    fields: [
      'mode',
      'currency',
      'creditLimit',
      'testCredit',
      'unlimitedCredit',
      'cliPoolMode',
      'rateGroupId',
      'nonCliRateGroupId',
      'billingSchedule',
      'billingDay',
      'generateZeroInvoice',
      'invoiceNote',
      'reference',
    ],
    Component: BillingSettings,
  },
];

/** The section that shows a field (for jumping to a server error). */
export function sectionOfField(field: string): number {
  const i = ACCOUNT_FORM_SECTIONS.findIndex((s) => s.fields.includes(field));
  return i < 0 ? 0 : i;
}
