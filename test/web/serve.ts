/**
 * A development gateway for the web app, on real PostgreSQL and Kafka (as the browser tests use it):
 *   npx ts-node -r tsconfig-paths/register --transpile-only test/web/serve.ts
 * PORT (default 3100) sets the port; the database and topics are fresh and dropped on Ctrl+C.
 */
import { Logger } from '@nestjs/common';
import { addBalance, issueGiftCard, startWebServer } from './web-server';

async function main(): Promise<void> {
  const server = await startWebServer({ port: Number.parseInt(process.env.PORT ?? '3100', 10) });
  const layla = await server.createClient('Layla Haddad', { phone: '+971 50 123 4567', email: 'layla@example.com' });
  await addBalance(server.api, layla, '150.00', 'AED', 'Opening balance');
  const kenji = await server.createClient('Kenji Watanabe', { phone: '+81 90 1234 5678', email: 'kenji@example.com' });
  await addBalance(server.api, kenji, '5000', 'JPY');
  const amira = await server.createClient('Amira Nasser', { phone: '+965 6000 1234', email: 'amira@example.com' });
  await addBalance(server.api, amira, '12.500', 'KWD');
  await server.createClient('Sara Lindqvist', { phone: '+971 52 987 6543', email: 'sara@example.com' });
  const card = await issueGiftCard(server.api, '50.00');
  const logger = new Logger('web dev server');
  logger.log(`web app on ${server.url}`);
  logger.log(`owner: ${server.owner.email} / ${server.owner.password}`);
  logger.log(`front desk: ${server.frontDesk.email} / ${server.frontDesk.password}`);
  logger.log(`an unredeemed gift card: ${card.code}`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
