// Routing policy modules: `routing: { policy: ./policies/least-loaded.ts }` names a module, by a
// path relative to the scenario file, whose default export chooses the server in-process. Loading
// a module is asynchronous and a run is not, so every way into a run loads it first
// (`loadPolicyModule`); the topology then finds it here when it builds the routers.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RoutingPolicy } from '../../nodes/router/external-policy.js';
import { ModuleRoutingPolicy, type RoutingPolicyModule } from '../../nodes/router/module-policy.js';
import { ScenarioError, type LoadedScenario } from '../scenario/load.js';

/** Modules loaded in this thread, by absolute path: like the ES module cache they come from. */
const loadedModules = new Map<string, RoutingPolicyModule>();
let typeScriptRegistered = false;

/** Whether a scenario's `routing.policy` names a module (else a gRPC service). */
export function isPolicyModule(policy: string): boolean {
  return !policy.startsWith('grpc://');
}

/** The module's absolute path: relative paths start at the scenario file's folder. */
export function policyModulePath(loaded: LoadedScenario, policy: string): string {
  return resolve(dirname(loaded.file), policy);
}

/** Loads the scenario's policy module, when it names one; a module that cannot serve is a located ScenarioError. */
export async function loadPolicyModule(loaded: LoadedScenario): Promise<void> {
  const policy = loaded.scenario.routing.policy;
  if (policy === undefined || !isPolicyModule(policy)) return;
  const path = policyModulePath(loaded, policy);
  if (loadedModules.has(path)) return;
  const problem = (message: string) =>
    new ScenarioError([loaded.problemAt(['routing', 'policy'], `the routing policy module ${policy} ${message}`)]);
  if (!existsSync(path)) throw problem(`does not exist (looked for ${path})`);
  let namespace: { default?: unknown };
  try {
    if (/\.m?ts$/.test(path)) await registerTypeScript();
    namespace = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    throw problem(`did not load: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const candidate = namespace.default;
  if (typeof candidate !== 'object' || candidate === null || typeof (candidate as { choose?: unknown }).choose !== 'function') {
    throw problem('has no default export with a choose(question, random) function');
  }
  loadedModules.set(path, candidate as RoutingPolicyModule);
}

/**
 * A .ts policy runs through tsx, which compiles it as it loads. tsx is an optional peer
 * dependency: a consumer that writes its policy in TypeScript installs it, one that ships
 * JavaScript does not need it.
 */
async function registerTypeScript(): Promise<void> {
  if (typeScriptRegistered) return;
  let api: { register: () => unknown };
  try {
    api = (await import('tsx/esm/api')) as { register: () => unknown };
  } catch {
    throw new Error('a .ts policy module needs tsx (npm install --save-dev tsx), or give the compiled .js');
  }
  api.register();
  typeScriptRegistered = true;
}

/** The routing policy of a module loaded by `loadPolicyModule`, for the routers of a run. */
export function modulePolicy(loaded: LoadedScenario, policy: string, nameOf: (actor: number) => string): RoutingPolicy {
  const module = loadedModules.get(policyModulePath(loaded, policy));
  // Every way into a run loads the module first: missing here, a caller skipped that step.
  if (module === undefined) throw new Error(`routing policy ${policy}: the module was not loaded before the run (loadPolicyModule)`);
  return new ModuleRoutingPolicy(policy, module, nameOf);
}
