/// ContainerKit: from a pid to its container and that container's image.
public enum ContainerKit {}
