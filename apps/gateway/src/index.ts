/** The gateway's public entry: what a composition (the all-in-one start) plugs in. */
export { demoBusinessId, demoLoginsFile, readDemoLogins, seedDemo } from './embedded/demo-seed';
export { createGatewayApp } from './gateway.app';
export { gatewayConfigFromEnv, type GatewayConfig } from './gateway.config';
export type { GatewayDatabase } from './gateway.module';
