import ContainerKit

/// Where the evaluator learns which container (and image) an event came from.
public enum ContainerSource {
    /// The live host: /proc and the runtimes' state, through ContainerKit.
    case live(Attributor)
    /// Every event is taken to come from one container of this image
    /// (`replay --assume-image`: an audit log names no containers).
    case assumed(imageName: String)
    /// Nothing is known: no event can be attributed, so none is checked.
    case none
}
