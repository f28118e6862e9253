/// Which of the upstream server templates a deployment follows. Each flavour has its own step list, tags,
/// derived values and rules.
public enum Flavour: String, Sendable, Hashable, CaseIterable, Codable {
    /// The V2 server template: one decode instance made of every D host, ranktables generated and merged.
    case main
    /// The elastic template: one decode instance per `D<i>` child group of D, no ranktables, LMCache wired
    /// in, the proxy restarted by `run_server`, and the `add_node`/`delete_node` never-tags for scale-out
    /// and scale-in.
    case elastic
    /// The A3 template that runs two prefill instances per machine: child groups `PA` and `PB` of P, each
    /// instance with its own devices, ZMQ port and log directory.
    case a3TwoPrefill = "a3-two-prefill"

    /// The upstream template file this flavour follows.
    public var templateName: String {
        switch self {
        case .main: return "omni_infer_server_template.yml"
        case .elastic: return "omni_infer_server_template_elastic.yml"
        case .a3TwoPrefill: return "omni_infer_server_template_a3_1machine2p.yml"
        }
    }

    /// Generates and distributes ranktables (the `ranktable` tag) and passes their paths to pd_run.sh.
    public var usesRanktables: Bool { self != .elastic }

    /// The decode-instance group names the elastic template scans: `D0` … `D99`, in numeric order.
    public static let decodeGroupNames = (0..<100).map { "D\($0)" }

    /// The A3 template's prefill groups: the first and second prefill instance of each machine.
    public static let prefillSlotGroups = ["PA", "PB"]

    /// The prefill slot of `host` under the A3 template: 0 for PA, 1 for PB; nil in the other flavours,
    /// and for a host in neither group.
    public func prefillSlot(of host: Host) -> Int? {
        guard self == .a3TwoPrefill, host.role == .prefill else { return nil }
        return Self.prefillSlotGroups.firstIndex { host.groupNames.contains($0) }
    }
}
