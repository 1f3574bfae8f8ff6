import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppLogger } from '@storecredit/messaging';
import { defaultDatabaseUrl } from '@storecredit/ledger';
import { AuthRepository } from './auth/auth.repository';
import { AuthService } from './auth/auth.service';
import { gatewayConfigFromEnv } from './gateway.config';
import { GatewayModule } from './gateway.module';

// Written to a file or a pipe, the operator's log is plain text (no colour codes).
Logger.overrideLogger(new AppLogger());

/**
 * `npm run create-business -- <business-id> "<name>" <owner-email>` with OWNER_PASSWORD in the environment:
 * the production way to create a tenant and its first owner (who then adds staff and API keys over HTTP).
 */
async function main([businessId, name, ownerEmail]: string[]): Promise<number> {
  const password = process.env.OWNER_PASSWORD;
  if (!businessId || !name || !ownerEmail || !password) {
    Logger.error('usage: OWNER_PASSWORD=... npm run create-business -- <business-id> "<name>" <owner-email>', 'Cli');
    return 2;
  }
  const config = { ...gatewayConfigFromEnv({ ...process.env, KAFKA_BROKERS: '', DATABASE_URL: '' }), kafkaBrokers: null };
  const app = await NestFactory.createApplicationContext(
    GatewayModule.forRoot(config, { url: process.env.DATABASE_URL ?? defaultDatabaseUrl }),
    { logger: ['error', 'warn'] },
  );
  try {
    await app.get(AuthRepository).createBusiness(businessId, name);
    const owner = await app.get(AuthService).createStaff(businessId, { email: ownerEmail, name: 'Owner', password, role: 'owner' });
    Logger.log(`created business ${businessId} with owner ${owner.email}`, 'Cli');
    return 0;
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    Logger.error(error instanceof Error ? error.message : String(error), 'Cli');
    process.exit(1);
  },
);
