import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LedgerModule, type Clock } from '@storecredit/ledger';
import { loggerParams } from '@storecredit/observability';
import { LoggerModule } from 'nestjs-pino';
import { ZodValidationPipe } from 'nestjs-zod';
import { AuditController } from './audit/audit.controller';
import { AuditRepository } from './audit/audit.repository';
import { AuditLog } from './audit/audit.service';
import { AsyncApiController } from './asyncapi/asyncapi.controller';
import { AsyncApiService } from './asyncapi/asyncapi.service';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthRepository } from './auth/auth.repository';
import { AuthService } from './auth/auth.service';
import { SignInThrottle } from './auth/sign-in-throttle';
import { SignInThrottleRepository } from './auth/sign-in-throttle.repository';
import { StaffController } from './auth/staff.controller';
import { BalancesController } from './balances/balances.controller';
import { BalancesRepository } from './balances/balances.repository';
import { BalancesService } from './balances/balances.service';
import { TransactionsExportController } from './balances/transactions-export.controller';
import { TransactionsExportRepository } from './balances/transactions-export.repository';
import { TransactionsExportService } from './balances/transactions-export.service';
import { CheckoutController } from './checkout/checkout.controller';
import { CheckoutService } from './checkout/checkout.service';
import { HoldsRepository } from './checkout/holds.repository';
import { ClientsController } from './clients/clients.controller';
import { ClientsRepository } from './clients/clients.repository';
import { ClientsService } from './clients/clients.service';
import { CommandSubmitter } from './commands/command-submitter';
import { CommandTransport } from './commands/command-transport';
import { CommandStatusService } from './commands/command-status.service';
import { CommandsController } from './commands/commands.controller';
import { CommandsRepository } from './commands/commands.repository';
import { InProcessCommandTransport } from './commands/in-process-command-transport';
import { KafkaCommandTransport } from './commands/kafka-command-transport';
import { Database } from './database';
import { gatewayConfigToken, type GatewayConfig } from './gateway.config';
import { GiftCardsController } from './gift-cards/gift-cards.controller';
import { GiftCardsRepository } from './gift-cards/gift-cards.repository';
import { GiftCardsService } from './gift-cards/gift-cards.service';
import { RedemptionThrottle } from './gift-cards/redemption-throttle';
import { RedemptionThrottleRepository } from './gift-cards/redemption-throttle.repository';
import { HealthController, MetricsController } from './health/health.controller';
import { HealthRepository } from './health/health.repository';
import { HealthService } from './health/health.service';
import { ApiExceptionFilter } from './http/api-exception.filter';
import { BusinessCurrenciesRepository } from './settings/business-currencies.repository';
import { BusinessCurrenciesService } from './settings/business-currencies.service';
import { SettingsController } from './settings/settings.controller';
import { SettingsRepository } from './settings/settings.repository';
import { SettingsService } from './settings/settings.service';
import { TextSafetyPipe } from './http/text-safety.pipe';
import { ReportsController } from './reports/reports.controller';
import { ReportsRepository } from './reports/reports.repository';
import { ReportsService } from './reports/reports.service';
import { RefundsController } from './refunds/refunds.controller';
import { RefundsRepository } from './refunds/refunds.repository';
import { RefundsService } from './refunds/refunds.service';

export interface GatewayDatabase {
  url: string;
  poolMax?: number;
  /** Providers a composition runs beside the gateway, on its connection: the embedded start's outbox relay. */
  alongside?: Provider[];
}

/**
 * The HTTP gateway. With Kafka it sends commands to the worker and waits for replies; embedded, it applies
 * them with the same handlers in-process.
 */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, database: GatewayDatabase, clock?: Clock): DynamicModule {
    const transport: Provider = {
      provide: CommandTransport,
      useClass: config.kafkaBrokers === null ? InProcessCommandTransport : KafkaCommandTransport,
    };
    return {
      module: GatewayModule,
      // terminus's logger off: a failed readiness is answered with its reason, and probed every few seconds. LoggerModule
      // logs each HTTP request (pino-http) and binds its request id to the lines logged while handling it.
      imports: [
        LedgerModule.forRoot({ databaseUrl: database.url, poolMax: database.poolMax, clock }),
        TerminusModule.forRoot({ logger: false }),
        LoggerModule.forRoot(loggerParams()),
      ],
      controllers: [
        HealthController,
        MetricsController,
        AuthController,
        StaffController,
        ClientsController,
        BalancesController,
        TransactionsExportController,
        GiftCardsController,
        CheckoutController,
        RefundsController,
        CommandsController,
        SettingsController,
        ReportsController,
        AuditController,
        AsyncApiController,
      ],
      providers: [
        { provide: gatewayConfigToken, useValue: config },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useClass: TextSafetyPipe },
        { provide: APP_PIPE, useClass: ZodValidationPipe },
        Database,
        HealthRepository,
        HealthService,
        AuthRepository,
        AuthService,
        SignInThrottleRepository,
        SignInThrottle,
        ClientsRepository,
        ClientsService,
        BalancesRepository,
        BalancesService,
        TransactionsExportRepository,
        TransactionsExportService,
        ReportsRepository,
        ReportsService,
        CheckoutService,
        HoldsRepository,
        RefundsRepository,
        RefundsService,
        GiftCardsRepository,
        GiftCardsService,
        RedemptionThrottleRepository,
        RedemptionThrottle,
        CommandsRepository,
        CommandSubmitter,
        CommandStatusService,
        SettingsRepository,
        SettingsService,
        BusinessCurrenciesRepository,
        BusinessCurrenciesService,
        AuditRepository,
        AuditLog,
        AsyncApiService,
        transport,
        ...(database.alongside ?? []),
      ],
      exports: [Database, AuthService, AuthRepository, ClientsRepository, CommandTransport],
    };
  }
}
