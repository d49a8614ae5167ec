import { GraphQLScalarType } from "graphql";
import { GraphQLLocalDate } from "graphql-scalars";

/**
 * Calendar dates as `YYYY-MM-DD` strings, validated by graphql-scalars' LocalDate and
 * kept as strings: code validity is about days, never instants or time zones.
 */
export const DateScalar = new GraphQLScalarType({
  ...GraphQLLocalDate.toConfig(),
  name: "Date",
  description: "A calendar date, `YYYY-MM-DD` (ISO 8601), such as 2025-10-01.",
  specifiedByURL: "https://www.rfc-editor.org/rfc/rfc3339#section-5.6",
});
