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
    /// P hosts of multi-node instances / of single-node instances.
    case multiNodePrefill
    case singleNodePrefill
    /// P/D hosts, plus C hosts whose machine has no P or D host (where the code is not synced yet).
    case codeSyncTargets
    /// The first C host, when the etcd/Mooncake ports are set.
    case lmcacheHost
    /// Hosts matching both.
    case both(HostSelector, HostSelector)
    /// Hosts matching any of them.
    case any([HostSelector])
    /// Hosts in an inventory group, directly or through nesting (`'PA' in group_names`).
    case group(String)
    /// Add-node: hosts whose containers did not exist before the run.
    case newHosts
    /// Explicit inventory host names.
    case named(Set<String>)

    public static let prefill = HostSelector.roles([.prefill])
    public static let decode = HostSelector.roles([.decode])
    public static let proxy = HostSelector.roles([.proxy])
    public static let prefillDecode = HostSelector.roles([.prefill, .decode])

    /// True when the choice depends on registered facts (the add-node condition).
    public var dependsOnFacts: Bool {
        switch self {
        case .newHosts: return true
        case .both(let a, let b): return a.dependsOnFacts || b.dependsOnFacts
        case .any(let list): return list.contains { $0.dependsOnFacts }
        default: return false
        }
    }

    /// Whether `host` qualifies; `isNew` answers the add-node condition.
    public func matches(_ host: Host, in cluster: Cluster, isNew: (Host) -> Bool = { _ in true }) -> Bool {
        switch self {
        case .all, .executorOnce: return true
        case .roles(let roles): return roles.contains(host.role)
        case .firstPrefill: return host.name == cluster.firstPrefill?.name
        case .allButFirstPrefill: return host.name != cluster.firstPrefill?.name
        case .multiNodePrefill: return cluster.isMultiNodePrefill(host)
        case .singleNodePrefill: return host.role == .prefill && !cluster.isMultiNodePrefill(host)
        case .codeSyncTargets:
            if host.role != .proxy { return true }
            return !cluster.hosts.contains { $0.role != .proxy && $0.address == host.address }
        case .lmcacheHost: return host.name == cluster.lmcacheHost?.name
        case .both(let a, let b): return a.matches(host, in: cluster, isNew: isNew) && b.matches(host, in: cluster, isNew: isNew)
        case .any(let list): return list.contains { $0.matches(host, in: cluster, isNew: isNew) }
        case .group(let name): return host.groupNames.contains(name)
        case .newHosts: return isNew(host)
        case .named(let names): return names.contains(host.name)
        }
    }
}
