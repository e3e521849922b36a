import type { LoggerService, LogLevel } from '@nestjs/common';

/** Contexts whose lines the app's main prints itself, as one line, so Nest's copy would only repeat it with a stack. */
const QUIET_CONTEXTS = new Set(['ExceptionHandler']);

/**
 * Nest's log for a cluster app: every line goes to stderr as `<service>: [Context] message`, because stdout carries
 * only the app's JSON lines. Errors and warnings by default; Nest's start-up chatter only when verbose.
 */
export class ServiceLogger implements LoggerService {
  private readonly levels: ReadonlySet<LogLevel>;

  constructor(
    private readonly service: string,
    options: { readonly verbose?: boolean } = {},
  ) {
    this.levels = new Set<LogLevel>(options.verbose ? ['error', 'warn', 'log', 'debug'] : ['error', 'warn']);
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (!this.levels.has(level)) return;
    // Nest passes the context last; a stack, when there is one, before it.
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    if (context !== undefined && QUIET_CONTEXTS.has(context)) return;
    // A port that cannot be bound is reported by bootService as one line naming its flag; Nest's copy (the error
    // as text, from NestApplication.listen) would be a second line.
    if (context === 'NestApplication' && typeof message === 'string' && message.startsWith('Error: listen '))
      return;
    const text = message instanceof Error ? (message.stack ?? message.message) : String(message);
    const stack =
      rest.length > 1 && typeof rest[0] === 'string' && rest[0].includes('\n    at ') ? `\n${rest[0]}` : '';
    process.stderr.write(`${this.service}: ${context ? `[${context}] ` : ''}${text}${stack}\n`);
  }
}
