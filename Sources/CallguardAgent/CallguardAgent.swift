/// CallguardAgent: wires the pipeline stages into `run` and `replay`.
public enum CallguardAgent {}
