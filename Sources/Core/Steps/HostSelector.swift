/// Which hosts a step runs on.
public indirect enum HostSelector: Sendable, Hashable {
    case all
    case roles(Set<Role>)
    /// The first host of group P only.
    case firstPrefill
    /// Every host except the first P host.
    case allButFirstPrefill
    /// Once for the whole play, on the executor.
    case executorOnce
    /// Explicit host names.
    case named(Set<String>)
    /// Hosts matching both.
    case both(HostSelector, HostSelector)
}
