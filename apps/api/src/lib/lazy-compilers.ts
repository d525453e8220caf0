/**
 * Fastify's own schema compilers (Ajv for what a request carries, fast-json-stringify for what a response
 * answers), each route's functions compiled when the route first needs them instead of all of them before the
 * server listens: compiling ~150 schemas was the largest part of a start once the database was open. A route's
 * first request pays its own compile (a few milliseconds); the tests call every route, so a schema that does
 * not compile still fails there.
 */
import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type Compile<R, F> = (route: R) => F;
type Validate = ((...args: unknown[]) => unknown) & { errors?: unknown };

/** A validator that compiles on its first call; `errors` (read by Fastify after a failed call) is the compiled one's. */
function lazyValidator<R>(compile: Compile<R, Validate>): Compile<R, Validate> {
  return (route) => {
    let compiled: Validate | undefined;
    const validate: Validate = function (this: unknown, ...args: unknown[]) {
      compiled ??= compile(route);
      return compiled.apply(this, args);
    };
    Object.defineProperty(validate, 'errors', { get: () => compiled?.errors });
    return validate;
  };
}

function lazySerializer<R>(compile: Compile<R, (data: unknown) => string>): Compile<R, (data: unknown) => string> {
  return (route) => {
    let compiled: ((data: unknown) => string) | undefined;
    return (data) => {
      compiled ??= compile(route);
      return compiled(data);
    };
  };
}

type Factory<R, F> = (externalSchemas: unknown, options: unknown) => Compile<R, F>;

/** The `schemaController` option of Fastify: its default compilers, each route's compiled on first use. */
export function lazyCompilers() {
  const validators = AjvCompiler() as unknown as Factory<unknown, Validate>;
  const serializers = SerializerSelector() as unknown as Factory<unknown, (data: unknown) => string>;
  return {
    compilersFactory: {
      buildValidator: (externalSchemas: unknown, options: unknown) => lazyValidator(validators(externalSchemas, options)),
      buildSerializer: (externalSchemas: unknown, options: unknown) => lazySerializer(serializers(externalSchemas, options)),
    },
  };
}
