@_exported import Core

/// The whole modelled world: every machine by address, plus the executor.
public final class World: @unchecked Sendable {
    public var machines: [String: Machine] = [:]
    public let executor: Machine
    public var machineOrder: [String] = []
    /// The starting files of new machines.
    private var base: Machine.Base

    public init(cluster: Cluster, plan: MachinePlan, faults: [Fault]) {
        let settings = cluster.settings
        base = Machine.Base(modelPath: settings.modelPath)
        executor = Machine(address: "executor", spec: MachineSpec(), defaultImage: settings.dockerImageID,
                           base: Machine.Base(modelPath: "/nonexistent-model"))
        executor.npus = [:]
        if plan.executorHasCode {
            let code = settings.codePath + "/omniinfer"
            for file in ["infer_engines/vllm/setup.py", "infer_engines/bash_install_code.sh", "tools/scripts/pd_run.sh",
                         "tools/scripts/pd_ranktable_tools.py", "tools/scripts/global_proxy.sh", "setup.py"] {
                executor.makeDirectories(executor.parent(code + "/" + file))
                executor.files[code + "/" + file] = SimFile(content: "# \(file)\n", mode: file.hasSuffix(".sh") ? 0o755 : 0o644)
            }
        }
        addMachines(for: cluster, plan: plan, faults: faults)
    }

    /// Adds a machine for every address of `cluster` not modelled yet, with the faults that concern them.
    public func addMachines(for cluster: Cluster, plan: MachinePlan, faults: [Fault]) {
        let settings = cluster.settings
        var added: Set<String> = []
        if base.modelPath != settings.modelPath { base = Machine.Base(modelPath: settings.modelPath) }
        for host in cluster.hosts where machines[host.address] == nil {
            let machine = Machine(address: host.address, spec: plan.spec(for: host.address),
                                  defaultImage: settings.dockerImageID, base: base)
            machines[host.address] = machine
            machineOrder.append(host.address)
            added.insert(host.address)
        }
        for fault in faults where added.contains(cluster.host(named: fault.host)?.address ?? "") {
            guard let host = cluster.host(named: fault.host), let machine = machines[host.address] else { continue }
            fault.apply(to: machine, settings: settings)
        }
    }

    /// The machine of an inventory host.
    public func machine(for host: Host) -> Machine { machines[host.address]! }
}
