export * from "./pii-cipher";
