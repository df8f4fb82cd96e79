import type { BalancerProfile } from './profile.js';

export interface LoadBalancerConfig {
  name: string;
  backends: readonly { actor: number; name: string }[];
  profile: BalancerProfile;
  /** Sticky sessions: a session's requests stay on the backend that served it while the profile allows. */
  persistence: boolean;
}
