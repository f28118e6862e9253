import Foundation

/// Rehearses adding nodes to a running deployment: deploys the current scenario on the simulator, then
/// runs the add-node steps for the target on the same world, and reports what changed where, how long
/// the proxy served nothing, and whether the new nodes were ready before the proxy routed to them.
public struct AddNodeRehearsal {
    public let plan: AddNodePlan
    /// The main deployment of the current scenario.
    public let base: Rehearsal
    /// The add-node run; nil when a precondition failed or the base deployment failed.
    public let run: RunResult?
    public let rollback: RunResult?
    public let before: StateSummary
    public let after: StateSummary
    public let world: World
    /// Seconds between nginx being killed and the new proxy answering.
    public let proxyOutage: Double?
    /// Seconds the proxy (restarted the reference playbook's way, right after the start command) would route to a new
    /// prefill that is still loading; omnisim's order waits for readiness first.
    public let referenceOrderNotReadyWindow: Double?
    public let newNodesReadyBeforeProxy: Bool?
    public let upstreamsBefore: [String]
    public let upstreamsAfter: [String]

    public var passed: Bool { plan.ok && base.run.succeeded && (run?.succeeded ?? false) }

    public static func run(current: Scenario, target: Scenario, options: RunOptions = RunOptions()) -> AddNodeRehearsal {
        let plan = AddNodePlan(current: current, target: target)
        let base = Rehearsal.run(current)
        let world = base.world
        let cluster = target.cluster
        let faults = Fault.all(of: target)
        world.addMachines(for: cluster, plan: target.machines, faults: faults)
        let before = StateSummary(world: world)
        let oldUpstreams = proxyUpstreams(world, current.cluster)
        guard plan.ok, base.run.succeeded else {
            return AddNodeRehearsal(plan: plan, base: base, run: nil, rollback: nil, before: before, after: before, world: world,
                                    proxyOutage: nil, referenceOrderNotReadyWindow: nil, newNodesReadyBeforeProxy: nil,
                                    upstreamsBefore: oldUpstreams, upstreamsAfter: oldUpstreams)
        }
        let backend = SimulatorBackend(cluster: cluster, world: world, faults: faults, clock: base.backend.clock)
        let names = Set(plan.added.map(\.name))
        let outcome = Orchestration.addNode(plan: plan, cluster: cluster, backend: backend, rollbackBackend: {
            // The rollback reaches the new hosts again: step faults and cut-off connections do not carry over.
            let reachable = faults.filter { !$0.cutsOff || !names.contains($0.host) }
            return SimulatorBackend(cluster: cluster, world: world, faults: reachable.filter { $0.step == nil }, clock: backend.clock)
        }, options: options, hooks: Orchestration.Hooks(startTime: base.backend.clock))
        let result = outcome.run, rollback = outcome.rollback

        let after = StateSummary(world: world)
        let timing = Self.timing(result, world: world, cluster: cluster, added: plan.added)
        return AddNodeRehearsal(plan: plan, base: base, run: result, rollback: rollback, before: before, after: after, world: world,
                                proxyOutage: timing.outage, referenceOrderNotReadyWindow: timing.referenceWindow,
                                newNodesReadyBeforeProxy: timing.readyFirst,
                                upstreamsBefore: oldUpstreams, upstreamsAfter: proxyUpstreams(world, cluster))
    }

    /// The upstreams of the first proxy's running nginx config.
    static func proxyUpstreams(_ world: World, _ cluster: Cluster) -> [String] {
        guard let c = cluster.proxy.first, let machine = world.machines[c.address],
              let config = machine.containers[cluster.containerName(c)]?.files[World.nginxConfig]?.content else { return [] }
        let ups = NginxConfig.upstreams(in: config)
        return ups.prefill + ups.decode
    }

    static func timing(_ run: RunResult, world: World, cluster: Cluster, added: [Core.Host]) -> (outage: Double?, referenceWindow: Double?, readyFirst: Bool?) {
        func step(_ id: String) -> StepRun? { run.steps.first { $0.step.id == id && $0.results.contains { $0.status == .ok || $0.status == .ignoredFailure } } }
        // The add-node playbook's server starts, or the elastic template's scale-out block's.
        let starts = ["start-prefill", "scale-out-start-prefill", "start-decode", "scale-out-start-decode"]
        guard let kill = step("kill-nginx"), let up = step("wait-proxy"), let started = starts.lazy.compactMap(step).first else {
            return (nil, nil, nil)
        }
        let outage = up.startedAt + up.duration - kill.startedAt
        let newNames = Set(added.map(\.name))
        let readyAt = world.machines.values.flatMap { $0.processes }.filter { newNames.contains($0.host ?? "") }.map(\.readyAt).max()
        let referenceProxyUp = started.startedAt + started.duration + (up.startedAt + up.duration - kill.startedAt)
        let referenceWindow = readyAt.map { max(0, $0 - referenceProxyUp) }
        let readyFirst = readyAt.map { $0 <= kill.startedAt }
        return (outage, referenceWindow, readyFirst)
    }

    /// Precondition problems as findings, so expectations can name their codes.
    public var findings: [Finding] {
        plan.problems.map { Finding(code: $0.code, severity: $0.severity, subject: "add-node", message: $0.message, hint: $0.hint, location: $0.location) }
    }

    public var expectations: [ExpectationOutcome] {
        let outcome = run ?? base.run
        return plan.target.expectations.map { ExpectationOutcome.evaluate($0, findings: findings, run: outcome) }
    }

    /// True when the target's expectations hold; without expectations, when everything succeeded.
    public var meetsExpectations: Bool {
        plan.target.expectations.isEmpty ? passed : expectations.allSatisfy(\.held)
    }

    /// The JUnit report: preconditions, the add-node steps, per-machine state changes, expectations.
    public func report(timestamp: Date) -> TestReport {
        let name = plan.target.name
        let builder = ReportBuilder(scenario: name, timestamp: timestamp)
        var report = TestReport(name: "omnisim add-node \(name)")
        report.suites.append(ChangeReport.preconditions(plan.problems, kind: "add-node", scenario: name, timestamp: timestamp))
        if let run { report.suites += builder.stepSuites(run) }
        let mayChange = Set(plan.target.cluster.proxy.map(\.address)).union(plan.added.map(\.address))
        report.suites.append(ChangeReport.state(before: before, after: after, mayChange: mayChange,
                                                failure: "a machine of the running instance changed", kind: "add-node",
                                                scenario: name, timestamp: timestamp, summary: summary()))
        if !plan.target.expectations.isEmpty { report.suites.append(builder.expectationSuite(expectations)) }
        builder.markExpectedFailures(&report, expectations: expectations)
        return report
    }

    /// A readable account of the rehearsal.
    public func summary() -> [String] {
        var lines: [String] = []
        lines.append("add-node: \(plan.added.map(\.name).joined(separator: ", ")) → \(plan.target.name)")
        for p in plan.problems { lines.append(p.description) }
        if let failure = base.run.failure { lines.append("the current deployment does not rehearse cleanly: '\(failure.step.id)' failed on \(failure.host): \(failure.message)") }
        guard let run else { return lines + ["add-node: NOT RUN"] }
        if let failure = run.failure {
            lines.append("add-node failed at '\(failure.step.id)' on \(failure.host): \(failure.message)")
            if let rollback { lines.append("rollback: \(rollback.succeeded ? "new nodes' containers removed" : "failed: \(rollback.failure!.message)")") }
        }
        lines += ChangeReport.changeLines(before: before, after: after, shown: 12)
        lines.append("  proxy upstreams: \(upstreamsBefore.count) → \(upstreamsAfter.count)")
        if let outage = proxyOutage { lines.append(String(format: "  proxy served nothing for %.1f s (simulated)", outage)) }
        if let ready = newNodesReadyBeforeProxy { lines.append("  new nodes ready before the proxy routed to them: \(ready ? "yes" : "no")") }
        if let window = referenceOrderNotReadyWindow {
            lines.append(String(format: "  the reference playbook's order would route to the loading node for %.0f s", window))
        }
        lines.append("add-node run: \(passed ? "succeeded" : "did not complete")")
        return lines
    }
}
