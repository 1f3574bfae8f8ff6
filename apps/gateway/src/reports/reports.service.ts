import { Injectable } from '@nestjs/common';
import type { LiabilityReport } from '@storecredit/contracts';
import { Clock } from '@storecredit/ledger';
import { stringify } from 'csv-stringify/sync';
import type { Principal } from '../auth/principal';
import { liabilityCsvColumns, liabilityCsvRecords, liabilityReport } from './liability-report';
import { ReportsRepository } from './reports.repository';
import { asOfInstant } from './reports.schemas';

export interface LiabilityQuery {
  asOf?: string;
  currency?: string;
}

/** The owner's reports: what the business owes in store credit at a moment, and what became breakage. */
@Injectable()
export class ReportsService {
  constructor(
    private readonly reports: ReportsRepository,
    private readonly clock: Clock,
  ) {}

  /** Liability and breakage at asOf (now when left out; a later moment is read as now), in the principal's business only. */
  async liability(principal: Principal, query: LiabilityQuery): Promise<LiabilityReport> {
    const now = this.clock.now();
    const asked = query.asOf === undefined ? now : asOfInstant(query.asOf);
    const asOf = asked.getTime() > now.getTime() ? now : asked;
    const [lots, allocations, giftCards] = await Promise.all([
      this.reports.lotSummary(principal.businessId, asOf, query.currency),
      this.reports.allocationSummary(principal.businessId, asOf, query.currency),
      this.reports.giftCardLiability(principal.businessId, asOf, query.currency),
    ]);
    return liabilityReport(asOf, { lots, allocations, giftCards }, query.currency);
  }

  /** The same report as one CSV table, and the file name it downloads as. */
  async liabilityCsv(principal: Principal, query: LiabilityQuery): Promise<{ fileName: string; csv: string }> {
    const report = await this.liability(principal, query);
    const csv = stringify(liabilityCsvRecords(report), { header: true, columns: [...liabilityCsvColumns] });
    const day = report.asOf.slice(0, 10);
    return { fileName: `liability-${day}${query.currency === undefined ? '' : `-${query.currency}`}.csv`, csv };
  }
}
