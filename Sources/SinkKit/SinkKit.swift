/// SinkKit: violations, their formats (JSON, CEF, LEEF) and transports (stdout, file, syslog).
public enum SinkKit {}
