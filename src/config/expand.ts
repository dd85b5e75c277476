/**
 * `${VAR}` and `${VAR:-default}` expansion in every string value of the parsed configuration (SPEC §6),
 * nested objects and arrays included; keys are left alone. Pure: the environment is a parameter.
 *
 * Semantics follow the shell's: `${VAR:-default}` uses the default when VAR is unset OR empty;
 * `${VAR}` with VAR unset is a problem (VAR set to "" is fine). `$${` writes a literal `${`.
 * Values are strings after expansion: a number or boolean field cannot come from a variable.
 *
 * VS Code's `mcp.json` spellings work too, so its files paste unchanged: `${env:VAR}` is `${VAR}`;
 * `${input:ID}` (a prompt in VS Code; a daemon cannot prompt) reads `$MCP_INPUT_<ID>` (ID upper-cased,
 * other characters as `_`); `${workspaceFolder}` and `${userHome}` are the given folders unless the
 * environment defines them.
 */

export interface ExpansionProblem {
  /** Key path segments of the string that referenced the variable. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export interface ExpansionResult {
  readonly value: unknown;
  readonly problems: readonly ExpansionProblem[];
  /**
   * Each value an environment variable put into the configuration, by name (`${VAR}`, `${env:VAR}`,
   * `${input:ID}`; not defaults written in the file, nor VS Code's predefined folders). Such values are
   * never written anywhere (SPEC §8); config/load.ts hands them to the sinks.
   */
  readonly fromEnv: ReadonlyMap<string, string>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Values of VS Code's predefined variables. */
export interface ExpansionContext {
  readonly workspaceFolder?: string;
  readonly userHome?: string;
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function expandVariables(value: unknown, env: Env, context: ExpansionContext = {}): ExpansionResult {
  const problems: ExpansionProblem[] = [];
  const fromEnv = new Map<string, string>();
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') return expandString(node, env, context, path, problems, fromEnv);
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(
        Object.entries(node).map(([key, child]) => [key, walk(child, [...path, key])]),
      );
    }
    return node;
  };
  return { value: walk(value, []), problems, fromEnv };
}

/** The environment variable an `${input:ID}` reads. */
function inputVariableName(id: string): string {
  return `MCP_INPUT_${id.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

function expandString(
  text: string,
  env: Env,
  context: ExpansionContext,
  path: (string | number)[],
  problems: ExpansionProblem[],
  fromEnv: Map<string, string>,
): string {
  return text.replace(REFERENCE, (match: string, body: string | undefined) => {
    if (match === '$${') return '${';
    if (body === undefined) {
      problems.push({ path, message: 'unterminated "${": close it with "}" or write "$${" for a literal' });
      return '';
    }
    const prefixed = /^(env|input):(.+)$/.exec(body);
    if (prefixed?.[1] === 'input') {
      const name = inputVariableName(prefixed[2] as string);
      const current = env[name];
      if (current !== undefined) {
        fromEnv.set(name, current);
        return current;
      }
      problems.push({
        path,
        message: `"\${${body}}" is a VS Code input prompt, which a daemon cannot show: set the environment variable ${name}`,
      });
      return '';
    }
    if (prefixed?.[1] === 'env') body = prefixed[2] as string;
    const predefined = context[body as keyof ExpansionContext];
    if (predefined !== undefined && env[body] === undefined) return predefined;
    const separator = body.indexOf(':-');
    const name = separator === -1 ? body : body.slice(0, separator);
    if (!NAME.test(name)) {
      problems.push({ path, message: `invalid variable reference "\${${body}}": expected \${NAME} or \${NAME:-default}` });
      return '';
    }
    const current = env[name];
    if (current !== undefined && current !== '') fromEnv.set(name, current);
    if (separator !== -1) return current === undefined || current === '' ? body.slice(separator + 2) : current;
    if (current === undefined) {
      problems.push({
        path,
        message: `environment variable ${name} is not set: set it, or write \${${name}:-default} to make it optional`,
      });
      return '';
    }
    return current;
  });
}
