import { BackendAdminAction } from '../messages.js';
import type { AgentReport, BackendAction } from './profile.js';

/** What a server's agent answers: an admin state (the runtime API's), or whether the server is up. */
export type AgentAnswer = { report: AgentReport; action: BackendAction } | { report: AgentReport; down: boolean };

/** The proto's admin actions on one backend, in the profiles' words. */
export const adminActions: Readonly<Record<number, BackendAction>> = {
  [BackendAdminAction.READY]: 'ready',
  [BackendAdminAction.DRAIN]: 'drain',
  [BackendAdminAction.MAINT]: 'maint',
  [BackendAdminAction.REMOVE]: 'remove',
  [BackendAdminAction.ADD]: 'add',
  [BackendAdminAction.EDS_DRAINING]: 'eds-draining',
  [BackendAdminAction.DEREGISTER]: 'deregister',
  [BackendAdminAction.REGISTER]: 'register',
  [BackendAdminAction.DOWN]: 'down',
  [BackendAdminAction.UP]: 'up',
  [BackendAdminAction.WEIGHT_ZERO]: 'weight-zero',
  [BackendAdminAction.WEIGHT_RESTORE]: 'weight-restore',
};

/** An agent's report, and the admin action it amounts to once the balancer polls it (HAProxy: the same admin states as the runtime API). */
export const agentReports: Readonly<Record<number, AgentAnswer>> = {
  [BackendAdminAction.AGENT_READY]: { report: 'agent-ready', action: 'ready' },
  [BackendAdminAction.AGENT_DRAIN]: { report: 'agent-drain', action: 'drain' },
  [BackendAdminAction.AGENT_MAINT]: { report: 'agent-maint', action: 'maint' },
  [BackendAdminAction.AGENT_UP]: { report: 'agent-up', down: false },
  [BackendAdminAction.AGENT_DOWN]: { report: 'agent-down', down: true },
};
