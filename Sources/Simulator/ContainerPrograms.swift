import Core

/// The programs run in containers, modelled by what they do to the machine. A script is known by its
/// file name and read from the host, where an earlier operation wrote it.
extension OperationRun {
    /// Virtual seconds a terminated server takes to finish its requests and exit.
    static let drainTime = 10.0

    mutating func exec(_ exec: ContainerExec) {
        guard let container = runningContainer(exec.container) else { return }
        var env = container.env
        for variable in exec.environment { env[variable.name] = variable.value }
        switch exec.program {
        case .script(let path): runScript(path, in: container, environment: env, exec: exec)
        case .reinstallPackages(let log, let lmcacheLog):
            guard requireCode(container, "/bin/bash: line 1: cd: \(Paths.containerCode)/infer_engines: No such file or directory") else { return }
            if let error = machine.write(log, "Successfully installed\n") {
                return fail(1, "\(error): the redirect of the chain's last command (pip install numpy==1.26) fails, so numpy stays uninstalled and vLLM cannot start")
            }
            if let lmcacheLog, let error = machine.write(lmcacheLog, "Successfully installed\n") { return fail(1, error) }
            machine.containers[container.name]!.packagesInstalled = true
            ok("", 300)
        case .installLMCache(let log):
            guard requireCode(container, "/bin/bash: line 1: cd: \(Paths.containerCode)/omni/adaptors/lmcache/script: No such file or directory") else { return }
            if let error = machine.write(log, "Successfully installed\n") { return fail(1, error) }
            machine.containers[container.name]!.packagesInstalled = true
            ok("", 300)
        case .etcd(let address, let port, _):
            startService("etcd --listen-client-urls http://\(address):\(port)", ports: [port], in: container)
        case .mooncakeMaster(_, let rpcPort, let metricsPort, _):
            startService("mooncake_master -rpc_port=\(rpcPort)", ports: [rpcPort, metricsPort], in: container)
        case .terminateServers:
            // The servers finish the requests in flight, then exit and free their ports.
            let stopped = machine.kill { $0.container == container.name && $0.command.contains("vllm") }
            ok("", stopped > 0 ? Self.drainTime : 0.1)
        case .makeExecutable(let path):
            guard requireCode(container, "chmod: cannot access '\(path)': No such file or directory") else { return }
            ok("", 0.5)
        }
    }

    /// Code-dependent programs need the checkout copied into the container.
    private mutating func requireCode(_ container: SimContainer, _ error: String) -> Bool {
        guard container.hasCode else {
            fail(1, error)
            return false
        }
        return true
    }

    private mutating func runScript(_ path: String, in container: SimContainer, environment: [String: String], exec: ContainerExec) {
        // The repository's own scripts come with the copied code; the generated ones were written to the host.
        if path.hasPrefix(Paths.containerCode + "/") {
            guard requireCode(container, "/bin/bash: \(path): No such file or directory") else { return }
            return ok("", 0.5)
        }
        guard let file = machine.files[path] else {
            if exec.detached { return startFailed(Paths.fileName(path), "\(path) does not exist, so nothing starts") }
            return fail(127, "/bin/bash: \(path): No such file or directory")
        }
        switch StepAction.GeneratedFile(rawValue: Paths.fileName(path)) {
        case .generatePrefillRanktable?, .generateDecodeRanktable?:
            generateLocalRanktable(environment: environment, prefill: Paths.fileName(path) == StepAction.GeneratedFile.generatePrefillRanktable.rawValue)
        case .generateGlobalRanktable?:
            generateGlobalRanktable(script: file.content, environment: environment)
        case .killPython?, .killRay?, .killNginx?:
            killProcesses(script: file.content, in: container.name)
        case .runPrefill?, .runDecode?:
            startServer(script: path, content: file.content, in: container, environment: environment)
        case .runProxy?:
            startProxy(script: file.content, in: container, environment: environment)
        default:
            fail(126, "\(path): the rehearsal does not know what this script does")
        }
    }

    /// `pd_ranktable_tools.py --mode gen` for the devices in the list variable, into the save directory.
    private mutating func generateLocalRanktable(environment: [String: String], prefill: Bool) {
        let list = environment[EnvName.serverList(prefill ? .prefill : .decode)] ?? ""
        let dir = environment[EnvName.ranktableSaveDirectory(prefill ? .prefill : .decode)] ?? ""
        let serverIP = machine.spec.resolvesTo ?? machine.address
        let ids = list.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        do {
            let outputs = try Ranktable.gen(serverIP: serverIP, prefillLists: prefill ? [ids] : [], decodeLists: prefill ? [] : [ids],
                                            apiServer: prefill, deviceIP: { id in Int(id).flatMap { machine.npus[$0] } })
            let written = outputs.map { (name: $0.fileName, file: SimFile(document: $0.document, mode: 0o600)) }
            if machine.fullPaths.isEmpty {
                machine.files.replaceContents(of: dir, with: written)
            } else {
                machine.removeContents(of: dir)
                machine.makeDirectories(dir)
                for (name, file) in written {
                    if let error = machine.write(dir + "/" + name, file) { return fail(1, error) }
                }
            }
            ok("", 5)
        } catch {
            fail(1, "Traceback (most recent call last):\n  pd_ranktable_tools.py gen\n\(error)")
        }
    }

    /// A kill script kills every process in the container whose command line holds its `grep` pattern.
    /// Its own command line holds the pattern too, so it kills itself: exit 137, which the playbook ignores.
    private mutating func killProcesses(script: String, in container: String) {
        guard let pattern = Self.grepPattern(in: script) else {
            return fail(126, "the kill script has no 'grep <pattern>' stage")
        }
        _ = machine.kill { $0.container == container && $0.command.contains(pattern) }
        fail(137, "Killed", message: "the kill script kills itself (exit 137); ignored, as the reference playbook does", duration: 0.5)
    }

    /// The word after the first `grep` of the script's pipeline.
    static func grepPattern(in script: String) -> String? {
        for line in script.split(separator: "\n") where !line.hasPrefix("#") {
            guard let tokens = try? ShellWords.tokens(String(line)) else { continue }
            let words = tokens.compactMap { token -> String? in
                if case .word(let w) = token { return w.literal } else { return nil }
            }
            if let i = words.firstIndex(of: "grep"), i + 1 < words.count { return words[i + 1] }
        }
        return nil
    }

    /// A detached service start: the process listens on its ports once it is up.
    private mutating func startService(_ command: String, ports: [Int], in container: SimContainer) {
        if let busy = ports.first(where: { machine.ports[$0] != nil }), let owner = machine.owner(of: busy) {
            let program = String(command.split(separator: " ")[0])
            return startFailed(program, "\(program) cannot bind port \(busy): already used by '\(owner.command)'")
        }
        _ = machine.start(SimProcess(pid: 0, command: command, container: container.name, ports: ports, readyAt: now + 2, host: name))
        ok("", 0.5)
    }
}
