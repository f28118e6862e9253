/// The parts of the model that follow the seed's helper scripts: the global ranktable merge
/// (generate_global_ranktable.sh), the server start (run script → pd_run.sh → start_api_servers.py) and
/// the global proxy (run_proxy_server.sh → global_proxy.sh → nginx).
extension ActionRun {
    /// Virtual seconds a server takes to load weights and open its API port.
    static let prefillLoadTime = 120.0
    static let decodeLoadTime = 150.0

    mutating func generateGlobalRanktable() {
        guard requireContainer() else { return }
        guard requireFile(paths.script(.generateGlobalRanktable)) else { return }
        let global = paths.global
        let d = cluster.derived
        func read(_ relative: String) throws -> JSONValue {
            guard let file = machine.files[global + "/" + relative] else {
                throw SimError("\(global)/\(relative): No such file or directory")
            }
            return try file.json()
        }
        do {
            var prefill: [JSONValue] = []
            for part in d.prefillMergeRanktableList.utf8.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false).map(Substring.init) {
                let files = part.utf8.split(separator: UInt8(ascii: ",")).map { String(Substring($0)) }
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
            let decodeFiles = d.decodeRanktableList.utf8.split(separator: UInt8(ascii: ",")).map { String(Substring($0)) }
            var decode: [JSONValue]
            if d.decodePodNum > 1 {
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
        var text = text
        return text.withUTF8 { bytes in
            let marker = Array("local_ranktable_".utf8)
            guard bytes.count >= marker.count else { return nil }
            for start in 0...(bytes.count - marker.count) where bytes[start] == marker[0] {
                guard marker.elementsEqual(bytes[start..<start + marker.count]) else { continue }
                let rest = bytes[(start + marker.count)...]
                guard let end = rest.firstIndex(of: UInt8(ascii: "_")) else { return nil }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[(start + marker.count)..<end]), as: UTF8.self)
            }
            return nil
        }
    }

    /// Expands the run script's ranktable glob (`dir/local_*<suffix>.json`) against the model.
    func matches(glob: String) -> [String] {
        let dir = machine.parent(glob)
        let pattern = Paths.fileName(glob).utf8
        guard let star = pattern.firstIndex(of: UInt8(ascii: "*")) else { return machine.files[glob] == nil ? [] : [glob] }
        let prefix = pattern[..<star], suffix = pattern[pattern.index(after: star)...]
        let base = dir == "/" ? "/" : dir + "/"
        let (head, tail) = (Array(prefix), Array(suffix))
        return machine.files.fileNames(in: dir, where: { name in
            var name = name
            return name.withUTF8 { bytes in
                bytes.count >= head.count + tail.count && head.elementsEqual(bytes.prefix(head.count))
                    && tail.elementsEqual(bytes.suffix(tail.count))
            }
        }).map { base + $0 }
    }

    mutating func startServer() {
        guard requireContainer() else { return }
        let script = paths.script(.runServer(for: host.role))
        // `docker exec -d` returns 0 whatever happens inside: each problem below is one the seed never sees.
        guard machine.files[script] != nil else { return silentFailure("\(script) does not exist, so nothing starts") }
        guard container()!.packagesInstalled else {
            return silentFailure("vLLM is not installed in \(containerName) (pip_install has not run), so pd_run.sh fails")
        }
        let glob = paths.localRanktableGlob(for: host, in: cluster)
        let found = task.step.playbook == .main ? matches(glob: glob) : [glob]
        guard found.count == 1 else {
            let what = found.isEmpty ? "matches no file" : "matches \(found.count) files (\(found.map(Paths.fileName).joined(separator: ", ")))"
            return silentFailure("the ranktable pattern \(glob) \(what): pd_run.sh mis-parses its arguments and exits 0 without starting a server")
        }
        guard task.step.playbook == .addNode
                || machine.files[paths.global + "/" + RanktableNames.globalMerge] != nil else {
            return silentFailure("\(paths.global)/\(RanktableNames.globalMerge) is missing: vLLM cannot read the global ranktable")
        }
        guard machine.files[settings.modelPath + "/config.json"] != nil else {
            return silentFailure("MODEL_PATH \(settings.modelPath) is missing or empty on \(host.address): vLLM fails to load the weights")
        }
        for id in host.deviceIDs {
            guard let device = Int(id), machine.npus[device] != nil else {
                return silentFailure("NPU \(id) is not present on \(host.address)")
            }
            if machine.busyNPUs.contains(device) { return silentFailure("NPU \(id) on \(host.address) is in use by another process") }
        }
        let name = containerName
        let load = host.role == .prefill ? Self.prefillLoadTime : Self.decodeLoadTime
        let multiNode = cluster.isMultiNodePrefill(host)
        if multiNode && !host.isMaster {
            _ = machine.start(SimProcess(pid: 0, command: "ray start --address=\(host.hostIP ?? ""):6379", container: name,
                                         ports: [], readyAt: now + 10, host: host.name))
            return ok("", 1)
        }
        // start_api_servers.py refuses to start when api_port itself is taken.
        let servers = cluster.apiServerCount(host)
        guard let base = host.apiPort else { return ok() }
        if let owner = machine.owner(of: base) {
            return silentFailure("API port \(base) on \(host.address) is already used by '\(owner.command)': start_api_servers.py aborts")
        }
        var ports: [Int] = []
        for rank in 0..<servers {
            guard let port = (base + rank...base + rank + 19).first(where: { machine.ports[$0] == nil && !ports.contains($0) }) else {
                return silentFailure("API server \(rank) found no free port in \(base + rank)-\(base + rank + 19)")
            }
            ports.append(port)
        }
        var extra: [Int] = []
        if host.role == .prefill || host.isMaster { extra.append(host.nodePort) }
        if host.role == .prefill { extra.append(PortPlan.zmqPort) }
        if multiNode { extra.append(PortPlan.rayPort) }
        for port in extra {
            if let owner = machine.owner(of: port) {
                return silentFailure("port \(port) on \(host.address) is already used by '\(owner.command)': the server exits")
            }
        }
        for (rank, port) in ports.enumerated() {
            _ = machine.start(SimProcess(pid: 0, command: "python -m vllm serve --port \(port) (rank \(rank))", container: name,
                                         ports: rank == 0 ? [port] + extra : [port], readyAt: now + load, host: host.name))
        }
        if let error = machine.write(paths.hostLogs(host) + (host.role == .prefill ? "/run_prefill.log" : "/run_decode.log"),
                                     "started \(ports.count) API server(s) on \(ports.map(String.init).joined(separator: ","))\n") {
            return silentFailure(error)
        }
        ok("", 1)
    }

    mutating func startProxy() {
        guard requireContainer() else { return }
        guard machine.files[paths.script(.runProxy)] != nil else {
            return silentFailure("\(paths.script(.runProxy)) does not exist, so nothing starts")
        }
        let d = cluster.derived
        let port = Int(container()!.env["PROXY_NODE_PORT"] ?? "") ?? host.nodePort
        let config: String
        do {
            let decode = try ProxyUpstreams.decode(d.decodeAPIServerList)
            config = try NginxConfig.render(NginxSettings(
                listenPort: port, prefillServers: ProxyUpstreams.prefill(d.prefillAPIServerList), decodeServers: decode,
                prefillLB: settings.prefillLBSDK, decodeLB: settings.decodeLBSDK,
                logFile: paths.hostLogs(host) + "/nginx_error.log", logLevel: "notice"))
        } catch {
            return silentFailure("global_proxy.sh exits 1: \(error)")
        }
        if let owner = machine.owner(of: port) {
            return silentFailure("nginx cannot listen on \(port): already used by '\(owner.command)'")
        }
        let name = containerName
        machine.containers[name]!.files["/usr/local/nginx/conf/nginx.conf"] = SimFile(content: config, mode: 0o644)
        _ = machine.start(SimProcess(pid: 0, command: "nginx: master process /usr/local/nginx/nginx -c /usr/local/nginx/conf/nginx.conf",
                                     container: name, ports: [port], readyAt: now + 2, host: host.name))
        // Every upstream must be served: a dead upstream means requests routed there fail.
        let upstreams = NginxConfig.upstreams(in: config)
        var dead: [String] = []
        for server in upstreams.prefill + upstreams.decode {
            let parts = server.utf8.split(separator: UInt8(ascii: ":"))
            guard parts.count == 2, let p = Int(Substring(parts[1])), let target = backend.world.machines[String(Substring(parts[0]))],
                  let owner = target.owner(of: p), owner.container != nil else { dead.append(server); continue }
        }
        guard dead.isEmpty else {
            ok("", 2)
            failure = (.failed, "nginx routes to \(dead.count) upstream(s) that nobody listens on: \(dead.prefix(4).joined(separator: ", "))\(dead.count > 4 ? ", …" : "")")
            return
        }
        ok("", 2)
    }
}

struct SimError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
