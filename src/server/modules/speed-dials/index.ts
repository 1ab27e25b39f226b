export { speedDialRoutes } from './speed-dials.routes.js';
export * as speedDialsService from './speed-dials.service.js';
export { expandSpeedDial } from './speed-dials.service.js';
export { speedDialAccountHooks } from './speed-dials.account-hooks.js';
