import Core

/// The generated scripts that start the deployment's programs, modelled from their text on the host and the
/// `docker exec` that runs them: the global ranktable merge (generate_global_ranktable.sh → the ranktable
/// tool), the server start (run script → pd_run.sh → start_api_servers.py) and the global proxy
/// (run_proxy_server.sh → global_proxy.sh → nginx).
extension OperationRun {
    /// Virtual seconds a server takes to load weights and open its API port.
    static let prefillLoadTime = 120.0
    static let decodeLoadTime = 150.0

    mutating func generateGlobalRanktable(script: String, environment: [String: String]) {
        guard let global = Self.assignedWord("global", in: script),
              let decodeList = Self.echoedWord(after: "decode_list=$(echo ", in: script),
              let prefillGroups = Self.echoedWord(after: "prefill_groups=$(echo ", in: script) else {
            return fail(126, "generate_global_ranktable.sh does not name its directory and lists")
        }
        let decodePodNum = Int(environment[EnvName.decodePodNum] ?? "") ?? 0
        func read(_ relative: String) throws -> JSONValue {
            guard let file = machine.files[global + "/" + relative] else {
                throw SimError("\(global)/\(relative): No such file or directory")
            }
            return try file.json()
        }
        do {
            var prefill: [JSONValue] = []
            for part in prefillGroups.split(separator: ";", omittingEmptySubsequences: false) {
                let files = part.split(separator: ",").map(String.init)
                let ip = Self.firstIPv4(in: String(part)) ?? ""
                machine.makeDirectories(global + "/collect_files_p/" + ip)
                if files.count > 1 {
                    let merged = try Ranktable.mergeLocal(try files.map(read))
                    let out = "collect_files_p/\(ip)/\(RanktableNames.localMerge)"
                    if let error = machine.write(global + "/" + out, SimFile(document: merged, mode: 0o600)) { throw SimError(error) }
                    prefill.append(try read(out))
                } else {
                    prefill.append(try read(String(part)))
                }
            }
            let decodeFiles = decodeList.split(separator: ",").map(String.init)
            var decode: [JSONValue]
            if decodePodNum > 1 {
                let merged = try Ranktable.mergeLocal(try decodeFiles.map(read))
                let out = "collect_files_d/\(RanktableNames.localMerge)"
                if let error = machine.write(global + "/" + out, SimFile(document: merged, mode: 0o600)) { throw SimError(error) }
                decode = [merged]
            } else {
                decode = try decodeFiles.map(read)
            }
            let all = try Ranktable.mergeAll(prefill: prefill, decode: decode)
            if let error = machine.write(global + "/" + RanktableNames.globalMerge, SimFile(document: all, mode: 0o600)) { throw SimError(error) }
            ok("", 5)
        } catch {
            fail(1, "\(error)")
        }
    }

    /// The text between `local_ranktable_` and the next `_`.
    static func firstIPv4(in text: String) -> String? {
        guard let marker = text.range(of: "local_ranktable_") else { return nil }
        let rest = text[marker.upperBound...]
        guard let end = rest.firstIndex(of: "_") else { return nil }
        return String(rest[..<end])
    }

    /// The value of a `name=<word>` line of a script.
    static func assignedWord(_ name: String, in script: String) -> String? {
        for line in script.split(separator: "\n") where line.hasPrefix(name + "=") {
            guard let tokens = try? ShellWords.tokens(String(line.dropFirst(name.count + 1))),
                  case .word(let word)? = tokens.first else { return nil }
            return word.literal
        }
        return nil
    }

    /// The word echoed by a line that starts with `prefix` (`x=$(echo '<word>' | …)`).
    static func echoedWord(after prefix: String, in script: String) -> String? {
        for line in script.split(separator: "\n") {
            let text = line.drop(while: { $0 == " " })
            guard text.hasPrefix(prefix) else { continue }
            let rest = text.dropFirst(prefix.count)
            let word = rest.range(of: " | ").map { rest[..<$0.lowerBound] } ?? rest
            guard let tokens = try? ShellWords.tokens(String(word)), case .word(let w)? = tokens.first else { return nil }
            return w.literal
        }
        return nil
    }

    /// Starts a P or D host's servers from what the host received: the `docker exec` command's environment,
    /// the run script on the host, and pd_run.sh's contract. Every check below is a failure the reference
    /// playbook never sees, because `docker exec -d` returns 0 whatever happens inside.
    mutating func startServer(script: String, content: String, in container: SimContainer, environment: [String: String]) {
        guard let host = task.target.host else { return fail(127, "\(script) runs on inventory hosts, not on the executor") }
        guard container.packagesInstalled else {
            return startFailed("pd_run.sh", "vLLM is not installed in \(container.name) (pip_install has not run), so pd_run.sh fails")
        }
        let read: RunScriptReader.Result
        do {
            read = try RunScriptReader.read(content, environment: environment, workingDirectory: "/data")
        } catch {
            return startFailed("pd_run.sh", "\(script) cannot be modelled (\(error)), so the rehearsal cannot tell what starts")
        }
        guard let pdRun = read.pdRun else { return startFailed("pd_run.sh", "\(script) never starts pd_run.sh, so nothing starts") }
        let launch: PDRunProgram.Launch
        switch PDRunProgram.run(arguments: pdRun.argv, environment: pdRun.environment) {
        case .rejected(_, let reason): return startFailed("pd_run.sh", reason)
        case .started(let l): launch = l
        }
        machine.launches[host.name] = launch.summary
        let vars = launch.variables
        // With the HCCL connector vLLM reads both ranktables at start; LMCache does not use them.
        if vars["KV_CONNECTOR"] != "LMCacheConnectorV1" {
            for name in ["RANK_TABLE_FILE_PATH", "GLOBAL_RANK_TABLE_FILE_PATH"] {
                let path = vars[name] ?? ""
                guard machine.files[path] != nil else {
                    return startFailed("pd_run.sh", "\(name) \(path) does not exist on \(host.address): vLLM cannot read its ranktable")
                }
            }
        }
        let model = vars["MODEL_PATH"] ?? ""
        guard machine.files[model + "/config.json"] != nil else {
            return startFailed("pd_run.sh", "MODEL_PATH \(model) is missing or empty on \(host.address): vLLM fails to load the weights")
        }
        // Without ASCEND_RT_VISIBLE_DEVICES a server sees, and claims, every NPU of the machine.
        let visible = launch.apiServers?.environment["ASCEND_RT_VISIBLE_DEVICES"]
        let devices = visible.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            ?? (host.role == .prefill ? machine.npus.keys.sorted().map(String.init) : host.deviceIDs)
        for id in devices {
            guard let device = Int(id), machine.npus[device] != nil else {
                return startFailed("pd_run.sh", "NPU \(id) is not present on \(host.address)")
            }
            if machine.busyNPUs.contains(device) { return startFailed("pd_run.sh", "NPU \(id) on \(host.address) is in use by another process") }
        }
        let name = container.name
        let load = host.role == .prefill ? Self.prefillLoadTime : Self.decodeLoadTime
        if let ray = launch.ray, launch.apiServers == nil {
            _ = machine.start(SimProcess(pid: 0, command: ray.argv.joined(separator: " "), container: name,
                                         ports: [], readyAt: now + 10, host: host.name))
            return ok("", 1)
        }
        // start_api_servers.py refuses to start when the base API port itself is taken.
        guard let base = Int(vars["BASE_API_PORT"] ?? ""), let servers = Int(vars["NUM_SERVERS"] ?? "") else {
            return startFailed("pd_run.sh", "pd_run.sh hands start_api_servers.py a non-numeric --base-api-port or --num-servers")
        }
        // Each decode server runs tensor-parallel over its own TP devices of the visible ones.
        if host.role == .decode, let tp = Int(vars["TP"] ?? ""), tp > 1, servers * tp > devices.count {
            return startFailed("pd_run.sh", "\(servers) decode servers with --tp \(tp) need \(servers * tp) devices, but \(host.address) gives them \(devices.count): the servers cannot claim their devices")
        }
        if let owner = machine.owner(of: base) {
            return startFailed("pd_run.sh", "API port \(base) on \(host.address) is already used by '\(owner.command)': start_api_servers.py aborts")
        }
        var ports: [Int] = []
        for rank in 0..<max(servers, 0) {
            guard let port = (base + rank...base + rank + 19).first(where: { machine.ports[$0] == nil && !ports.contains($0) }) else {
                return startFailed("pd_run.sh", "API server \(rank) found no free port in \(base + rank)-\(base + rank + 19)")
            }
            ports.append(port)
        }
        var extra: [Int] = []
        let masterPort = Int(vars["MASTER_PORT"] ?? "")
        if let masterPort, host.role == .prefill || host.isMaster { extra.append(masterPort) }
        if host.role == .prefill { extra.append(Int(vars["VLLM_LLMDATADIST_ZMQ_PORT"] ?? "") ?? PortPlan.zmqPort) }
        // A P server given a KV-events configuration publishes on its endpoint's port (the Omni Proxy's).
        if host.role == .prefill, let port = Self.kvEventsPort(in: vars["EXTRA_ARGS"] ?? "") { extra.append(port) }
        if launch.ray != nil { extra.append(PortPlan.rayPort) }
        for port in extra {
            if let owner = machine.owner(of: port) {
                return startFailed("pd_run.sh", "port \(port) on \(host.address) is already used by '\(owner.command)': the server exits")
            }
        }
        for (rank, port) in ports.enumerated() {
            _ = machine.start(SimProcess(pid: 0, command: "python -m vllm serve --port \(port) (rank \(rank))", container: name,
                                         ports: rank == 0 ? [port] + extra : [port], readyAt: now + load, host: host.name))
        }
        // The run script sends pd_run.sh's output to its log.
        if let log = read.pdRun?.output,
           let error = machine.write(log, "started \(ports.count) API server(s) on \(ports.map(String.init).joined(separator: ","))\n") {
            return startFailed("pd_run.sh", error)
        }
        ok("", 1)
    }

    /// The port of a `--kv-events-config` endpoint (`tcp://*:<port>`) in a P server's vLLM arguments.
    static func kvEventsPort(in extraArgs: String) -> Int? {
        guard extraArgs.contains("--kv-events-config"), let marker = extraArgs.range(of: "\"endpoint\":\"tcp://*:") else { return nil }
        return Int(extraArgs[marker.upperBound...].prefix { $0.isASCII && $0.isNumber })
    }

    /// run_proxy_server.sh expands the decode list (`ip:port@N` → N + 1 servers) and hands both lists
    /// to global_proxy.sh, or with USE_OMNI_PROXY to omni_proxy.sh; either writes nginx.conf and starts nginx.
    mutating func startProxy(script: String, in container: SimContainer, environment: [String: String]) {
        let starts = ["bash global_proxy.sh ", "bash omni_proxy.sh "]
        guard let prefillList = Self.echoedWord(after: "prefill_result=$(echo ", in: script),
              let decodeList = Self.echoedWord(after: "for item in $(echo ", in: script),
              let proxyLine = script.split(separator: "\n").first(where: { line in starts.contains { line.hasPrefix($0) } }) else {
            return fail(126, "run_proxy_server.sh does not start global_proxy.sh or omni_proxy.sh with its lists")
        }
        let omni = proxyLine.hasPrefix("bash omni_proxy.sh ")
        let script = omni ? "omni_proxy.sh" : "global_proxy.sh"
        let config: String
        let port: Int
        do {
            var env = environment
            env["prefill_result"] = ProxyUpstreams.prefill(prefillList).joined(separator: ",")
            env["decode_result"] = try ProxyUpstreams.decode(decodeList).joined(separator: ",")
            let argv = Array(try ShellWords.tokens(String(proxyLine)).flatMap { token -> [String] in
                if case .word(let w) = token { return w.fields(in: env) } else { return [] }
            }.dropFirst(2))
            if omni {
                let settings: OmniProxySettings
                do { settings = try OmniProxySettings(arguments: argv) } catch {
                    return startFailed("nginx", "omni_proxy.sh exits \(error.status): \(error.description)")
                }
                guard let listen = settings.port else { return startFailed("nginx", "nginx cannot listen on '\(settings.listenPort)'") }
                port = listen
                config = OmniProxyConfig.render(settings)
            } else {
                let settings = try NginxSettings(arguments: argv)
                port = settings.listenPort
                config = try NginxConfig.render(settings)
            }
        } catch {
            return startFailed("nginx", "\(script) exits 1: \(error)")
        }
        if let owner = machine.owner(of: port) {
            return startFailed("nginx", "nginx cannot listen on \(port): already used by '\(owner.command)'")
        }
        machine.containers[container.name]!.files[World.nginxConfig] = SimFile(content: config, mode: 0o644)
        _ = machine.start(SimProcess(pid: 0, command: "nginx: master process /usr/local/nginx/nginx -c /usr/local/nginx/conf/nginx.conf",
                                     container: container.name, ports: [port], readyAt: now + 2, host: name))
        observe(.proxyStarted(container: container.name))
        ok("", 2)
    }
}

extension World {
    /// Where global_proxy.sh writes the proxy's configuration inside its container.
    public static let nginxConfig = "/usr/local/nginx/conf/nginx.conf"
}

struct SimError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
