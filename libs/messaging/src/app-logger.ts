import { ConsoleLogger } from '@nestjs/common';

/** Nest's start-up chatter: one line per module and route, on every start. */
const startupContexts = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/** Colour codes only on a terminal: a log written to a file or a pipe stays plain text (NO_COLOR forces it off). */
export function logColoursWanted(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/** The apps' logger: Nest's console logger without the start-up lines, so what is logged is worth reading. */
export class AppLogger extends ConsoleLogger {
  constructor() {
    super({ colors: logColoursWanted() });
  }

  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && startupContexts.has(context)) return;
    super.log(message, ...(rest as [string]));
  }
}
