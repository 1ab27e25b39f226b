import { AppError, conflict, notFound } from '../../platform/errors.js';

/** The template does not exist or is outside the actor's scope (never told apart). */
export const templateNotFound = () => notFound('TEMPLATE_NOT_FOUND', 'Template not found.');
/** Another template of the same owner has this name (case-insensitive). */
export const templateNameTaken = () =>
  conflict('TEMPLATE_NAME_TAKEN', 'name', 'Another template of the same owner already has this name.');
/** The template changed since the preview the caller approved. */
export const templateVersionChanged = (current: number) =>
  new AppError(
    'TEMPLATE_VERSION_CHANGED',
    `The template is now at version ${current}; preview again before applying.`,
    { field: 'expectedVersion', currentVersion: current },
  );
/** Re-apply was asked for a customer that is not linked to this template. */
export const notLinkedToTemplate = () =>
  new AppError('NOT_LINKED_TO_TEMPLATE', 'This customer is not linked to this template.');
