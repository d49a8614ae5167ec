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

/** US code sets take effect by date of service; Eastern time is where CMS publishes them. */
export const DEFAULT_TIME_ZONE = "America/New_York";

/** One date format per time zone asked for (the configured one, in practice). */
const DAY_FORMATS = new Map<string, Intl.DateTimeFormat>();

/**
 * Today's date where the answers are read: code sets change at midnight of a date of
 * service, and at 8 p.m. in New York on 30 September it is already 1 October in UTC.
 */
export function today(timeZone = DEFAULT_TIME_ZONE): IsoDate {
  let format = DAY_FORMATS.get(timeZone);
  if (!format) {
    // en-CA writes dates as YYYY-MM-DD. Built once per zone: building one costs far more
    // than a lookup, and every request asks.
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    DAY_FORMATS.set(timeZone, format);
  }
  return format.format(new Date());
}

/** Whether the runtime knows an IANA time zone name. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-CA", { timeZone: name });
    return true;
  } catch {
    return false;
  }
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

/** The US federal fiscal year a day falls in: it begins on October 1 of the year before. */
export function fiscalYearOf(day: IsoDate): number {
  const year = Number(day.slice(0, 4));
  return day.slice(5) >= "10-01" ? year + 1 : year;
}
