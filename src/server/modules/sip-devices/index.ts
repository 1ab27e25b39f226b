export { sipDeviceRoutes } from './sip-devices.routes.js';
export * as sipDevicesService from './sip-devices.service.js';
export {
  devicesByUsername,
  insertDevicesBulk,
  takenSipUsernames,
  updateDevice,
} from './sip-devices.repository.js';
export { sipDeviceAccountHooks } from './sip-devices.account-hooks.js';
