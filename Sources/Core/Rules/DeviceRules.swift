/// OMS108: `ascend_rt_visible_devices` is digits separated by single commas.
struct DeviceFormatRule: Rule {
    let code = "OMS108"
    let title = "device lists are comma-separated ids"
    let area = RuleArea.devices
    func subjects(_ cluster: Cluster) -> [String] { hostNames(cluster, [.prefill, .decode]) }
    func check(_ cluster: Cluster) -> [Finding] {
        cluster.hosts.compactMap { host in
            guard host.role != .proxy, let devices = host.deviceString, let problem = Self.problem(in: devices) else { return nil }
            return finding(host.name, "ascend_rt_visible_devices of '\(host.name)' is \"\(devices)\": \(problem)",
                           hint: "write ids like \"0,1,2,3\": digits and commas only", at: host.location(of: "ascend_rt_visible_devices"))
        }
    }

    /// Why the string breaks the reference playbook's scripts, or nil when it is well formed.
    static func problem(in devices: String) -> String? {
        if devices.isEmpty { return "it is empty" }
        var space = false, emptyID = false, other = false
        var previous: Unicode.Scalar = ","
        for c in devices.unicodeScalars {
            switch c {
            case " ": space = true
            case ",": if previous == "," { emptyID = true }
            case "0"..."9": break
            default: other = true
            }
            previous = c
        }
        if previous == "," { emptyID = true }
        if space { return "a space goes into the ranktable file name, which the fetch pattern then misses" }
        if emptyID { return "an empty id makes hccn_tool print nothing and ranktable generation fail" }
        if other { return "only digits and commas are allowed" }
        return nil
    }
}

/// OMS109: a device id may be listed once per host.
struct DeviceDuplicateRule: Rule {
    let code = "OMS109"
    let title = "no device is listed twice"
    let area = RuleArea.devices
    func subjects(_ cluster: Cluster) -> [String] { hostNames(cluster, [.prefill, .decode]) }
    func check(_ cluster: Cluster) -> [Finding] {
        cluster.hosts.compactMap { host in
            guard let first = host.deviceIDs.firstRepeated(ignoring: \.isEmpty) else { return nil }
            return finding(host.name, "device \(first) is listed twice for '\(host.name)': the ranktable tool refuses a device_id used more than once",
                           at: host.location(of: "ascend_rt_visible_devices"))
        }
    }
}

/// OMS110: ranktable files are found by name; names of hosts sharing a machine must not be confused.
/// Joined ids are ambiguous ("1,11" and "11,1" both give "111"), and the reference playbook's run script
/// finds its file with the glob `local_*<ids>.json`, which also matches any name ending in the same digits
/// ("15" ends in "5"). omnisim's run scripts name the file exactly, but an inventory that only works with
/// them fails on the reference playbook, so the rule keeps both cases.
struct RanktableNameRule: Rule {
    let code = "OMS110"
    let title = "ranktable file names are unambiguous"
    let area = RuleArea.devices
    func subjects(_ cluster: Cluster) -> [String] { hostNames(cluster, [.prefill, .decode]) }
    func check(_ cluster: Cluster) -> [Finding] {
        var findings: [Finding] = []
        for role in [Role.prefill, .decode] {
            let hosts = cluster.hosts(role)
            var onMachine: [String: [Int]] = [:]
            for (i, host) in hosts.enumerated() { onMachine[host.address, default: []].append(i) }
            for host in hosts {
                for j in onMachine[host.address]! where hosts[j].name != host.name && hosts[j].joinedDevices.hasSuffix(host.joinedDevices) {
                    let other = hosts[j]
                    let same = other.joinedDevices == host.joinedDevices
                    findings.append(finding(host.name, same
                        ? "'\(host.name)' and '\(other.name)' on \(host.address) write the same ranktable file local_ranktable_\(host.address)_\(host.joinedDevices).json"
                        : "the reference run script's pattern local_*\(host.joinedDevices).json for '\(host.name)' also matches the file of '\(other.name)' (…_\(other.joinedDevices).json): with two matches the reference playbook's pd_run.sh exits 0 without starting anything",
                        hint: "give hosts on one machine device lists whose joined ids do not end alike", at: host.location(of: "ascend_rt_visible_devices")))
                }
            }
        }
        return findings
    }
}

/// OMS111: each D API server gets `DECODE_TENSOR_PARALLEL_SIZE` devices, and a D host starts one server
/// per device, so only TP 1 fits.
struct DecodeTensorParallelRule: Rule {
    let code = "OMS111"
    let title = "decode tensor parallelism fits the devices"
    let area = RuleArea.devices
    func subjects(_ cluster: Cluster) -> [String] { ["cluster"] }
    func check(_ cluster: Cluster) -> [Finding] {
        let text = cluster.settings.decodeTensorParallelSize
        guard let tp = Int(text), tp >= 1 else {
            return [finding("cluster", "DECODE_TENSOR_PARALLEL_SIZE is \"\(text)\", not a positive integer",
                            at: cluster.settingLocations["DECODE_TENSOR_PARALLEL_SIZE"])]
        }
        guard tp > 1 else { return [] }
        return [finding("cluster", "DECODE_TENSOR_PARALLEL_SIZE is \(tp), but every D host starts one API server per device, each wanting \(tp) devices: the devices would be oversubscribed \(tp) times",
                        hint: "keep DECODE_TENSOR_PARALLEL_SIZE at 1 with this template", at: cluster.settingLocations["DECODE_TENSOR_PARALLEL_SIZE"])]
    }
}

/// OMS127: servers of different hosts on one machine need disjoint devices: two prefill instances of an A3
/// machine, or a P and a D instance sharing a machine. Each machine shared by several P or D hosts is a
/// subject.
struct SharedMachineDeviceRule: Rule {
    let code = "OMS127"
    let title = "hosts sharing a machine use disjoint devices"
    let area = RuleArea.devices

    /// The P and D hosts of each machine that holds more than one, in first-seen machine order.
    private func sharedMachines(_ cluster: Cluster) -> [(address: String, hosts: [Host])] {
        var order: [String] = []
        var byMachine: [String: [Host]] = [:]
        for host in cluster.hosts where host.role != .proxy {
            if byMachine[host.address] == nil { order.append(host.address) }
            byMachine[host.address, default: []].append(host)
        }
        return order.compactMap { byMachine[$0]!.count > 1 ? ($0, byMachine[$0]!) : nil }
    }

    func subjects(_ cluster: Cluster) -> [String] { sharedMachines(cluster).map { "machine \($0.address)" } }

    func check(_ cluster: Cluster) -> [Finding] {
        var findings: [Finding] = []
        for (address, hosts) in sharedMachines(cluster) {
            var owner: [String: String] = [:]
            for host in hosts {
                for id in host.deviceIDs where !id.isEmpty {
                    if let other = owner[id], other != host.name {
                        findings.append(finding("machine \(address)", "NPU \(id) of \(address) is given to both '\(other)' and '\(host.name)': the second server to start finds it in use",
                                                hint: "give each host of a machine its own devices", at: host.location(of: "ascend_rt_visible_devices")))
                        break
                    }
                    owner[id] = owner[id] ?? host.name
                }
            }
        }
        return findings
    }
}
