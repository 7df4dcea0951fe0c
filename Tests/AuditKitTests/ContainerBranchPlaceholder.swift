import Testing
// Placeholder so the package builds on the container branch (the skeleton commit has no AuditKitTests sources).
