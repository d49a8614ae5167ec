import { describe, expect, it } from "vitest";
import {
  possessives,
  requiredWords,
  searchTerms,
  withoutFinalS,
  words,
} from "../../src/domain/text.js";

describe("search words", () => {
  it("joins a word at its apostrophe, typed or typeset, and splits at anything else", () => {
    expect(words("Alzheimer's disease")).toEqual(["alzheimers", "disease"]);
    expect(words("Ménière’s disease, left ear")).toEqual(["menieres", "disease", "left", "ear"]);
    expect(words("Colles' fracture")).toEqual(["colles", "fracture"]);
    expect(words("'book leaf' nail")).toEqual(["book", "leaf", "nail"]);
    expect(words("Hurler-Scheie's syndrome")).toEqual(["hurler", "scheies", "syndrome"]);
    expect(requiredWords("alzheimer`s of the")).toEqual(["alzheimers"]);
  });

  it("finds possessives by `'s` only, and indexes each also without its s", () => {
    expect(possessives("Alzheimer's and Parkinson’s, Colles' and O'Neill's")).toEqual([
      "alzheimers",
      "parkinsons",
      "oneills",
    ]);
    expect(possessives("Type 2 diabetes mellitus")).toEqual([]);
    expect(searchTerms("Alzheimer's disease")).toEqual(["alzheimers", "alzheimer", "disease"]);
    expect(searchTerms("Legionnaires' disease")).toEqual(["legionnaires", "disease"]);
    expect(searchTerms("Type 2 diabetes mellitus")).toEqual(words("Type 2 diabetes mellitus"));
  });

  it("spells a query word also without a final s, where a possessive or plural could end", () => {
    expect(["downs", "crohns", "fractures", "aids"].map(withoutFinalS)).toEqual([
      "down",
      "crohn",
      "fracture",
      "aid",
    ]);
    // Too short, -ss, -us, -is, or a stop word left.
    expect(["gas", "abscess", "mellitus", "arthritis", "ons", "intos"].map(withoutFinalS)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });
});
