import Foundation

/// Loads a scenario file, or a bare inventory (a file whose top-level key is `all`) as a scenario with
/// the reference playbook's default settings.
public enum ScenarioLoader {
    static let scenarioKeys = ["name", "description", "inventory", "flavour", "settings", "settings_from", "machines", "faults", "expect",
                               "running"]

    /// Loads `path`, printing every diagnostic through `report` when it cannot be used.
    public static func load(path: String, report: (String) -> Void) -> Scenario? {
        do {
            return try load(path: path)
        } catch let error as InputError {
            for d in error.diagnostics { report(d.description) }
        } catch {
            report("\(path): error: OMS000: \(error)")
        }
        return nil
    }

    public static func load(path: String) throws -> Scenario {
        let source = try YAMLSource.read(path)
        let root = try source.compose()
        let reader = NodeReader(source)
        let defaultName = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        if case .mapping(let m) = root, m.contains(where: { $0.key.string == "all" }) {
            return Scenario(name: defaultName, path: path, inventory: try InventoryLoader.load(root: root, reader: reader))
        }
        let pairs = try reader.mapping(root, what: "the scenario")
        try reader.checkKeys(pairs, known: scenarioKeys, what: "the scenario")
        func node(_ key: String) -> (keyNode: YAMLNode, value: YAMLNode)? {
            pairs.first { $0.key == key }.map { ($0.keyNode, $0.value) }
        }
        let directory = (path as NSString).deletingLastPathComponent

        guard let inventoryNode = node("inventory") else {
            throw InputError(code: "OMS004", "the scenario has no 'inventory'", at: source.location(root),
                             hint: "give a path relative to the scenario, or embed the inventory under 'inventory:'")
        }
        let inventory: Inventory
        if case .scalar = inventoryNode.value {
            let relative = try reader.string(inventoryNode.value, what: "'inventory'")
            let resolved = resolve(relative, against: directory)
            let invSource = try YAMLSource.read(resolved, from: source.location(inventoryNode.value))
            inventory = try InventoryLoader.load(root: try invSource.compose(), reader: NodeReader(invSource))
        } else {
            inventory = try InventoryLoader.load(root: inventoryNode.value, reader: reader)
        }

        var settings = DeploymentSettings()
        var locations: [String: SourceLocation] = [:]
        var detected: (flavour: Flavour, path: String)?
        if let from = node("settings_from") {
            let relative = try reader.string(from.value, what: "'settings_from'")
            let playbook = try YAMLSource.read(resolve(relative, against: directory), from: source.location(from.value))
            detected = (try PlaybookSettings.apply(from: playbook, to: &settings, locations: &locations), playbook.path)
            settings.flavour = detected!.flavour
        }
        var flavourNote: String?
        var flavourLocation = node("settings_from").map { source.location($0.value) }
        if let named = node("flavour") {
            flavourLocation = source.location(named.value)
            let text = try reader.string(named.value, what: "'flavour'")
            guard let flavour = Flavour(rawValue: text) else {
                let names = Flavour.allCases.map(\.rawValue)
                throw InputError(code: "OMS003", "unknown flavour '\(text)'", at: source.location(named.value),
                                 hint: Spelling.closest(to: text, in: names).map { "did you mean '\($0)'?" } ?? "one of: \(names.joined(separator: ", "))")
            }
            if let detected, detected.flavour != flavour {
                throw InputError(code: "OMS016", "the scenario names flavour '\(flavour.rawValue)', but settings_from reads a \(detected.flavour.rawValue) template (\(detected.path))",
                                 at: source.location(named.value), hint: "drop 'flavour:' or point settings_from at \(flavour.templateName)")
            }
            settings.flavour = flavour
            flavourNote = "flavour \(flavour.rawValue), named at \(source.location(named.value))"
        } else if let detected {
            flavourNote = "flavour \(detected.flavour.rawValue), read from \(detected.path)"
        }
        if let explicit = node("settings") {
            try applySettings(explicit.value, reader: reader, to: &settings, locations: &locations)
        }

        var scenario = Scenario(name: defaultName, path: path, inventory: inventory, settings: settings)
        scenario.settingLocations = locations
        scenario.flavourNote = flavourNote
        scenario.flavourLocation = flavourLocation
        if let running = node("running") {
            let relative = try reader.string(running.value, what: "'running'")
            let resolved = resolve(relative, against: directory)
            guard FileManager.default.fileExists(atPath: resolved) else {
                throw InputError(code: "OMS007", "file not found: '\(resolved)'", at: source.location(running.value))
            }
            scenario.runningPath = resolved
        }
        if let name = node("name") { scenario.name = try reader.string(name.value, what: "'name'") }
        if let text = node("description") { scenario.description = try reader.string(text.value, what: "'description'") }
        if let machines = node("machines") { scenario.machines = try MachinePlanReader(reader: reader, addresses: inventory.hosts.map(\.address)).read(machines.value) }
        if let faults = node("faults") {
            scenario.faults = try FaultReader(reader: reader, inventory: inventory).read(faults.value)
        }
        if let expect = node("expect") { scenario.expectations = try ExpectationReader(reader: reader).read(expect.value) }
        return scenario
    }

    /// Reads a machines file (a snapshot of the machines' state) whose top-level key is `machines:`, in
    /// the scenario's `machines:` format.
    public static func loadMachines(path: String) throws -> MachinePlan {
        let source = try YAMLSource.read(path)
        let root = try source.compose()
        let reader = NodeReader(source)
        let pairs = try reader.mapping(root, what: "the machines file")
        try reader.checkKeys(pairs, known: ["machines"], what: "the machines file")
        guard let machines = pairs.first(where: { $0.key == "machines" }) else {
            throw InputError(code: "OMS004", "the machines file has no 'machines'", at: source.location(root))
        }
        return try MachinePlanReader(reader: reader).read(machines.value)
    }

    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") { return path }
        return directory.isEmpty ? path : (directory as NSString).appendingPathComponent(path)
    }

    /// Applies a `settings:` mapping whose keys are the reference playbook's environment names.
    static func applySettings(_ node: YAMLNode, reader: NodeReader, to settings: inout DeploymentSettings,
                              locations: inout [String: SourceLocation]) throws {
        let pairs = try reader.mapping(node, what: "'settings'")
        let known = DeploymentSettings.keys.map(\.name)
        try reader.checkKeys(pairs, known: known, what: "'settings'")
        for pair in pairs {
            let path = DeploymentSettings.keys.first { $0.name == pair.key }!.path
            settings[keyPath: path] = try settingValue(pair.value, key: pair.key, reader: reader)
            locations[pair.key] = reader.source.contentLocation(pair.value)
        }
    }

    static func settingValue(_ node: YAMLNode, key: String, reader: NodeReader) throws -> String {
        let text = try reader.string(node, what: "'\(key)'")
        if text.contains("{{") {
            throw InputError(code: "OMS014", "'\(key)' uses a Jinja expression; settings must be plain values",
                             at: reader.source.contentLocation(node))
        }
        return text
    }
}

/// Reads the settings out of an operator's existing server-template playbook: only the play's
/// `environment:` and `vars.ranktable_save_path`; every other key of the playbook is ignored. It also tells
/// which template the playbook is: the elastic one registers `DECODE_SERVER_IP_LIST_BY_GROUP`, the A3
/// two-prefill one defines `start_docker_cmd_pa`; anything else is taken for the main template.
public enum PlaybookSettings {
    /// Applies the playbook's settings and returns the flavour it follows.
    @discardableResult
    public static func apply(from source: YAMLSource, to settings: inout DeploymentSettings,
                             locations: inout [String: SourceLocation]) throws -> Flavour {
        let reader = NodeReader(source)
        let root = try source.compose()
        let play: YAMLNode
        if case .sequence(let plays) = root, let first = plays.first { play = first } else { play = root }
        let pairs = try reader.mapping(play, what: "the playbook's play")
        let known = DeploymentSettings.keys.map(\.name)
        if let env = pairs.first(where: { $0.key == "environment" }) {
            for pair in try reader.mapping(env.value, what: "'environment'") where known.contains(pair.key) {
                let path = DeploymentSettings.keys.first { $0.name == pair.key }!.path
                settings[keyPath: path] = try ScenarioLoader.settingValue(pair.value, key: pair.key, reader: reader)
                locations[pair.key] = source.contentLocation(pair.value)
            }
        }
        if let vars = pairs.first(where: { $0.key == "vars" }),
           let rtp = try reader.mapping(vars.value, what: "'vars'").first(where: { $0.key == "ranktable_save_path" }) {
            settings.ranktableSavePath = try ScenarioLoader.settingValue(rtp.value, key: "ranktable_save_path", reader: reader)
            locations["ranktable_save_path"] = source.contentLocation(rtp.value)
        }
        if let vars = pairs.first(where: { $0.key == "vars" })?.value, case .mapping(let entries) = vars,
           entries.contains(where: { $0.key.string == "start_docker_cmd_pa" }) {
            return .a3TwoPrefill
        }
        if let tasks = pairs.first(where: { $0.key == "tasks" })?.value, registers("DECODE_SERVER_IP_LIST_BY_GROUP", in: tasks) {
            return .elastic
        }
        return .main
    }

    /// Whether a task, or a task inside a block, sets `fact` with `set_fact`.
    private static func registers(_ fact: String, in node: YAMLNode) -> Bool {
        guard case .sequence(let tasks) = node else { return false }
        for task in tasks {
            guard case .mapping(let entries) = task else { continue }
            for entry in entries {
                switch entry.key.string {
                case "set_fact", "ansible.builtin.set_fact":
                    if case .mapping(let facts) = entry.value, facts.contains(where: { $0.key.string == fact }) { return true }
                case "block", "rescue", "always":
                    if registers(fact, in: entry.value) { return true }
                default: break
                }
            }
        }
        return false
    }
}

struct MachinePlanReader {
    let reader: NodeReader
    /// The inventory's machine addresses, against which `device_ip` templates are checked.
    var addresses: [String] = []
    static let keys = ["npus", "super_node", "images", "pullable", "model_present", "interface", "resolves_to", "device_ip",
                       "device_ips", "busy_npus", "listening", "containers", "full_paths"]

    func read(_ node: YAMLNode) throws -> MachinePlan {
        var plan = MachinePlan()
        // Where each written `device_ip` is, by the machine key it was written under.
        var templateNodes: [String: YAMLNode] = [:]
        for pair in try reader.mapping(node, what: "'machines'") {
            if pair.key == "executor_has_code" {
                plan.executorHasCode = try reader.bool(pair.value, what: "'executor_has_code'")
                plan.statesExecutorCode = true
                continue
            }
            let (patch, templateNode) = try readPatch(pair.value, what: "machine '\(pair.key)'")
            if let templateNode { templateNodes[pair.key] = templateNode }
            if pair.key == "default" { plan.defaults = plan.defaults.applying(patch) } else { plan.overrides[pair.key] = patch }
        }
        try checkTemplates(plan, nodes: templateNodes)
        return plan
    }

    private func readPatch(_ node: YAMLNode, what: String) throws -> (MachineSpec.Patch, YAMLNode?) {
        let pairs = try reader.mapping(node, what: what)
        try reader.checkKeys(pairs, known: Self.keys, what: what)
        var patch = MachineSpec.Patch()
        var templateNode: YAMLNode?
        for pair in pairs {
            switch pair.key {
            case "npus": patch.npus = try reader.int(pair.value, what: "'npus'", range: 0...64)
            case "super_node": patch.superNode = try reader.string(pair.value, what: "'super_node'")
            case "images": patch.images = try reader.sequence(pair.value, what: "'images'").map { try reader.string($0, what: "an image") }
            case "pullable": patch.pullable = try reader.bool(pair.value, what: "'pullable'")
            case "model_present": patch.modelPresent = try reader.bool(pair.value, what: "'model_present'")
            case "interface": patch.interface = try reader.string(pair.value, what: "'interface'")
            case "device_ip":
                patch.deviceIP = try template(pair.value)
                templateNode = pair.value
            case "device_ips":
                var ips: [Int: String] = [:]
                for entry in try reader.mapping(pair.value, what: "'device_ips'") {
                    guard let id = Int(entry.key), (0...63).contains(id) else {
                        throw InputError(code: "OMS006", "device id '\(entry.key)' in 'device_ips' is not a number 0-63", at: reader.source.location(entry.keyNode))
                    }
                    let ip = try reader.string(entry.value, what: "the IP of device \(id)")
                    guard DeviceIPTemplate.isIPv4(ip) else {
                        throw InputError(code: "OMS015", "the IP of device \(id) is '\(ip)', not an IPv4 address", at: reader.source.contentLocation(entry.value))
                    }
                    ips[id] = ip
                }
                patch.deviceIPs = ips
            case "busy_npus":
                patch.busyNPUs = try reader.sequence(pair.value, what: "'busy_npus'").map { try reader.int($0, what: "a device id", range: 0...63) }
            case "listening":
                var ports: [Int: Listener] = [:]
                for entry in try reader.mapping(pair.value, what: "'listening'") {
                    guard let port = Int(entry.key), (1...65535).contains(port) else {
                        throw InputError(code: "OMS006", "'\(entry.key)' in 'listening' is not a TCP port (1-65535)", at: reader.source.location(entry.keyNode))
                    }
                    // A process of the host's own, or `{process: …, container: …}` for one inside a container.
                    if case .mapping = entry.value {
                        let fields = try reader.mapping(entry.value, what: "the listener on port \(port)")
                        try reader.checkKeys(fields, known: ["process", "container"], what: "the listener on port \(port)")
                        let process = try fields.first { $0.key == "process" }.map { try reader.string($0.value, what: "'process'") } ?? "unknown process"
                        let container = try fields.first { $0.key == "container" }.map { try reader.string($0.value, what: "'container'") }
                        ports[port] = Listener(process: process, container: container)
                    } else {
                        ports[port] = Listener(process: try reader.string(entry.value, what: "the process on port \(port)"))
                    }
                }
                patch.listening = ports
            case "containers":
                var containers: [String: String] = [:]
                for entry in try reader.mapping(pair.value, what: "'containers'") {
                    containers[entry.key] = try reader.string(entry.value, what: "the image of container '\(entry.key)'")
                }
                patch.containers = containers
            case "full_paths":
                patch.fullPaths = try reader.sequence(pair.value, what: "'full_paths'").map { try reader.string($0, what: "a path") }
            default: patch.resolvesTo = try reader.string(pair.value, what: "'resolves_to'")
            }
        }
        return (patch, templateNode)
    }

    /// Parses a `device_ip` template; a bad one is an OMS015 error at the offending character.
    private func template(_ node: YAMLNode) throws -> DeviceIPTemplate {
        guard case .scalar(let scalar) = node else {
            var hint = "write the template as a string, e.g. \"29.{octet}.{device}.1\""
            if case .mapping = node { hint = "a value starting with '{' is a YAML mapping: quote it, e.g. \"{octet}.0.0.1\"" }
            throw InputError(code: "OMS002", "'device_ip' must be a string, found \(reader.kind(node))",
                             at: reader.source.location(node), hint: hint)
        }
        do {
            return try DeviceIPTemplate(scalar.string)
        } catch {
            throw InputError(code: "OMS015", "'device_ip' template '\(scalar.string)': \(error.description)",
                             at: characterLocation(node, scalar, error.offset),
                             hint: "placeholders: \(DeviceIPTemplate.placeholders.map { "{\($0)}" }.joined(separator: ", "))")
        }
    }

    /// Where character `offset` of a scalar's text is, when the text is written as is on one line.
    private func characterLocation(_ node: YAMLNode, _ scalar: YAMLNode.Scalar, _ offset: Int) -> SourceLocation {
        let start = reader.source.contentLocation(node)
        let verbatim = scalar.style == .plain || scalar.style == .singleQuoted && !scalar.string.contains("'")
            || scalar.style == .doubleQuoted && !scalar.string.contains("\\") && !scalar.string.contains("\"")
        return verbatim && !scalar.string.contains("\n") ? start.advanced(by: offset) : start
    }

    /// Every written template must give an IPv4 address for each device of each inventory machine it
    /// applies to (`default:` to the machines without their own), and `{octet}` needs an address ending
    /// in a number.
    private func checkTemplates(_ plan: MachinePlan, nodes: [String: YAMLNode]) throws {
        var seen: Set<String> = []
        let named = nodes.keys.filter { $0 != "default" }.sorted()
        for address in addresses + named where seen.insert(address).inserted {
            let key = plan.overrides[address]?.deviceIP != nil ? address : "default"
            guard let node = nodes[key] else { continue }
            let spec = plan.spec(for: address)
            let template = spec.deviceIP
            let octet = DeviceIPTemplate.octet(of: address)
            if template.usesOctet && octet == nil {
                throw InputError(code: "OMS015", "'device_ip' uses {octet}, but machine address '\(address)' does not end in a number 0-255",
                                 at: reader.source.location(node))
            }
            for device in 0..<spec.npus {
                let ip = template.render(octet: octet ?? 0, device: device)
                guard DeviceIPTemplate.isIPv4(ip) else {
                    throw InputError(code: "OMS015", "'device_ip' template '\(template)' gives '\(ip)' for device \(device) of \(address), not an IPv4 address",
                                     at: reader.source.location(node), hint: "each of the four dot-separated numbers must be 0-255")
                }
            }
        }
    }
}

struct FaultReader {
    let reader: NodeReader
    let inventory: Inventory
    static let keys = ["kind", "host", "step", "exit_code", "stderr", "port", "device", "path"]

    func read(_ node: YAMLNode) throws -> [ScenarioFault] {
        try reader.sequence(node, what: "'faults'").map(readOne)
    }

    private func readOne(_ node: YAMLNode) throws -> ScenarioFault {
        let pairs = try reader.mapping(node, what: "a fault")
        try reader.checkKeys(pairs, known: Self.keys, what: "a fault")
        guard let kindPair = pairs.first(where: { $0.key == "kind" }) else {
            throw InputError(code: "OMS004", "a fault needs 'kind'", at: reader.source.location(node),
                             hint: "one of: \(ScenarioFault.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let kindText = try reader.string(kindPair.value, what: "'kind'")
        guard let kind = ScenarioFault.Kind(rawValue: kindText) else {
            let names = ScenarioFault.Kind.allCases.map(\.rawValue)
            throw InputError(code: "OMS003", "unknown fault kind '\(kindText)'", at: reader.source.location(kindPair.value),
                             hint: Spelling.closest(to: kindText, in: names).map { "did you mean '\($0)'?" } ?? "one of: \(names.joined(separator: ", "))")
        }
        guard let hostPair = pairs.first(where: { $0.key == "host" }) else {
            throw InputError(code: "OMS004", "a fault needs 'host'", at: reader.source.location(node))
        }
        let host = try reader.string(hostPair.value, what: "'host'")
        let names = inventory.hosts.map(\.name)
        guard names.contains(host) else {
            throw InputError(code: "OMS003", "fault host '\(host)' is not in the inventory", at: reader.source.location(hostPair.value),
                             hint: Spelling.closest(to: host, in: names).map { "did you mean '\($0)'?" })
        }
        var fault = ScenarioFault(kind: kind, host: host)
        fault.location = reader.source.location(node)
        for pair in pairs {
            switch pair.key {
            case "step": fault.step = try reader.string(pair.value, what: "'step'")
            case "exit_code": fault.exitCode = Int32(try reader.int(pair.value, what: "'exit_code'", range: 1...255))
            case "stderr": fault.stderr = try reader.string(pair.value, what: "'stderr'")
            case "port": fault.port = try reader.int(pair.value, what: "'port'", range: 1...65535)
            case "device": fault.device = try reader.int(pair.value, what: "'device'", range: 0...63)
            case "path": fault.path = try reader.string(pair.value, what: "'path'")
            default: break
            }
        }
        let needsStep: Set<ScenarioFault.Kind> = [.unreachable, .authFailure, .exit, .timeout]
        if needsStep.contains(kind) && fault.step == nil {
            throw InputError(code: "OMS004", "a '\(kind.rawValue)' fault needs 'step' (a step id or tag)", at: fault.location)
        }
        if kind == .portBusy && fault.port == nil {
            throw InputError(code: "OMS004", "a 'port-busy' fault needs 'port'", at: fault.location)
        }
        if (kind == .npuAbsent || kind == .npuBusy) && fault.device == nil {
            throw InputError(code: "OMS004", "a '\(kind.rawValue)' fault needs 'device'", at: fault.location)
        }
        if kind == .diskFull && fault.path == nil {
            throw InputError(code: "OMS004", "a 'disk-full' fault needs 'path'", at: fault.location)
        }
        return fault
    }
}

struct ExpectationReader {
    let reader: NodeReader
    static let keys = ["result", "step", "host", "message", "codes"]

    func read(_ node: YAMLNode) throws -> [Expectation] {
        if case .sequence(let seq) = node { return try seq.map(readOne) }
        return [try readOne(node)]
    }

    private func readOne(_ node: YAMLNode) throws -> Expectation {
        let pairs = try reader.mapping(node, what: "'expect'")
        try reader.checkKeys(pairs, known: Self.keys, what: "'expect'")
        guard let resultPair = pairs.first(where: { $0.key == "result" }) else {
            throw InputError(code: "OMS004", "'expect' needs 'result: pass' or 'result: fail'", at: reader.source.location(node))
        }
        let text = try reader.string(resultPair.value, what: "'result'")
        guard let result = Expectation.Result(rawValue: text) else {
            throw InputError(code: "OMS002", "'result' must be 'pass' or 'fail', found '\(text)'", at: reader.source.location(resultPair.value))
        }
        var expectation = Expectation(result: result)
        expectation.location = reader.source.location(node)
        for pair in pairs {
            switch pair.key {
            case "step": expectation.step = try reader.string(pair.value, what: "'step'")
            case "host": expectation.host = try reader.string(pair.value, what: "'host'")
            case "message": expectation.message = try reader.string(pair.value, what: "'message'")
            case "codes": expectation.codes = try reader.sequence(pair.value, what: "'codes'").map { try reader.string($0, what: "a code") }
            default: break
            }
        }
        return expectation
    }
}
