export { localizationRoutes } from './localizations.routes.js';
export * as localizationsService from './localizations.service.js';
export { localize, translate, type TranslationRule } from './translate.js';
export { localizationAccountHooks } from './localizations.account-hooks.js';
