import { Protocol, type Request } from '../messages.js';

/**
 * What a work class does with the requests it matches (the ODR's routing policy actions):
 * permit routes to the target cluster; the sticky forms also keep the router's own affinity
 * table; the MM forms route only to servers in maintenance; reject refuses; redirect sends the
 * client to another URI.
 */
export type WorkClassAction = 'permit' | 'permitsticky' | 'permitMM' | 'permitstickyMM' | 'reject' | 'redirect';

export interface WorkClassSpec {
  name: string;
  protocol?: Protocol | undefined;
  /** URI pattern: `*` matches any run of characters (`/admin/*`). */
  uri?: string | undefined;
  method?: string | undefined;
  action: WorkClassAction;
  /** Cluster the matched requests go to; the protocol's default cluster when absent. */
  cluster?: string | undefined;
  /** For redirect: where the client is sent. */
  redirectTo?: string | undefined;
}

export interface WorkClass {
  readonly name: string;
  readonly action: WorkClassAction;
  readonly cluster: string | undefined;
  readonly redirectTo: string;
  readonly sticky: boolean;
  readonly maintenanceOnly: boolean;
}

interface CompiledRule {
  workClass: WorkClass;
  protocol: Protocol | undefined;
  uri: RegExp | undefined;
  method: string | undefined;
}

/** The default class: requests no work class matches are permitted to their protocol's cluster. */
const defaultWorkClass: WorkClass = { name: '', action: 'permit', cluster: undefined, redirectTo: '', sticky: false, maintenanceOnly: false };

/**
 * Work classes in their configured order; the first that matches a request's protocol, URI and
 * method wins. Matching is memoised per protocol, method and URI: a workload uses few distinct
 * URIs, so the hot path is two map look-ups, no pattern matching.
 */
export class WorkClassTable {
  private readonly rules: CompiledRule[];
  private readonly memo = new Map<Protocol, Map<string, Map<string, WorkClass>>>();

  constructor(specs: readonly WorkClassSpec[]) {
    this.rules = specs.map((spec) => ({
      workClass: {
        name: spec.name,
        action: spec.action,
        cluster: spec.cluster,
        redirectTo: spec.redirectTo ?? '',
        sticky: spec.action === 'permitsticky' || spec.action === 'permitstickyMM',
        maintenanceOnly: spec.action === 'permitMM' || spec.action === 'permitstickyMM',
      },
      protocol: spec.protocol,
      uri: spec.uri === undefined ? undefined : uriPattern(spec.uri),
      method: spec.method?.toUpperCase(),
    }));
  }

  match(request: Request): WorkClass {
    let byMethod = this.memo.get(request.protocol);
    if (byMethod === undefined) this.memo.set(request.protocol, (byMethod = new Map()));
    let byUri = byMethod.get(request.method);
    if (byUri === undefined) byMethod.set(request.method, (byUri = new Map()));
    let workClass = byUri.get(request.uri);
    if (workClass === undefined) {
      workClass = this.firstMatch(request.protocol, request.uri, request.method.toUpperCase());
      byUri.set(request.uri, workClass);
    }
    return workClass;
  }

  private firstMatch(protocol: Protocol, uri: string, method: string): WorkClass {
    for (const rule of this.rules) {
      if (rule.protocol !== undefined && rule.protocol !== protocol) continue;
      if (rule.method !== undefined && rule.method !== method) continue;
      if (rule.uri !== undefined && !rule.uri.test(uri)) continue;
      return rule.workClass;
    }
    return defaultWorkClass;
  }
}

function uriPattern(glob: string): RegExp {
  const escaped = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}
