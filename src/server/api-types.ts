/*
 * The API's wire types, derived from the route schemas (TypeBox `Static<>`), for the admin UI.
 *
 * This is the one server file the web app may import, and only with `import type` (ESLint's
 * boundary rule, eslint.config.js): every import here is type-only and every export a type, so
 * the UI bundle never pulls server code, while a renamed or retyped response field fails
 * `tsc --noEmit` in the screen that reads it instead of in the browser.
 */
import type { Static } from 'typebox';
import type { Account, AccountPage, AuditEntry, BulkResult } from './modules/accounts/accounts.schemas.js';
import type { BlockedCode } from './modules/blocked-codes/blocked-codes.schemas.js';
import type {
  AlarmList,
  LiveCallList,
  ReasonSetting,
  RoutePlan,
  RoutePlanAssignment,
  RoutePlanEntry,
} from './modules/call-auth/call-auth.schemas.js';
import type { CallerId, ForceCallerId } from './modules/caller-ids/caller-ids.schemas.js';
import type { CdrDetail, CdrPage, CdrTotals } from './modules/cdrs/cdrs.search.schemas.js';
import type { Warning } from './platform/http/schemas.js';
import type { RateOverride } from './modules/rate-groups/rate-overrides.schemas.js';
import type { Dashboard, TopDestinations, Usage } from './modules/dashboard/dashboard.schemas.js';
import type { Did, DidPage } from './modules/dids/dids.schemas.js';
import type { CustomerImport, ImportFields, ImportIssue } from './modules/imports/imports.schemas.js';
import type { Job, JobList } from './modules/jobs/jobs.schemas.js';
import type { BalanceSummary, BulkResetResult, LedgerEntryListed } from './modules/ledger/ledger.schemas.js';
import type {
  Localization,
  LocalizationPage,
  PreviewResult,
  Rule,
} from './modules/localizations/localizations.schemas.js';
import type { MassCreate } from './modules/mass-create/mass-create.schemas.js';
import type { Mail, MailDetail, MailList, QueuedMail } from './modules/notifications/mails.schemas.js';
import type {
  NotificationSettings,
  NotificationSettingsBody,
} from './modules/notifications/settings.schemas.js';
import type { MailTemplate, Preview } from './modules/notifications/templates.schemas.js';
import type {
  LookupResult,
  Rate,
  RateGroup,
  RateGroupPage,
  RatePage,
  UploadResult,
} from './modules/rate-groups/rate-groups.schemas.js';
import type { DeckError } from './modules/rate-groups/rate-groups.errors.js';
import type { SystemSettings, SystemSettingsBody } from './modules/settings/settings.schemas.js';
import type { SipDevice, SipDeviceWithSecret } from './modules/sip-devices/sip-devices.schemas.js';
import type { SpeedDial } from './modules/speed-dials/speed-dials.schemas.js';
import type {
  FieldChange,
  ReapplyPreview,
  ReapplyResult,
  Template,
} from './modules/templates/templates.schemas.js';
import type {
  CustomerLimitPage,
  CustomerLimitRow,
  Host,
  HostViewPage,
  HostViewRow,
  Trunk,
  TrunkPage,
} from './modules/trunks/trunks.schemas.js';

type Item<L extends { data: unknown[] }> = L['data'][number];

// Accounts, audit, dashboard
export type AccountDto = Static<typeof Account>;
export type AccountPageDto = Static<typeof AccountPage>;
export type AuditEntryDto = Static<typeof AuditEntry>;
export type BulkResultDto = Static<typeof BulkResult>;
export type DashboardDto = Static<typeof Dashboard>;
export type DashboardUsageDto = Static<typeof Usage>;
export type TopDestinationsDto = Static<typeof TopDestinations>;
export type CurrencyMarginDto = DashboardUsageDto['totals']['money'][number];

// Connectivity (trunks, hosts, limits, SIP devices, caller IDs, blocked codes, speed dials, DIDs)
export type WarningDto = Static<typeof Warning>;
export type TrunkDto = Static<typeof Trunk>;
export type TrunkPageDto = Static<typeof TrunkPage>;
export type HostDto = Static<typeof Host>;
export type HostViewRowDto = Static<typeof HostViewRow>;
export type HostViewPageDto = Static<typeof HostViewPage>;
export type CustomerLimitRowDto = Static<typeof CustomerLimitRow>;
export type CustomerLimitPageDto = Static<typeof CustomerLimitPage>;
export type SipDeviceDto = Static<typeof SipDevice>;
export type SipDeviceWithSecretDto = Static<typeof SipDeviceWithSecret>;
export type CallerIdDto = Static<typeof CallerId>;
export type ForceCallerIdDto = Static<typeof ForceCallerId>;
export type BlockedCodeDto = Static<typeof BlockedCode>;
export type SpeedDialDto = Static<typeof SpeedDial>;
export type DidDto = Static<typeof Did>;
export type DidPageDto = Static<typeof DidPage>;

// Rates and localizations
export type RateGroupDto = Static<typeof RateGroup>;
export type RateGroupPageDto = Static<typeof RateGroupPage>;
export type RateDto = Static<typeof Rate>;
export type RateOverrideDto = Static<typeof RateOverride>;
export type RatePageDto = Static<typeof RatePage>;
export type UploadResultDto = Static<typeof UploadResult>;
/** One bad row of a refused rate deck (RATE_DECK_INVALID's `details.errors`). */
export type RateDeckErrorDto = DeckError;
export type LookupResultDto = Static<typeof LookupResult>;
export type RuleDto = Static<typeof Rule>;
export type LocalizationDto = Static<typeof Localization>;
export type LocalizationPageDto = Static<typeof LocalizationPage>;
export type PreviewResultDto = Static<typeof PreviewResult>;

// Call authorization
export type LiveCallListDto = Static<typeof LiveCallList>;
export type LiveCallDto = Item<LiveCallListDto>;
export type CallAlarmDto = Item<Static<typeof AlarmList>>;
export type AlarmListDto = Static<typeof AlarmList>;
export type RoutePlanEntryDto = Static<typeof RoutePlanEntry>;
export type RoutePlanDto = Static<typeof RoutePlan>;
export type RoutePlanAssignmentDto = Static<typeof RoutePlanAssignment>;
export type ReasonSettingDto = Static<typeof ReasonSetting>;

// CDRs
export type CdrDto = Item<Static<typeof CdrPage>>;
export type CdrPageDto = Static<typeof CdrPage>;
export type CdrDetailDto = Static<typeof CdrDetail>;
export type CdrTotalsDto = Static<typeof CdrTotals>;
export type CdrTotalsLineDto = CdrTotalsDto['byCurrency'][number];

// Ledger
export type LedgerEntryDto = Static<typeof LedgerEntryListed>;
export type BalanceSummaryDto = Static<typeof BalanceSummary>;
export type BulkResetResultDto = Static<typeof BulkResetResult>;

// System settings
export type SystemSettingsDto = Static<typeof SystemSettings>;
export type SystemSettingsBodyDto = Static<typeof SystemSettingsBody>;

// Notifications and jobs
export type MailDto = Static<typeof Mail>;
export type MailListDto = Static<typeof MailList>;
export type MailDetailDto = Static<typeof MailDetail>;
export type QueuedMailDto = Static<typeof QueuedMail>;
export type MailTemplateDto = Static<typeof MailTemplate>;
export type TemplatePreviewDto = Static<typeof Preview>;
export type NotificationSettingsBodyDto = Static<typeof NotificationSettingsBody>;
export type NotificationSettingsDto = Static<typeof NotificationSettings>;
export type JobDto = Static<typeof Job>;
export type JobListDto = Static<typeof JobList>;

// Bulk work: imports, mass create, templates
export type CustomerImportDto = Static<typeof CustomerImport>;
export type ImportIssueDto = Static<typeof ImportIssue>;
export type ImportFieldsDto = Static<typeof ImportFields>;
export type ImportFieldDto = Item<ImportFieldsDto>;
export type ImportLayoutDto = ImportFieldsDto['layouts'][number];
export type MassCreateDto = Static<typeof MassCreate>;
export type TemplateDto = Static<typeof Template>;
export type FieldChangeDto = Static<typeof FieldChange>;
export type ReapplyPreviewDto = Static<typeof ReapplyPreview>;
export type ReapplyResultDto = Static<typeof ReapplyResult>;
