/**
 * The part of the contract the staff web app bundles (apps/web maps `@storecredit/contracts` here): money, currencies,
 * entry types, error codes, limits, gift card rules and the schemas of the HTTP request bodies the app sends (zod).
 * Nothing here may import node-only code (browser.spec.ts checks).
 */
export * from './audit';
export * from './bonus';
export * from './business-currencies';
export * from './currency';
export * from './entries';
export * from './errors';
export * from './gift-card-code';
export * from './gift-card-status';
export * from './limits';
export * from './money';
export * from './payment-cap';
export * from './preferences';
export * from './requests';
/** The shapes of lots and bonus tiers in a reply (types only: the web app reads replies, it does not validate them). */
export type { Allocation, BonusTier, CreatedLot } from './replies';
export * from './reports';
export * from './staff';
