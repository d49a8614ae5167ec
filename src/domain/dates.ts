/**
 * Calendar dates as ISO `YYYY-MM-DD` strings. Validity is about days in US coding
 * calendars, not instants, so no time zone ever enters: strings compare in date order.
 */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Today's date in UTC. */
export function today(): IsoDate {
  return new Date().toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** A span of days, both ends inclusive; an open end is `null`. */
export interface Validity {
  readonly validFrom: IsoDate | null;
  readonly validTo: IsoDate | null;
}

/** Whether `asOf` falls inside the span (ends inclusive). */
export function isValidAt(span: Validity, asOf: IsoDate): boolean {
  return (
    (span.validFrom === null || span.validFrom <= asOf) &&
    (span.validTo === null || asOf <= span.validTo)
  );
}

/**
 * The first day of a US federal fiscal year: FY2026 begins on 2025-10-01, the date
 * ICD-10-CM and ICD-10-PCS releases take effect.
 */
export function fiscalYearStart(fiscalYear: number): IsoDate {
  return `${fiscalYear - 1}-10-01`;
}
