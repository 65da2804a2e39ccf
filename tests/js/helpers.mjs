// Shared paths and helpers for the JS tests (run against the built package in pkg/).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const read = (rel) => readFileSync(new URL(`../../${rel}`, import.meta.url), "utf8");
