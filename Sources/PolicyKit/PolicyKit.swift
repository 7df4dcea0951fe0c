/// PolicyKit: YAML syscall policies, image matching, syscall sets and the rule compiler.
public enum PolicyKit {}
