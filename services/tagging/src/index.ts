// The engine, for benchmarks that drive it directly (bench/rescore); services never import each other.
export { standaloneSweep } from './sweeps/standalone-sweep';
export { TAGGING_MIGRATIONS } from './migrations';
