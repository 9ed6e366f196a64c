// @apollo/gateway sends anonymous usage metrics to Apollo's servers (and probes cloud metadata
// endpoints to label them) unless APOLLO_TELEMETRY_DISABLED is set. grokwatch runs inside labs'
// networks and must not call out: off unless an operator sets APOLLO_TELEMETRY_DISABLED=false.
export function disableApolloTelemetry(env: NodeJS.ProcessEnv = process.env): void {
  if (env.APOLLO_TELEMETRY_DISABLED === undefined) env.APOLLO_TELEMETRY_DISABLED = 'true';
}
