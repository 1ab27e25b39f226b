export { authRoutes } from './auth.routes.js';
export { registerAuthHook } from './auth.plugin.js';
export { ensureFirstAdmin, SESSION_COOKIE } from './auth.service.js';
export * as usersRepository from './auth.repository.js';
export { ApiKeyCache } from './api-key-cache.js';
export { registerSignInHook, type SignInHook, type SignedIn } from './sign-in-hooks.js';
