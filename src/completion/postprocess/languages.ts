// What the stop rules need to know about a language, after Tabby's languages.toml: which words start a
// new top-level statement and how a line comment starts. Prose (Markdown, plain text) has neither,
// and its lines ending with ":" introduce lists at the same level rather than indented blocks.

export interface LanguageRules {
    /** Prose: no block openers or closers, only blank lines and dedents end a suggestion. */
    readonly prose: boolean;
    /** Words that start a new top-level statement when they begin a line at column 0. */
    readonly topLevelKeywords: ReadonlySet<string>;
    /** Line comment starts; a top-level comment after code starts a new thought. */
    readonly lineComments: readonly string[];
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

export function rulesFor(languageId: string): LanguageRules {
    const prose = PROSE_LANGUAGES.has(languageId);
    // hasOwn: a language id like "constructor" must not hit Object.prototype.
    const keywords = Object.hasOwn(KEYWORDS, languageId) ? KEYWORDS[languageId] : prose ? [] : DEFAULT_KEYWORDS;
    const comments = Object.hasOwn(COMMENTS, languageId) ? COMMENTS[languageId] : prose ? [] : C_COMMENTS;
    return { prose, topLevelKeywords: new Set(keywords), lineComments: comments };
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
