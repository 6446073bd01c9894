/**
 * The web app's paths that more than one module links to. Not `/data` for the Data page: `/data`
 * and below is the Data Service's on the gateway (core's gatewayRoutes), so a reload there would
 * never reach the app.
 */
export const appPaths = {
  overview: '/',
  devices: '/devices',
  importDevices: '/devices/import',
  dataLife: '/data-life',
} as const;
