// Dashboard settings. Locally the API is on the same origin (apiBase ''). For a deployed site,
// `cloudtrail-tracker publish-dashboard` uploads this file with the stack's apiBase and auth appended
// (this copy is not changed): edit the other settings here.
window.TRACKER_CONFIG = {
  apiBase: "",
  auth: {
    enabled: false, // true: sign in against the Cognito user pool below, send the ID token as Bearer
    region: "",
    userPoolId: "",
    clientId: "", // an app client without a secret allowing USER_PASSWORD_AUTH (the stack's does)
  },
  // Event names counted at the top of the overview and actor views (the original's four by default).
  // An entry is an event name, or {label, eventNames} to add up several: CloudTrail names Lambda's
  // CreateFunction "CreateFunction20150331", and ELBv1/v2 both call theirs CreateLoadBalancer.
  counters: [
    "RunInstances",
    "CreateDBInstance",
    { label: "CreateFunction", eventNames: ["CreateFunction20150331", "CreateFunction"] },
    "CreateLoadBalancer",
  ],
  pageSize: 25, // rows per page of the events tables
  topN: 15, // bars per chart before "n more"
};
