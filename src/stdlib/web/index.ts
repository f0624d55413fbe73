import type { Registry } from "../registry.js";

export function register(_r: Registry): void {}
