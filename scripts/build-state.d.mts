// Types of build-state.mjs for the TypeScript that imports it (bench/compiled.ts).
export declare const ROOT: string;
export declare const CODE_STAMP: string;
export declare const WEB_INDEX: string;
export declare function codeIsCurrent(): boolean;
export declare function webIsCurrent(): boolean;
