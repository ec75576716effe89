// Hand-written ambient type for libyara-wasm 1.2.1 (the package ships none). Only the
// factory is used: its source text is handed to the worker (see worker-source.ts).
declare module 'libyara-wasm' {
  const factory: () => Promise<unknown>;
  export default factory;
}
