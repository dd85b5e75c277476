/**
 * `${VAR}` and `${VAR:-default}` expansion in every string value of the parsed configuration (SPEC §6),
 * nested objects and arrays included; keys are left alone. Pure: the environment is a parameter.
 *
 * Semantics follow the shell's: `${VAR:-default}` uses the default when VAR is unset OR empty;
 * `${VAR}` with VAR unset is a problem (VAR set to "" is fine). `$${` writes a literal `${`.
 * Values are strings after expansion: a number or boolean field cannot come from a variable.
 */

export interface ExpansionProblem {
  /** Key path segments of the string that referenced the variable. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export interface ExpansionResult {
  readonly value: unknown;
  readonly problems: readonly ExpansionProblem[];
}

type Env = Readonly<Record<string, string | undefined>>;

const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function expandVariables(value: unknown, env: Env): ExpansionResult {
  const problems: ExpansionProblem[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') return expandString(node, env, path, problems);
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(
        Object.entries(node).map(([key, child]) => [key, walk(child, [...path, key])]),
      );
    }
    return node;
  };
  return { value: walk(value, []), problems };
}

function expandString(
  text: string,
  env: Env,
  path: (string | number)[],
  problems: ExpansionProblem[],
): string {
  return text.replace(REFERENCE, (match: string, body: string | undefined) => {
    if (match === '$${') return '${';
    if (body === undefined) {
      problems.push({ path, message: 'unterminated "${": close it with "}" or write "$${" for a literal' });
      return '';
    }
    const separator = body.indexOf(':-');
    const name = separator === -1 ? body : body.slice(0, separator);
    if (!NAME.test(name)) {
      problems.push({ path, message: `invalid variable reference "\${${body}}": expected \${NAME} or \${NAME:-default}` });
      return '';
    }
    const current = env[name];
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
