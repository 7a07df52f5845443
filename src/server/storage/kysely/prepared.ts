/**
 * Queries compiled once. Kysely rebuilds a query's operation tree and compiles its SQL on every
 * execution; for the handful of reads every playback session makes, that compilation cost about
 * as much CPU as the session's ES256 signature (issue 16, CPU profile of the token bench). A
 * prepared query is built and compiled once per shape (the lengths of its list arguments) with
 * placeholder arguments; each execution puts the real arguments where the placeholders landed in
 * the compiled parameters and runs the compiled query. The SQL text is the same as Kysely's for
 * that shape, so it is exactly as portable (SQLite `?`, PostgreSQL `$n`), and the values still
 * travel as bound parameters, never in the SQL.
 */
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';

/** A query's arguments: values, lists of values (an `IN`), or `undefined` (a branch of the builder). */
type Argument = string | number | null | undefined | readonly (string | number)[];

/** Where an argument sits in a compiled query's parameters: `[argument, item]` (item -1: the value itself); or a constant. */
type Slot = { argument: number; item: number } | { constant: unknown };

interface Template {
  sql: string;
  query: CompiledQuery['query'];
  slots: Slot[];
}

/** Shapes kept per prepared query (a list argument of each length is one shape). */
const MAX_SHAPES = 32;

const PLACEHOLDER = '\u0000veil-prepared:';

function placeholders(args: readonly Argument[]): Argument[] {
  return args.map((arg, i) => {
    if (Array.isArray(arg)) return arg.map((_, j) => `${PLACEHOLDER}${i}:${j}`);
    return arg === undefined || arg === null ? arg : `${PLACEHOLDER}${i}:-1`;
  });
}

function shapeOf(args: readonly Argument[]): string {
  return args.map((arg) => (Array.isArray(arg) ? arg.length : arg === undefined ? 'u' : arg === null ? 'n' : '')).join(',');
}

function slotOf(parameter: unknown): Slot {
  if (typeof parameter === 'string' && parameter.startsWith(PLACEHOLDER)) {
    const [argument, item] = parameter.slice(PLACEHOLDER.length).split(':').map(Number) as [number, number];
    return { argument, item };
  }
  return { constant: parameter };
}

/**
 * `build(...args)` once per shape, compiled; the returned function runs it with the given
 * arguments and resolves to its rows. `build` must pass each argument to the builder as a value
 * (not use it in control flow beyond `undefined` checks and list lengths): it is called with
 * placeholders, not with the real arguments.
 */
export function prepared<Args extends Argument[], Row>(db: Kysely<never> | Kysely<any>, build: (...args: Args) => Compilable<Row>): (...args: Args) => Promise<Row[]> {
  const templates = new Map<string, Template>();

  function template(args: Args): Template {
    const shape = shapeOf(args);
    let found = templates.get(shape);
    if (!found) {
      const compiled = build(...(placeholders(args) as Args)).compile();
      found = { sql: compiled.sql, query: compiled.query, slots: compiled.parameters.map(slotOf) };
      if (templates.size >= MAX_SHAPES) templates.delete(templates.keys().next().value!);
      templates.set(shape, found);
    }
    return found;
  }

  return async (...args) => {
    const { sql, query, slots } = template(args);
    const parameters = slots.map((slot) => {
      if ('constant' in slot) return slot.constant;
      const arg = args[slot.argument];
      return slot.item < 0 ? arg : (arg as readonly unknown[])[slot.item];
    });
    const result = await db.executeQuery<Row>({ ...CompiledQuery.raw(sql, parameters), query });
    return result.rows;
  };
}
