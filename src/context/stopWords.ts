// Words too common to say which code or text belongs together: the keywords and primitive types most
// languages share, and English function words (comments, docs, prose). They would make every chunk
// look a little like every window. Lower-case, since identifiers are compared case-folded
// (identifiers.ts says why). One list for every language: a keyword of one language that is a real
// name in another ("type", "match") costs a little recall there, and keeps scoring independent of
// which language a file claims to be.

const KEYWORDS = [
    // C family, JavaScript/TypeScript, Java, C#, Go, Rust, Swift, Kotlin
    "abstract", "as", "async", "await", "break", "case", "catch", "class", "const", "continue", "default",
    "defer", "delete", "do", "else", "enum", "export", "extends", "extern", "false", "final", "finally", "fn",
    "for", "func", "function", "go", "if", "impl", "implements", "import", "in", "instanceof", "interface",
    "internal", "let", "match", "mod", "module", "mut", "namespace", "new", "nil", "null", "of", "override",
    "package", "private", "protected", "pub", "public", "readonly", "return", "static", "struct", "super",
    "switch", "this", "throw", "throws", "true", "try", "type", "typeof", "undefined", "use", "using", "val",
    "var", "void", "while", "yield", "include", "define", "ifdef", "ifndef", "endif", "pragma",
    // Python, Ruby, shell, Lua, SQL
    "and", "def", "del", "elif", "end", "except", "from", "global", "is", "lambda", "none", "nonlocal", "not",
    "or", "pass", "raise", "self", "then", "fi", "done", "esac", "local", "select", "where", "begin",
    // Primitive types: in typed code they are on nearly every line
    "any", "bool", "boolean", "byte", "char", "double", "float", "int", "long", "number", "object", "short",
    "str", "string", "unknown", "unsigned", "usize", "i32", "i64", "u8", "u32", "u64", "f32", "f64",
];

const ENGLISH = [
    "about", "after", "all", "also", "an", "are", "at", "be", "been", "before", "being", "but", "by", "can",
    "could", "did", "does", "each", "has", "have", "he", "her", "here", "his", "how", "into", "it", "its",
    "may", "more", "most", "must", "my", "no", "on", "one", "only", "other", "our", "out", "over", "she",
    "should", "so", "some", "such", "than", "that", "the", "their", "them", "there", "these", "they",
    "those", "to", "too", "up", "very", "was", "we", "were", "what", "when", "which", "who", "why", "will",
    "with", "would", "you", "your",
];

export const STOP_WORDS: ReadonlySet<string> = new Set([...KEYWORDS, ...ENGLISH]);
