#!/usr/bin/env node
// A `solc` executable for py-solc-x / brownie, served by the npm `solc` package (solc-js, the
// official compiler built to wasm). It answers the two calls brownie makes:
//   solc --version                          -> the usual two lines, with the native version string
//   solc --standard-json [--allow-paths ..] -> standard JSON on stdin, standard JSON on stdout
// Imports that are not in the input are read from disk: relative to the working directory first
// (brownie runs from the project root and remaps @openzeppelin to node_modules), then relative to
// the project root this file lives in, then inside any --allow-paths folder.
"use strict";

const fs = require("fs");
const path = require("path");

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const solc = require(require.resolve("solc", { paths: [PROJECT_ROOT] }));

function nativeVersionString() {
  // solc-js reports "0.8.28+commit.7893614a.Emscripten.clang"; py-solc-x only reads the number
  // and commit, so report them as a native build would.
  return solc.version().replace(/\.Emscripten\.clang$/, ".Linux.g++");
}

function allowedRoots(argv) {
  const roots = [process.cwd(), PROJECT_ROOT];
  const i = argv.indexOf("--allow-paths");
  if (i >= 0 && argv[i + 1]) {
    for (const p of argv[i + 1].split(",")) if (p) roots.push(path.resolve(p));
  }
  return roots;
}

function makeImportCallback(roots) {
  return function findImport(importPath) {
    const candidates = path.isAbsolute(importPath)
      ? [importPath]
      : roots.map((root) => path.join(root, importPath));
    for (const candidate of candidates) {
      try {
        return { contents: fs.readFileSync(candidate, "utf8") };
      } catch (_) {
        // try the next root
      }
    }
    return { error: `File not found: ${importPath} (looked in ${roots.join(", ")})` };
  };
}

function extractJson(output) {
  // solc-js may print lines such as ">>> Cannot retry compilation with SMT ..." around the JSON.
  const start = output.indexOf("{");
  const end = output.lastIndexOf("}");
  if (start < 0 || end < start) return output;
  return output.slice(start, end + 1);
}

function main() {
  const argv = process.argv.slice(2);
  if (argv.includes("--version")) {
    process.stdout.write(
      `solc, the solidity compiler commandline interface\nVersion: ${nativeVersionString()}\n`,
    );
    return 0;
  }
  if (!argv.includes("--standard-json")) {
    process.stderr.write(
      "solc-bridge: only --version and --standard-json are supported (solc-js " + solc.version() + ")\n",
    );
    return 2;
  }
  const input = fs.readFileSync(0, "utf8");
  const output = solc.compile(input, { import: makeImportCallback(allowedRoots(argv)) });
  process.stdout.write(extractJson(output) + "\n");
  return 0;
}

process.exitCode = main();
