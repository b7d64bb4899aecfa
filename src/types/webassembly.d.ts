/**
 * The part of the WebAssembly JS API this project uses. Node provides it at runtime; the
 * declarations normally come from the DOM library, which a Node program should not pull in.
 */
declare namespace WebAssembly {
  type ImportValue = Function | Global | Memory | number | bigint;
  type Imports = Record<string, Record<string, ImportValue>>;
  type ExportValue = Function | Global | Memory | Table;
  type Exports = Record<string, ExportValue>;

  interface ModuleExportDescriptor {
    name: string;
    kind: 'function' | 'table' | 'memory' | 'global';
  }

  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer);
    static exports(module: Module): ModuleExportDescriptor[];
    static imports(module: Module): { module: string; name: string; kind: string }[];
  }

  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Exports;
  }

  class Memory {
    constructor(desc: { initial: number; maximum?: number; shared?: boolean });
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }

  class Global {
    constructor(desc: { value: string; mutable?: boolean }, v?: number | bigint);
    value: number | bigint;
  }

  class Table {
    readonly length: number;
  }
}
