import { basename } from "node:path";
import { fiscalYearStart, type IsoDate, isIsoDate } from "../domain/dates.js";
import { type ParseOptions } from "./records.js";

/** A release's label and the first day it is in force. */
export interface ReleaseLabel {
  readonly version: string;
  readonly effective: IsoDate;
}

/** How one format names its releases. */
export interface ReleaseNaming {
  /** What the release is called in messages: "CPT release", "ICD-10 release". */
  readonly what: string;
  /** The version a file's name tells (`icd10cm_order_2026.txt` → FY2026), or undefined. */
  fromName(fileName: string): string | undefined;
  /** The first day a version implies (FY2026 → 2025-10-01), or undefined when it implies none. */
  effectiveOf(version: string): IsoDate | undefined;
  /** Example options for the message when nothing tells the release: `--version FY2026`. */
  readonly example: string;
}

/**
 * The release a file belongs to: `--version` / `--effective` first, then what the file's
 * own content states (`stated`: CPT's version and effective columns), then its name. One
 * rule for every format, so that the options mean the same thing everywhere.
 */
export function releaseLabel(
  path: string,
  options: ParseOptions,
  naming: ReleaseNaming,
  stated: { readonly version?: string; readonly effective?: string } = {},
): ReleaseLabel {
  const version = options.version ?? stated.version ?? naming.fromName(basename(path));
  const effective =
    options.effective ??
    stated.effective ??
    (version !== undefined ? naming.effectiveOf(version) : undefined);
  if (version === undefined || effective === undefined) {
    throw new Error(
      `${path}: cannot tell the ${naming.what} from the file; give ${naming.example} (and --effective YYYY-MM-DD unless the version implies its date)`,
    );
  }
  if (!isIsoDate(effective))
    throw new Error(`${path}: effective date ${JSON.stringify(effective)} is not YYYY-MM-DD`);
  return { version, effective };
}

/** A four-digit year standing alone in a file name (`HCPC2019_CONTR_ANWEB.txt` → 2019). */
export function yearInName(fileName: string): string | undefined {
  return /(?:^|[^0-9])((?:19|20)[0-9]{2})(?:[^0-9]|$)/.exec(fileName)?.[1];
}

/** Fiscal-year releases (ICD-10-CM/PCS order files, the tabular list): FY2026 from 2025-10-01. */
export const FISCAL_YEAR_NAMING: ReleaseNaming = {
  what: "fiscal-year release",
  fromName: (name) => {
    const year = yearInName(name);
    return year === undefined ? undefined : `FY${year}`;
  },
  effectiveOf: (version) => {
    const year = /^FY([0-9]{4})$/i.exec(version)?.[1];
    return year === undefined ? undefined : fiscalYearStart(Number(year));
  },
  example: "--version FY2026",
};

/** Calendar-year releases (HCPCS, CPT): 2019 takes effect on January 1, 2019. */
export const CALENDAR_YEAR_NAMING: ReleaseNaming = {
  what: "calendar-year release",
  fromName: yearInName,
  effectiveOf: (version) => (/^[0-9]{4}$/.test(version) ? `${version}-01-01` : undefined),
  example: "--version 2019",
};
