// Types of build-state.mjs for the TypeScript that imports it (bench/compiled.ts, the tests).
export declare const ROOT: string;
export declare const CODE_STAMP: string;
export declare const WEB_INDEX: string;
export declare function codeStampOf(root: string): string;
export declare function codeStampNow(root?: string): string;
export declare function codeIsCurrent(root?: string): boolean;
export declare function webIsCurrent(): boolean;
