// `npx tsx scripts/dev/folder-graph.ts [--json] [--check] [--roots=src,bench,scripts]`: the shape of
// src/ as issue 15 measures it.
// - the folder import graph (src/<folder> -> src/<folder>, the root files on their own), each edge
//   counted in runtime and type-only imports, with the file imports behind it;
// - folder cycles, over all imports and over runtime imports only;
// - files over 400 lines and functions over 60 lines, outside tests (--roots, default src, bench,
//   scripts; test/ is never measured).
// Syntax only (ts.createSourceFile, no type check): fast, and it reads imports as lint does. An
// import counts as type-only when it is `import type`/`export type` or every name in it is `type`.
// `--check` exits 1 when there is a cycle, a big file or a long function.

import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "../..");
const GRAPH_ROOT = "src";
const DEFAULT_SIZE_ROOTS = ["src", "bench", "scripts"];
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 60;

interface FileImport {
    readonly from: string;
    readonly to: string;
    readonly typeOnly: boolean;
}

interface FolderEdge {
    readonly from: string;
    readonly to: string;
    runtime: number;
    typeOnly: number;
    readonly imports: FileImport[];
}

interface LongFunction {
    readonly file: string;
    readonly line: number;
    readonly name: string;
    readonly lines: number;
}

function sourceFiles(root: string): string[] {
    const dir = path.join(ROOT, root);
    if (!fs.existsSync(dir)) return [];
    return (fs.readdirSync(dir, { recursive: true, encoding: "utf8" }) as string[])
        .filter((f) => /\.(ts|mts|cts)$/.test(f) && !f.endsWith(".d.ts") && !f.split(path.sep).includes("node_modules"))
        .map((f) => path.posix.join(root, f.split(path.sep).join("/")))
        .sort();
}

function parse(file: string): ts.SourceFile {
    return ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), "utf8"), ts.ScriptTarget.Latest, true);
}

/** Every module specifier the file names, with whether it is type-only. */
function importsOf(source: ts.SourceFile): { specifier: string; typeOnly: boolean }[] {
    const found: { specifier: string; typeOnly: boolean }[] = [];
    const visit = (node: ts.Node): void => {
        if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
            const clause = node.importClause;
            const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
            const allNamedTypes = named !== undefined && named.length > 0 && named.every((e) => e.isTypeOnly) && !clause?.name;
            found.push({ specifier: node.moduleSpecifier.text, typeOnly: clause !== undefined && (clause.isTypeOnly || allNamedTypes) });
        } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
            const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
            found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly || (named !== undefined && named.length > 0 && named.every((e) => e.isTypeOnly)) });
        } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
            found.push({ specifier: node.arguments[0].text, typeOnly: false });
        } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
            found.push({ specifier: node.argument.literal.text, typeOnly: true });
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
}

/** A relative specifier -> the repository path of the file it names, if that file exists. */
function resolve(fromFile: string, specifier: string): string | undefined {
    if (!specifier.startsWith(".")) return undefined;
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier));
    return [base, `${base}.ts`, `${base}/index.ts`].find((candidate) => fs.existsSync(path.join(ROOT, candidate)) && fs.statSync(path.join(ROOT, candidate)).isFile());
}

/** src/completion/postprocess/x.ts -> src/completion; src/config.ts -> src/config.ts */
function folderOf(file: string): string {
    const parts = file.split("/");
    return parts.length > 2 ? `${parts[0]}/${parts[1]}` : file;
}

function folderGraph(files: readonly string[]): FolderEdge[] {
    const edges = new Map<string, FolderEdge>();
    for (const file of files) {
        for (const { specifier, typeOnly } of importsOf(parse(file))) {
            const target = resolve(file, specifier);
            if (!target?.startsWith(`${GRAPH_ROOT}/`)) continue;
            const from = folderOf(file);
            const to = folderOf(target);
            if (from === to) continue;
            const key = `${from} -> ${to}`;
            const edge = edges.get(key) ?? { from, to, runtime: 0, typeOnly: 0, imports: [] };
            edges.set(key, edge);
            if (typeOnly) edge.typeOnly++;
            else edge.runtime++;
            edge.imports.push({ from: file, to: target, typeOnly });
        }
    }
    return [...edges.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

/** Every elementary cycle, each listed once, starting at its smallest folder name. */
function cycles(edges: readonly FolderEdge[]): string[][] {
    const next = new Map<string, string[]>();
    for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
    const found: string[][] = [];
    for (const start of nodes) {
        const walk = (node: string, trail: string[]): void => {
            for (const to of next.get(node) ?? []) {
                if (to === start) found.push([...trail]);
                // Only through nodes after `start`: each cycle is found from its smallest node alone.
                else if (to > start && !trail.includes(to)) walk(to, [...trail, to]);
            }
        };
        walk(start, [start]);
    }
    return found.sort((a, b) => a.length - b.length || a.join().localeCompare(b.join()));
}

function lineCount(file: string): number {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

function functionName(node: ts.FunctionLikeDeclaration): string {
    const owner = (n: ts.Node): string => {
        const cls = n.parent && (ts.isClassDeclaration(n.parent) || ts.isClassExpression(n.parent)) ? n.parent : undefined;
        return cls?.name ? `${cls.name.text}.` : "";
    };
    if (node.name && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) || ts.isPrivateIdentifier(node.name))) {
        const prefix = ts.isGetAccessor(node) ? "get " : ts.isSetAccessor(node) ? "set " : "";
        return `${owner(node)}${prefix}${node.name.text}`;
    }
    if (ts.isConstructorDeclaration(node)) return `${owner(node)}constructor`;
    const parent = node.parent;
    if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && ts.isIdentifier(parent.name)) {
        return `${ts.isPropertyDeclaration(parent) ? owner(parent) : ""}${parent.name.text}`;
    }
    if (ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText().slice(0, 40)})`;
    return "(anonymous)";
}

function longFunctions(files: readonly string[]): LongFunction[] {
    const found: LongFunction[] = [];
    for (const file of files) {
        const source = parse(file);
        const visit = (node: ts.Node): void => {
            if (ts.isFunctionLike(node) && "body" in node && node.body) {
                const fn = node as ts.FunctionLikeDeclaration;
                // From the first token (no leading comment) to the closing brace.
                const first = source.getLineAndCharacterOfPosition(fn.getStart(source)).line;
                const last = source.getLineAndCharacterOfPosition(fn.end).line;
                const lines = last - first + 1;
                if (lines > MAX_FUNCTION_LINES) found.push({ file, line: first + 1, name: functionName(fn), lines });
            }
            ts.forEachChild(node, visit);
        };
        visit(source);
    }
    return found.sort((a, b) => b.lines - a.lines);
}

function main(argv: readonly string[]): number {
    const roots = argv.find((a) => a.startsWith("--roots="))?.slice("--roots=".length).split(",").filter(Boolean);
    const sizeRoots = roots?.length ? roots : DEFAULT_SIZE_ROOTS;
    const graphFiles = sourceFiles(GRAPH_ROOT);
    const sizeFiles = sizeRoots.flatMap(sourceFiles);
    const edges = folderGraph(graphFiles);
    const report = {
        limits: { maxFileLines: MAX_FILE_LINES, maxFunctionLines: MAX_FUNCTION_LINES, sizeRoots },
        edges,
        cycles: cycles(edges),
        runtimeCycles: cycles(edges.filter((e) => e.runtime > 0)),
        bigFiles: sizeFiles.map((file) => ({ file, lines: lineCount(file) })).filter((f) => f.lines > MAX_FILE_LINES).sort((a, b) => b.lines - a.lines),
        longFunctions: longFunctions(sizeFiles),
    };
    if (argv.includes("--json")) {
        console.log(JSON.stringify(report, null, 2));
    } else {
        const out: string[] = [`Folder import graph of ${GRAPH_ROOT}/ (${graphFiles.length} files; runtime + type-only imports)`];
        for (const e of edges) out.push(`  ${e.from.padEnd(18)} -> ${e.to.padEnd(18)} ${String(e.runtime).padStart(3)} runtime ${String(e.typeOnly).padStart(3)} type-only`);
        const showCycles = (title: string, list: string[][], withImports: boolean) => {
            out.push("", `${title}: ${list.length}`);
            for (const cycle of list) {
                out.push(`  ${[...cycle, cycle[0]].join(" -> ")}`);
                if (!withImports) continue;
                for (const [i, from] of cycle.entries()) {
                    const edge = edges.find((e) => e.from === from && e.to === cycle[(i + 1) % cycle.length]);
                    for (const imp of edge?.imports ?? []) out.push(`      ${imp.from} -> ${imp.to}${imp.typeOnly ? " (type)" : ""}`);
                }
            }
        };
        showCycles("Folder cycles, all imports", report.cycles, true);
        showCycles("Folder cycles, runtime imports only", report.runtimeCycles, false);
        out.push("", `Files over ${MAX_FILE_LINES} lines (${sizeRoots.join(", ")}): ${report.bigFiles.length}`);
        for (const f of report.bigFiles) out.push(`  ${String(f.lines).padStart(5)}  ${f.file}`);
        out.push("", `Functions over ${MAX_FUNCTION_LINES} lines (${sizeRoots.join(", ")}): ${report.longFunctions.length}`);
        for (const f of report.longFunctions) out.push(`  ${String(f.lines).padStart(5)}  ${f.file}:${f.line}  ${f.name}`);
        console.log(out.join("\n"));
    }
    const clean = report.cycles.length === 0 && report.bigFiles.length === 0 && report.longFunctions.length === 0;
    return argv.includes("--check") && !clean ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
