/// SinkKit: violations, their formats (JSON after ECS, CEF, LEEF 2.0) and their
/// delivery (stdout, file, syslog over unix/UDP/TCP/TLS/RELP) with a bounded queue,
/// an on-disk spool, reconnection and throttling.
///
/// Entry points for the agent:
/// - ``SinkSpec/init(parsing:)`` for each `--sink` string;
/// - ``SinkConfiguration`` (format, host name, spool directory and size, ``Throttle``);
/// - ``ViolationSink``: `submit(_:)` from the reader (never blocks), `reopen()` on
///   SIGHUP, `counters.snapshot` for statistics, `shutdown(timeout:)` at exit.
public enum SinkKit {}
