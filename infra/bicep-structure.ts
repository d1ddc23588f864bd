// A reader for the few structural facts of a Bicep file that can be checked without the Bicep
// compiler (which cannot be installed here): parameters, modules and the parameters passed to them,
// resource types with their API versions, outputs, balanced brackets, and literal values that look
// like secrets. It understands the layout infra/*.bicep uses (2-space indentation, one declaration
// a line); it is no parser, and passing its checks says nothing about types or property names.

export interface BicepParam {
  name: string;
  hasDefault: boolean;
  secure: boolean;
}

export interface BicepModule {
  symbol: string;
  path: string;
  conditional: boolean;
  params: string[];
}

export interface BicepResource {
  symbol: string;
  type: string;
  apiVersion: string;
  existing: boolean;
}

/**
 * `source` with comments blanked out (newlines kept, so line numbers stay) and, when `blankStrings`,
 * the insides of string literals blanked too. Handles '…' with \' escapes, '''…''' and ${…}.
 */
export function stripComments(source: string, blankStrings = false): string {
  let out = '';
  let i = 0;
  const blank = (text: string) => text.replace(/[^\n]/g, ' ');
  while (i < source.length) {
    const rest = source.slice(i, i + 3);
    if (rest === "'''") {
      const end = source.indexOf("'''", i + 3);
      const stop = end < 0 ? source.length : end + 3;
      const body = source.slice(i, stop);
      out += blankStrings ? `'''${blank(body.slice(3, -3))}'''` : body;
      i = stop;
    } else if (rest.startsWith("'")) {
      let j = i + 1;
      while (j < source.length && source[j] !== "'" && source[j] !== '\n') j += source[j] === '\\' ? 2 : 1;
      const body = source.slice(i, j + 1);
      out += blankStrings ? `'${blank(body.slice(1, -1))}'` : body;
      i = j + 1;
    } else if (rest.startsWith('//')) {
      const end = source.indexOf('\n', i);
      const stop = end < 0 ? source.length : end;
      out += blank(source.slice(i, stop));
      i = stop;
    } else if (rest.startsWith('/*')) {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += blank(source.slice(i, stop));
      i = stop;
    } else {
      out += source[i];
      i += 1;
    }
  }
  return out;
}

/** Problems with (), [] and {} outside strings and comments: unclosed, unopened or crossed. */
export function bracketProblems(source: string): string[] {
  const code = stripComments(source, true);
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: { char: string; line: number }[] = [];
  const problems: string[] = [];
  let line = 1;
  for (const char of code) {
    if (char === '\n') line += 1;
    else if (char === '(' || char === '[' || char === '{') stack.push({ char, line });
    else if (char in pairs) {
      const open = stack.pop();
      if (open?.char !== pairs[char])
        problems.push(
          `line ${line}: '${char}' closes ${open ? `'${open.char}' of line ${open.line}` : 'nothing'}`,
        );
    }
  }
  for (const open of stack) problems.push(`line ${open.line}: '${open.char}' is never closed`);
  return problems;
}

const DECLARATION = /^(param|var|resource|module|output|type|func|targetScope|metadata|import)\b/;

export function params(source: string): BicepParam[] {
  const found: BicepParam[] = [];
  let secure = false;
  for (const line of stripComments(source).split('\n')) {
    if (/^@secure\(\)/.test(line)) secure = true;
    const match = /^param\s+(\w+)\s+\S+(\s*=)?/.exec(line);
    if (match?.[1]) found.push({ name: match[1], hasDefault: Boolean(match[2]), secure });
    if (DECLARATION.test(line)) secure = false;
  }
  return found;
}

export function outputs(source: string): string[] {
  return [...stripComments(source).matchAll(/^output\s+(\w+)\s/gm)].map((match) => match[1] ?? '');
}

/** The top-level block that starts on line `start`: its lines up to the closing `}` at column 0. */
function blockAt(lines: string[], start: number): string[] {
  const end = lines.findIndex((line, index) => index > start && /^}/.test(line));
  return lines.slice(start, end < 0 ? lines.length : end + 1);
}

export function modules(source: string): BicepModule[] {
  const lines = stripComments(source).split('\n');
  const found: BicepModule[] = [];
  lines.forEach((line, index) => {
    const match = /^module\s+(\w+)\s+'([^']+)'\s*=\s*(if\b)?/.exec(line);
    if (!match?.[1] || !match[2]) return;
    const block = blockAt(lines, index);
    const paramsStart = block.findIndex((entry) => /^ {2}params:\s*\{/.test(entry));
    const names: string[] = [];
    if (paramsStart >= 0) {
      for (const entry of block.slice(paramsStart + 1)) {
        if (/^ {2}\}/.test(entry)) break;
        const key = /^ {4}(\w+)\s*:/.exec(entry);
        if (key?.[1]) names.push(key[1]);
      }
    }
    found.push({ symbol: match[1], path: match[2], conditional: Boolean(match[3]), params: names });
  });
  return found;
}

export function resources(source: string): BicepResource[] {
  return [
    ...stripComments(source).matchAll(/^resource\s+(\w+)\s+'([\w.]+\/[\w./]+)@([\w-]+)'\s*(existing)?/gm),
  ].map((match) => ({
    symbol: match[1] ?? '',
    type: match[2] ?? '',
    apiVersion: match[3] ?? '',
    existing: Boolean(match[4]),
  }));
}

/** Property names that hold a credential (by their last word); a literal value for one is a committed secret. */
const SECRET_KEY = /(password|secret|accountkey|connectionstring|token|apikey|primarykey|sastoken)$/i;

/**
 * Literal values that look like secrets: a non-empty string assigned to a secret-named property or
 * as the default of a @secure() parameter, a connection string carrying a password or key, or a
 * well-known key shape. Values built from parameters or functions are not literals and pass.
 */
export function secretLiterals(source: string): string[] {
  const code = stripComments(source);
  const findings: string[] = [];
  code.split('\n').forEach((line, index) => {
    const where = `line ${index + 1}`;
    const assignment = /^\s*'?(\w+)'?\s*:\s*'([^']+)'/.exec(line);
    if (assignment?.[1] && assignment[2] && SECRET_KEY.test(assignment[1]))
      findings.push(`${where}: ${assignment[1]} has a literal value`);
    if (/mongodb(\+srv)?:\/\/[^\s:/@']+:[^\s@']+@/i.test(line))
      findings.push(`${where}: a MongoDB connection string with a password`);
    if (/AccountKey=[A-Za-z0-9+/=]{20,}/.test(line)) findings.push(`${where}: a storage account key`);
    if (/\b(sk|rk)_(live|test)_[A-Za-z0-9]{10,}/.test(line)) findings.push(`${where}: a Stripe key`);
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(line)) findings.push(`${where}: a private key`);
  });
  for (const param of params(source)) {
    if (!param.secure || !param.hasDefault) continue;
    const declaration = new RegExp(`^param\\s+${param.name}\\s+\\w+\\s*=\\s*'([^']*)'`, 'm').exec(code);
    if (declaration?.[1]) findings.push(`@secure() param ${param.name} has a non-empty default`);
  }
  return findings;
}
