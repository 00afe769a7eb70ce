// What the stop rules need to know about a language, after Tabby's languages.toml: which words start a
// new top-level statement and how a line comment starts. Prose (Markdown, plain text) has neither,
// and its lines ending with ":" introduce lists at the same level rather than indented blocks.
// Code also gets the little syntax the bracket scanner needs (strings and comments, where brackets do
// not count) and whether its brackets must balance at all: in shell `case` patterns, YAML scalars or
// prose, a lone ")" is ordinary text.

export interface LanguageRules {
    /** Prose: no block openers or closers, only blank lines and dedents end a suggestion. */
    readonly prose: boolean;
    /** Words that start a new top-level statement when they begin a line at column 0. */
    readonly topLevelKeywords: ReadonlySet<string>;
    /** Line comment starts; a top-level comment after code starts a new thought. */
    readonly lineComments: readonly string[];
    /** Whether every ( [ { must be closed: only then can the code below say which closers it already has. */
    readonly bracketsBalance: boolean;
    readonly syntax: Syntax;
    /** Mapping keys that must be unique per level (JSON objects, YAML mappings). */
    readonly keys?: "json" | "yaml";
    /** Markdown's ``` and ~~~ fences around code blocks. */
    readonly fencedCode: boolean;
}

/** Where brackets are text, not structure. */
export interface Syntax {
    /** Line comment starts, without "/*". */
    readonly lineComments: readonly string[];
    readonly blockComments: boolean;
    /** Python's triple-quoted strings, which span lines. */
    readonly tripleQuotes: boolean;
    /** JavaScript template literals and Go raw strings span lines. */
    readonly multiLineBackticks: boolean;
    /** Rust: `'a` is a lifetime, not the start of a string. */
    readonly lifetimes: boolean;
}

const PROSE_LANGUAGES = new Set(["markdown", "plaintext", "latex", "tex", "restructuredtext", "asciidoc", "git-commit", "scminput"]);

const C_COMMENTS = ["//", "/*"];
const HASH_COMMENTS = ["#"];

const JS_KEYWORDS = ["abstract", "async", "class", "const", "declare", "enum", "export", "function", "import", "interface", "let", "module", "namespace", "type", "var"];

const KEYWORDS: Readonly<Record<string, readonly string[]>> = {
    typescript: JS_KEYWORDS,
    typescriptreact: JS_KEYWORDS,
    javascript: JS_KEYWORDS,
    javascriptreact: JS_KEYWORDS,
    // "@" stands for any decorator: it belongs to the definition below it.
    python: ["def", "class", "import", "from", "async", "@"],
    go: ["func", "type", "var", "const", "import", "package"],
    rust: ["fn", "pub", "impl", "struct", "enum", "trait", "mod", "use", "const", "static", "type", "extern", "unsafe", "#"],
    java: ["public", "private", "protected", "abstract", "final", "class", "interface", "enum", "import", "package", "static", "@"],
    kotlin: ["fun", "class", "object", "interface", "import", "package", "val", "var", "data", "sealed", "private", "public", "@"],
    csharp: ["using", "namespace", "public", "private", "internal", "class", "struct", "interface", "enum", "static", "["],
    c: ["#", "typedef", "struct", "enum", "union", "static", "extern", "const", "void", "int"],
    cpp: ["#", "typedef", "struct", "class", "enum", "union", "static", "extern", "const", "namespace", "template", "void", "int", "auto"],
    php: ["function", "class", "interface", "trait", "namespace", "use", "abstract", "final", "public", "private", "protected"],
    ruby: ["def", "class", "module", "require", "require_relative"],
    shellscript: ["function"],
    lua: ["function", "local"],
};

const COMMENTS: Readonly<Record<string, readonly string[]>> = {
    python: HASH_COMMENTS,
    ruby: HASH_COMMENTS,
    shellscript: HASH_COMMENTS,
    perl: HASH_COMMENTS,
    r: HASH_COMMENTS,
    yaml: HASH_COMMENTS,
    toml: HASH_COMMENTS,
    dockerfile: HASH_COMMENTS,
    makefile: HASH_COMMENTS,
    powershell: HASH_COMMENTS,
    elixir: HASH_COMMENTS,
    lua: ["--"],
    sql: ["--"],
    haskell: ["--"],
    clojure: [";"],
    lisp: [";"],
    markdown: [],
    plaintext: [],
};

// Unknown code languages: only the declarations almost every C-like or scripting language shares.
const DEFAULT_KEYWORDS = ["function", "def", "class", "export", "import", "fn", "func", "interface", "struct"];

// Languages whose brackets always balance. Anything else (shell, YAML, Makefiles, unknown ids) keeps
// the indentation rules only: a wrong guess here would cut good suggestions at every ")".
const BALANCED = new Set([
    "typescript", "typescriptreact", "javascript", "javascriptreact", "json", "jsonc", "json5", "python", "go", "rust",
    "java", "kotlin", "csharp", "c", "cpp", "php", "swift", "scala", "dart", "lua", "css", "scss", "less", "zig",
]);
const BACKTICK_STRINGS = new Set(["typescript", "typescriptreact", "javascript", "javascriptreact", "go", "vue", "svelte"]);
const KEY_STYLES: Readonly<Record<string, "json" | "yaml">> = { json: "json", jsonc: "json", json5: "json", yaml: "yaml", dockercompose: "yaml" };

export function rulesFor(languageId: string): LanguageRules {
    const prose = PROSE_LANGUAGES.has(languageId);
    // hasOwn: a language id like "constructor" must not hit Object.prototype.
    const keywords = Object.hasOwn(KEYWORDS, languageId) ? KEYWORDS[languageId] : prose ? [] : DEFAULT_KEYWORDS;
    const comments = Object.hasOwn(COMMENTS, languageId) ? COMMENTS[languageId] : prose ? [] : C_COMMENTS;
    const syntax: Syntax = {
        lineComments: comments.filter((start) => start !== "/*"),
        blockComments: comments.includes("/*"),
        tripleQuotes: languageId === "python",
        multiLineBackticks: BACKTICK_STRINGS.has(languageId),
        lifetimes: languageId === "rust",
    };
    const keys = Object.hasOwn(KEY_STYLES, languageId) ? KEY_STYLES[languageId] : undefined;
    const fencedCode = languageId === "markdown";
    return { prose, topLevelKeywords: new Set(keywords), lineComments: comments, bracketsBalance: BALANCED.has(languageId), syntax, keys, fencedCode };
}

/** Whether a column-0 line starts with one of the language's top-level keywords. */
export function startsWithTopLevelKeyword(line: string, rules: LanguageRules): boolean {
    const first = line[0];
    // Symbols stand for themselves: "@" decorators, "#" preprocessor lines and attributes, "[" C# attributes.
    if (first !== undefined && !/[\w$]/.test(first)) return rules.topLevelKeywords.has(first);
    const word = /^[\w$]+/.exec(line)?.[0];
    return word !== undefined && rules.topLevelKeywords.has(word);
}

export function isLineComment(line: string, rules: LanguageRules): boolean {
    const trimmed = line.trimStart();
    // "*" continues a block comment ("/**" ... " * text").
    return rules.lineComments.some((start) => trimmed.startsWith(start)) || (rules.lineComments.includes("/*") && trimmed.startsWith("*"));
}
