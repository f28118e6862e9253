import Foundation

/// Rehearses a scale-in: deploys the running scenario on the simulator, then removes the nodes the target
/// leaves out on the same world, and reports what changed where, how long the proxy served nothing, and
/// whether the proxy still routed to a node once its servers were gone.
public struct RemoveNodeRehearsal {
    public let plan: RemoveNodePlan
    public let base: Rehearsal
    /// The scale-in run; nil when a precondition failed or the base deployment failed.
    public let run: RunResult?
    public let before: StateSummary
    public let after: StateSummary
    public let world: World
    /// Seconds between nginx being killed and the new proxy answering.
    public let proxyOutage: Double?
    public let upstreamsBefore: [String]
    public let upstreamsAfter: [String]

    public var passed: Bool { plan.ok && base.run.succeeded && (run?.succeeded ?? false) }

    public static func run(current: Scenario, target: Scenario) -> RemoveNodeRehearsal {
        let plan = RemoveNodePlan(current: current, target: target)
        let base = Rehearsal.run(current)
        let world = base.world
        let before = StateSummary(world: world)
        let oldUpstreams = AddNodeRehearsal.proxyUpstreams(world, current.cluster)
        guard plan.ok, base.run.succeeded else {
            return RemoveNodeRehearsal(plan: plan, base: base, run: nil, before: before, after: before, world: world, proxyOutage: nil,
                                       upstreamsBefore: oldUpstreams, upstreamsAfter: oldUpstreams)
        }
        let faults = Fault.all(of: target)
        let backend = SimulatorBackend(cluster: target.cluster, world: world, faults: faults, clock: base.backend.clock)
        let result = Orchestration.removeNodes(plan: plan, backend: backend, removalBackend: {
            SimulatorBackend(cluster: current.cluster, world: world, faults: faults, clock: backend.clock)
        }, hooks: Orchestration.Hooks(startTime: base.backend.clock))
        var outage: Double?
        let ran = { (id: String) in result.steps.first { $0.step.id == id && $0.results.contains { $0.status == .ok || $0.status == .ignoredFailure } } }
        if let kill = ran("kill-nginx"), let up = ran("wait-proxy") { outage = up.startedAt + up.duration - kill.startedAt }
        return RemoveNodeRehearsal(plan: plan, base: base, run: result, before: before, after: StateSummary(world: world), world: world,
                                   proxyOutage: outage, upstreamsBefore: oldUpstreams,
                                   upstreamsAfter: AddNodeRehearsal.proxyUpstreams(world, target.cluster))
    }

    public var findings: [Finding] {
        plan.problems.map { Finding(code: $0.code, severity: $0.severity, subject: "remove-node", message: $0.message, hint: $0.hint, location: $0.location) }
    }

    public var expectations: [ExpectationOutcome] {
        plan.target.expectations.map { ExpectationOutcome.evaluate($0, findings: findings, run: run ?? base.run) }
    }

    public var meetsExpectations: Bool { plan.target.expectations.isEmpty ? passed : expectations.allSatisfy(\.held) }

    /// The JUnit report: preconditions, the scale-in steps, and per-machine state changes. A machine that
    /// stays in the deployment and is not the proxy's must not change.
    public func report(timestamp: Date) -> TestReport {
        let name = plan.target.name
        let builder = ReportBuilder(scenario: name, timestamp: timestamp)
        var report = TestReport(name: "omnisim remove-node \(name)")
        report.suites.append(ChangeReport.preconditions(plan.problems, kind: "remove-node", scenario: name, timestamp: timestamp))
        if let run { report.suites += builder.stepSuites(run) }
        let mayChange = Set(plan.target.cluster.proxy.map(\.address)).union(leavingMachines)
        report.suites.append(ChangeReport.state(before: before, after: after, mayChange: mayChange,
                                                failure: "a machine that stays in the deployment changed", kind: "remove-node",
                                                scenario: name, timestamp: timestamp, summary: summary()))
        if !plan.target.expectations.isEmpty { report.suites.append(builder.expectationSuite(expectations)) }
        builder.markExpectedFailures(&report, expectations: expectations)
        return report
    }

    /// Machines whose every host leaves.
    var leavingMachines: Set<String> {
        let staying = Set(plan.target.inventory.hosts.map(\.address))
        return Set(plan.removed.map(\.address)).subtracting(staying)
    }

    public func summary() -> [String] {
        var lines = ["remove-node: \(plan.removed.map(\.name).joined(separator: ", ")) ← \(plan.target.name)"]
        for p in plan.problems { lines.append(p.description) }
        if let failure = base.run.failure { lines.append("the running deployment does not rehearse cleanly: '\(failure.step.id)' failed on \(failure.host): \(failure.message)") }
        guard let run else { return lines + ["remove-node: NOT RUN"] }
        if let failure = run.failure { lines.append("remove-node failed at '\(failure.step.id)' on \(failure.host): \(failure.message)") }
        lines += ChangeReport.changeLines(before: before, after: after, shown: 6)
        lines.append("  proxy upstreams: \(upstreamsBefore.count) → \(upstreamsAfter.count)")
        if let outage = proxyOutage { lines.append(String(format: "  proxy served nothing for %.1f s (simulated)", outage)) }
        lines.append("remove-node run: \(passed ? "succeeded" : "did not complete")")
        return lines
    }
}
