import { MaintenanceMode, ServerState, type LoadReport, type Message } from '../../nodes/messages.js';

/** A load report of `server`, running and idle at time zero, with `fields` changed. */
export function loadReport(server: number, fields: Partial<LoadReport> = {}): LoadReport {
  return {
    server,
    atUs: 0,
    state: ServerState.RUNNING,
    mode: MaintenanceMode.UNSPECIFIED,
    inFlight: 0,
    threads: 10,
    queued: 0,
    loadPercent: 0,
    openSessions: 0,
    completedInInterval: 0,
    responseTimeSumUs: 0,
    errorsInInterval: 0,
    ...fields,
  };
}

export function loadReportMessage(server: number, fields: Partial<LoadReport> = {}): Message {
  return { $case: 'loadReport', value: loadReport(server, fields) };
}
