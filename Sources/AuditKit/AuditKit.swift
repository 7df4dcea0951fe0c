/// AuditKit: the kernel audit netlink socket, rules, the zero-copy record parser and event assembly.
public enum AuditKit {}
