import { ConsoleLogger } from '@nestjs/common';

/** Nest's start-up chatter: one line per module and route, on every start. */
const startupContexts = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/** The apps' logger: Nest's console logger without the start-up lines, so what is logged is worth reading. */
export class AppLogger extends ConsoleLogger {
  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && startupContexts.has(context)) return;
    super.log(message, ...(rest as [string]));
  }
}
