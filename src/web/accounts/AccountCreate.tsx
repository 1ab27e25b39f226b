import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Alert, Box, Button, Card, CardContent, Step, StepButton, Stepper, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { CreateBase, Form, SaveButton, Title } from 'react-admin';
import { useFormContext, useFormState } from 'react-hook-form';
import { useSearchParams } from 'react-router-dom';
import { templateApi } from '../bulk/bulk-api.js';
import { templateFormValues } from '../templates/template-form.js';
import { errorMessage } from '../shared/error-message.js';
import { generateAccountNumber } from './account-number.js';
import { toApiBody } from './form-fields.js';
import { ACCOUNT_FORM_SECTIONS } from './form-sections.js';
import { NOTIFICATION_FORM_SECTION } from '../notifications/NotificationSettingsStep.js';
import { browserTimeZone } from '../format/format.js';
import { KIND_OF, SINGULAR, type AccountResource } from './types.js';

const FOCUSABLE = 'input:not([type=hidden]):not([disabled]):not([readonly]), textarea:not([disabled])';

/** Create customer / provider / reseller: the documents' sections as steps, NEXT and SUBMIT. */
function Steps({ resource }: { resource: AccountResource }) {
  const [active, setActive] = useState(0);
  const [visited, setVisited] = useState(0);
  const { trigger } = useFormContext();
  const { errors, submitCount } = useFormState();
  const panels = useRef<(HTMLDivElement | null)[]>([]);
  // Customers also get the Notification Setting step (DOMAIN 3.2's wizard ends with it).
  const sections =
    resource === 'customers' ? [...ACCOUNT_FORM_SECTIONS, NOTIFICATION_FORM_SECTION] : ACCOUNT_FORM_SECTIONS;
  const sectionOfField = (field: string) =>
    Math.max(
      0,
      sections.findIndex((s) => s.fields.includes(field)),
    );
  const last = sections.length - 1;
  // The Notification Setting step is optional (its defaults apply): Submit from Billing Settings on.
  const submitFrom = ACCOUNT_FORM_SECTIONS.length - 1;

  // After a submit (client or server errors), show the first step holding an error.
  const errorKeys = Object.keys(errors).filter((k) => k !== 'root');
  const firstErrorStep = errorKeys.length ? Math.min(...errorKeys.map(sectionOfField)) : -1;
  useEffect(() => {
    if (submitCount > 0 && firstErrorStep >= 0) setActive(firstErrorStep);
  }, [submitCount, firstErrorStep]);

  const focusStep = (i: number) =>
    requestAnimationFrame(() => panels.current[i]?.querySelector<HTMLElement>(FOCUSABLE)?.focus());

  const goTo = async (i: number) => {
    if (i > active && !(await trigger(sections[active].fields))) return;
    setActive(i);
    setVisited((v) => Math.max(v, i));
    focusStep(i);
  };

  // Enter in a field moves to the next step instead of submitting an unfinished form.
  const onKeyDown = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement;
    if (e.key !== 'Enter' || active === last) return;
    if (target.tagName !== 'INPUT' || target.getAttribute('role') === 'combobox') return;
    e.preventDefault();
    void goTo(active + 1);
  };

  return (
    <Box onKeyDown={onKeyDown}>
      <Stepper nonLinear activeStep={active} sx={{ mb: 3, flexWrap: 'wrap', rowGap: 1 }} aria-label="Steps">
        {sections.map((s, i) => (
          <Step key={s.key} completed={i < active}>
            <StepButton
              onClick={() => void goTo(i)}
              disabled={i > visited + 1}
              aria-current={i === active ? 'step' : undefined}
            >
              {s.title}
            </StepButton>
          </Step>
        ))}
      </Stepper>
      {sections.map((s, i) => (
        <Box
          key={s.key}
          ref={(el: HTMLDivElement | null) => {
            panels.current[i] = el;
          }}
          role="group"
          aria-labelledby={`step-title-${s.key}`}
          hidden={i !== active}
        >
          <Typography variant="h6" id={`step-title-${s.key}`} component="h2" sx={{ mb: 1 }}>
            {s.title}
          </Typography>
          <s.Component mode="create" resource={resource} />
        </Box>
      ))}
      <Box sx={{ display: 'flex', gap: 1, mt: 2 }}>
        <Button disabled={active === 0} onClick={() => void goTo(active - 1)}>
          Back
        </Button>
        {active < last && (
          <Button
            variant={active < submitFrom ? 'contained' : 'outlined'}
            onClick={() => void goTo(active + 1)}
          >
            Next
          </Button>
        )}
        {active >= submitFrom && <SaveButton label="Submit" alwaysEnable icon={<></>} />}
      </Box>
    </Box>
  );
}

interface TemplatePrefill {
  templateId: number;
  name: string;
  version: number;
  values: Record<string, unknown>;
}

/** `?template=<id>` on the customer create route: the template's name, version and values. */
function useTemplatePrefill(resource: AccountResource) {
  const [params] = useSearchParams();
  const templateId = resource === 'customers' ? Number(params.get('template')) || null : null;
  const query = useQuery({
    queryKey: ['customer-templates', templateId, 'prefill'],
    queryFn: async (): Promise<TemplatePrefill> => {
      const id = templateId!;
      const [t, p] = await Promise.all([templateApi.get(id), templateApi.prefill(id)]);
      return { templateId: id, name: t.name, version: p.templateVersion, values: p.values };
    },
    enabled: templateId !== null,
    retry: false,
    // The form is built once from the values read: a refetch must not change them under it.
    staleTime: Infinity,
    gcTime: 0,
  });
  const prefill = templateId !== null ? (query.data ?? null) : null;
  const error = templateId !== null && query.error ? errorMessage(query.error) : null;
  return { templateId, prefill, error };
}

export function AccountCreate({ resource }: { resource: AccountResource }) {
  const { templateId, prefill, error } = useTemplatePrefill(resource);
  const defaults = useMemo(
    () => ({
      accountNumber: generateAccountNumber(),
      roles: resource === 'providers' ? ['provider'] : ['customer'],
      status: 'active',
      mode: 'prepaid',
      currency: 'USD',
      timezone: browserTimeZone(),
      creditLimit: '0',
      unlimitedCredit: false,
      cliPoolMode: 0,
      billingSchedule: 'monthly',
      billingDay: 1,
      notificationsEnabled: true,
      onlinePayment: false,
      allowLocalCalls: false,
      localCallPricePerMin: '0',
      generateZeroInvoice: false,
      minProfitabilityType: '',
      portalPermissions: ['accountSummary', 'balance', 'invoices'],
      // Every template value replaces the default, and stays editable.
      ...(prefill ? templateFormValues(prefill.values) : {}),
    }),
    [resource, prefill],
  );
  const title = templateId ? `Create ${SINGULAR[resource]} by Template` : `Create ${SINGULAR[resource]}`;
  if (error)
    return (
      <Alert severity="error" sx={{ mt: 2 }}>
        {error}
      </Alert>
    );
  if (templateId && !prefill) return null;
  return (
    <CreateBase
      resource={resource}
      redirect="edit"
      mutationOptions={templateId ? { meta: { templateId } } : undefined}
      transform={(values: Record<string, unknown>) =>
        toApiBody(values, { isCreate: true, kind: KIND_OF[resource] })
      }
    >
      <Title title={title} />
      <Card sx={{ mt: 2, maxWidth: 980 }}>
        <CardContent>
          <Typography variant="h5" component="h1" sx={{ mb: 2 }}>
            {title}
          </Typography>
          {prefill && (
            <Alert severity="info" sx={{ mb: 2 }} role="status">
              Prefilled from template <strong>{prefill.name}</strong> (version {prefill.version}). Every value
              can still be changed; the new customer remembers the template.
            </Alert>
          )}
          <Form
            key={prefill ? `template-${prefill.templateId}` : 'blank'}
            defaultValues={defaults}
            mode="onBlur"
            reValidateMode="onChange"
          >
            <Steps resource={resource} />
          </Form>
        </CardContent>
      </Card>
    </CreateBase>
  );
}
