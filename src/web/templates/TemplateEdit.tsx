import { useState } from 'react';
import { Alert, Box, Button, Card, CardContent, Chip, Stack, Typography } from '@mui/material';
import SyncIcon from '@mui/icons-material/Sync';
import { Form, SaveButton, TextInput, Title, maxLength, required, useGetOne, useNotify } from 'react-admin';
import { Link, useParams } from 'react-router-dom';
import { ApiError } from '../api/http.js';
import { formFieldOf } from '../accounts/form-fields.js';
import { ACCOUNT_FORM_SECTIONS } from '../accounts/form-sections.js';
import { errorMessage } from '../shared/error-message.js';
import { formatCount } from '../format/format.js';
import { templateApi, type Template } from '../bulk/bulk-api.js';
import { ReapplyDialog } from './ReapplyDialog.js';
import { templateFormValues, templateSettingsOf } from './template-form.js';

/** A server error on `settings.creditLimit` (schema) or `creditLimit` (rules) -> that input. */
function formErrorsOf(e: unknown): Record<string, string> | undefined {
  if (!(e instanceof ApiError) || typeof e.details.field !== 'string') return undefined;
  const field = formFieldOf(e.details.field.replace(/^settings\./, ''));
  return field && field !== 'settings' && field !== 'body' ? { [field]: e.message } : undefined;
}

/**
 * A template's page: its name and description, and its values in the customer form's sections
 * (only the fields a template carries). Saving changes no customer; Re-apply does, after a preview.
 */
export function TemplateEdit() {
  const { id } = useParams();
  const templateId = Number(id);
  const notify = useNotify();
  const {
    data: template,
    error: loadError,
    refetch,
  } = useGetOne<Template>('customer-templates', { id: templateId }, { retry: false });
  const error = loadError ? errorMessage(loadError) : null;
  const [reapplying, setReapplying] = useState(false);
  const load = () => void refetch();

  if (error)
    return (
      <Alert severity="error" sx={{ mt: 2 }}>
        {error}
      </Alert>
    );
  if (!template) return null;

  const save = async (values: Record<string, unknown>) => {
    try {
      const saved = await templateApi.update(template.id, {
        name: String(values.templateName ?? '').trim(),
        description: String(values.templateDescription ?? '').trim() || null,
        settings: templateSettingsOf(values, template.settings),
      });
      // The page reads the saved template (its version, the form's values) again.
      load();
      notify(
        saved.version !== template.version
          ? `Template saved as version ${saved.version}. No customer changed: use Re-apply.`
          : 'Template saved',
        { type: 'success' },
      );
      return undefined;
    } catch (e) {
      notify(errorMessage(e), { type: 'error' });
      return formErrorsOf(e);
    }
  };

  const record = {
    id: template.id,
    ...templateFormValues(template.settings),
    templateName: template.name,
    templateDescription: template.description ?? '',
  };
  return (
    <Box sx={{ mt: 2, maxWidth: 980 }}>
      <Title title={`Template: ${template.name}`} />
      <Stack direction="row" spacing={2} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap', mb: 2 }}>
        <Typography variant="h5" component="h1">
          Template: {template.name}
        </Typography>
        <Chip size="small" label={`Version ${template.version}`} />
        <Typography color="text.secondary">
          Used by {formatCount(template.usedBy)} customer{template.usedBy === 1 ? '' : 's'}
        </Typography>
        <Box sx={{ flex: 1 }} />
        <Button
          variant="outlined"
          startIcon={<SyncIcon />}
          disabled={template.usedBy === 0}
          onClick={() => setReapplying(true)}
        >
          Re-apply to linked customers
        </Button>
        <Button component={Link} to="/customer-templates">
          All templates
        </Button>
      </Stack>
      <Card>
        <CardContent>
          <Form record={record} onSubmit={save} mode="onBlur" key={`${template.id}-${template.updatedAt}`}>
            <Box component="section" aria-labelledby="section-template" sx={{ mb: 3 }}>
              <Typography variant="h6" component="h2" id="section-template" sx={{ mb: 1 }}>
                Template
              </Typography>
              <Box sx={{ display: 'flex', flexWrap: 'wrap', columnGap: 2, '& > *': { flex: '1 1 260px' } }}>
                <TextInput
                  source="templateName"
                  label="Template Name"
                  validate={[required(), maxLength(100)]}
                />
                <TextInput source="templateDescription" label="Description" validate={maxLength(500)} />
              </Box>
            </Box>
            {ACCOUNT_FORM_SECTIONS.map((s) => (
              <Box key={s.key} component="section" aria-labelledby={`section-${s.key}`} sx={{ mb: 3 }}>
                <Typography variant="h6" component="h2" id={`section-${s.key}`} sx={{ mb: 1 }}>
                  {s.title}
                </Typography>
                <s.Component mode="template" resource="customers" />
              </Box>
            ))}
            <Alert severity="info" sx={{ mb: 2 }}>
              Saving changes the template only. Customers created by it keep their values until you re-apply.
            </Alert>
            <SaveButton label="Save" />
          </Form>
        </CardContent>
      </Card>
      {reapplying && (
        <ReapplyDialog
          template={template}
          onClose={() => {
            setReapplying(false);
            load();
          }}
        />
      )}
    </Box>
  );
}
