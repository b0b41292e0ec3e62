// Reference import extractor built on the TypeScript compiler's own parser (ts.createSourceFile).
// Usage: node ts_imports.js <typescript-module-dir> < paths.json  → JSON lines on stdout:
//   {"file", "line", "module", "type_only"} for every module-loading construct.
"use strict";
const fs = require("fs");
const path = require("path");
const ts = require(process.argv[2]);

const KINDS = {
  ".ts": ts.ScriptKind.TS, ".mts": ts.ScriptKind.TS, ".cts": ts.ScriptKind.TS,
  ".tsx": ts.ScriptKind.TSX, ".js": ts.ScriptKind.JSX, ".jsx": ts.ScriptKind.JSX,
  ".mjs": ts.ScriptKind.JS, ".cjs": ts.ScriptKind.JS,
};

function isStringy(node) {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node));
}

function allTyped(elements) {
  return elements.length > 0 && elements.every((e) => e.isTypeOnly);
}

function extract(file) {
  const text = fs.readFileSync(file, "utf8");
  const ext = path.extname(file);
  const declaration = /\.d\.[mc]?ts$/.test(file);
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, KINDS[ext]);
  const out = [];
  const emit = (spec, typeOnly) => {
    const { line } = sf.getLineAndCharacterOfPosition(spec.getStart(sf));
    out.push({ file, line: line + 1, module: spec.text, type_only: Boolean(typeOnly || declaration) });
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && isStringy(node.moduleSpecifier)) {
      const clause = node.importClause;
      let typeOnly = false;
      if (clause) {
        const named = clause.namedBindings;
        typeOnly = clause.isTypeOnly ||
          (!clause.name && named && ts.isNamedImports(named) && allTyped(named.elements));
      }
      emit(node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && isStringy(node.moduleSpecifier)) {
      const clause = node.exportClause;
      const typeOnly = node.isTypeOnly || (clause && ts.isNamedExports(clause) && allTyped(clause.elements));
      emit(node.moduleSpecifier, typeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)
               && isStringy(node.moduleReference.expression)) {
      emit(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.arguments.length > 0 && isStringy(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword) emit(node.arguments[0], false);
      else if (ts.isIdentifier(callee) && callee.text === "require") emit(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)
               && isStringy(node.argument.literal)) {
      emit(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const files = JSON.parse(fs.readFileSync(0, "utf8"));
const lines = [];
for (const file of files) for (const rec of extract(file)) lines.push(JSON.stringify(rec));
process.stdout.write(lines.join("\n") + (lines.length ? "\n" : ""));
