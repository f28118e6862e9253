import Core

/// A property that must hold on a host after each step, judged from outside the programs' models: from
/// what they reported (`Observation`) and from the world. Each catches a failure that the reference
/// playbook reports as success.
public protocol Invariant: Sendable {
    /// Stable name, as listed in the README and in failure messages.
    var name: String { get }
    /// What it demands, in one sentence.
    var summary: String { get }
    /// Why the host breaks it; empty when it holds.
    func violations(on host: Host, observations: [Observation], world: World) -> [String]
}

/// Every invariant the rehearsal checks, in the order they are judged.
public enum Invariants {
    public static let all: [any Invariant] = [BackgroundStartsRun(), LocalRanktablesFound(), ProxyUpstreamsServed()]

    /// The first violation on the host after a step, as the step's failure message.
    static func firstViolation(on host: Host, observations: [Observation], world: World) -> String? {
        for invariant in all {
            if let reason = invariant.violations(on: host, observations: observations, world: world).first {
                return "\(reason) [\(invariant.name)]"
            }
        }
        return nil
    }
}

/// A program started in the background must come up: `docker exec -d` returns 0 whatever happens inside,
/// so the reference playbook goes on as if it had.
struct BackgroundStartsRun: Invariant {
    let name = "background-starts-run"
    let summary = "every program a step starts in the background comes up"

    func violations(on host: Host, observations: [Observation], world: World) -> [String] {
        observations.compactMap {
            guard case .startFailed(_, let reason) = $0 else { return nil }
            return "the command returned 0, but \(reason) (the reference playbook reports success here)"
        }
    }
}

/// The search for a host's local ranktables must find them: the reference playbook's glob then fetches
/// nothing and goes on, and the merged ranktable lacks the host.
struct LocalRanktablesFound: Invariant {
    let name = "local-ranktables-found"
    let summary = "the search for a host's local ranktables finds at least one file"

    func violations(on host: Host, observations: [Observation], world: World) -> [String] {
        observations.compactMap {
            guard case .filesFound(let query, let paths) = $0, paths.isEmpty else { return nil }
            return "no file in \(query.directory) is named \(query.prefix)<device ids>\(query.suffix), so none is collected "
                + "and the merged ranktable lacks \(host.name) (the reference playbook goes on)"
        }
    }
}

/// Every upstream of a (re)started proxy must be served by a deployed server: requests nginx routes to a
/// dead upstream fail, while the playbook reports success.
struct ProxyUpstreamsServed: Invariant {
    let name = "proxy-upstreams-served"
    let summary = "every upstream of the started proxy is served by a deployed server"

    func violations(on host: Host, observations: [Observation], world: World) -> [String] {
        observations.compactMap { observation -> String? in
            guard case .proxyStarted(let container) = observation,
                  let config = world.machine(for: host).containers[container]?.files[World.nginxConfig]?.content else { return nil }
            let upstreams = NginxConfig.upstreams(in: config)
            let dead = (upstreams.prefill + upstreams.decode).filter { server in
                let parts = server.split(separator: ":")
                guard parts.count == 2, let port = Int(parts[1]), let target = world.machines[String(parts[0])],
                      let owner = target.owner(of: port), owner.container != nil else { return true }
                return false
            }
            guard !dead.isEmpty else { return nil }
            return "nginx routes to \(dead.count) upstream(s) that nobody listens on: \(dead.prefix(4).joined(separator: ", "))\(dead.count > 4 ? ", …" : "")"
        }
    }
}
