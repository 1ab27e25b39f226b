export { preferenceRoutes } from './preferences.routes.js';
