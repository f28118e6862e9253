/// OMS119: values that end up in shell commands and generated scripts hold only characters that cannot
/// change a command's meaning. Commands quote every value as well; this rule refuses the values before
/// anything runs, with the location of the offending key.
struct SafeValuesRule: Rule {
    let code = "OMS119"
    let title = "values are safe in commands and scripts"
    let area = RuleArea.inventory

    enum Kind {
        case name, address, path, image, word, number

        var allowed: String {
            switch self {
            case .name: return "letters, digits, '_', '.' and '-', starting with a letter or digit"
            case .address: return "an IP address or host name (letters, digits, '.', ':' and '-')"
            case .path: return "an absolute path of letters, digits and '_', '.', '/', '-', '+', '@'"
            case .image: return "an image reference (letters, digits and '_', '.', '/', ':', '@', '-')"
            case .word: return "letters, digits and '_'"
            case .number: return "digits only"
            }
        }

        func accepts(_ value: String) -> Bool {
            var value = value
            return value.withUTF8 { bytes in
                func isAlphanumeric(_ byte: UInt8) -> Bool {
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                }
                /// ASCII letters and digits, plus the given ASCII punctuation.
                func only(_ extra: StaticString) -> Bool {
                    let allowed = UnsafeBufferPointer(start: extra.utf8Start, count: extra.utf8CodeUnitCount)
                    return bytes.allSatisfy { isAlphanumeric($0) || allowed.contains($0) }
                }
                let dash = UInt8(ascii: "-")
                switch self {
                case .name: return bytes.first.map(isAlphanumeric) == true && only("_.-")
                case .address: return !bytes.isEmpty && only(".:-") && bytes.first != dash
                case .path:
                    let dot = UInt8(ascii: ".")
                    return bytes.first == UInt8(ascii: "/") && only("_./-+@")
                        && !zip(bytes, bytes.dropFirst()).contains { $0 == dot && $1 == dot }
                case .image: return !bytes.isEmpty && only("_./:@-") && bytes.first != dash
                case .word: return only("_")
                case .number: return !bytes.isEmpty && bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
                }
            }
        }
    }

    nonisolated(unsafe) static let settings: [(String, KeyPath<DeploymentSettings, String>, Kind)] = [
        ("LOG_PATH", \.logPath, .path), ("LOG_PATH_A", \.logPathA, .path), ("LOG_PATH_B", \.logPathB, .path),
        ("MODEL_PATH", \.modelPath, .path), ("LOG_PATH_IN_EXECUTOR", \.logPathInExecutor, .path),
        ("CODE_PATH", \.codePath, .path), ("SCRIPTS_PATH", \.scriptsPath, .path), ("ranktable_save_path", \.ranktableSavePath, .path),
        ("DOCKER_IMAGE_ID", \.dockerImageID, .image), ("DOCKER_NAME_P", \.dockerNamePrefill, .name),
        ("DOCKER_NAME_D", \.dockerNameDecode, .name), ("DOCKER_NAME_C", \.dockerNameProxy, .name),
        ("PREFILL_LB_SDK", \.prefillLBSDK, .word), ("DECODE_LB_SDK", \.decodeLBSDK, .word), ("KV_CONNECTOR", \.kvConnector, .word),
        ("MODEL_LEN_MAX_PREFILL", \.modelLenMaxPrefill, .number), ("MODEL_LEN_MAX_DECODE", \.modelLenMaxDecode, .number),
        ("USE_OMNI_PROXY", \.useOmniProxy, .word),
    ]

    func subjects(_ cluster: Cluster) -> [String] { cluster.hosts.map(\.name) + ["settings"] }

    func check(_ cluster: Cluster) -> [Finding] {
        var findings: [Finding] = []
        // The key's text and location are made only for a value that is refused.
        func check(_ subject: String, _ key: @autoclosure () -> String, _ value: String, _ kind: Kind,
                   _ location: @autoclosure () -> SourceLocation?) {
            guard !kind.accepts(value) else { return }
            findings.append(finding(subject, "\(key()) is \(Self.show(value)): it goes into shell commands and scripts, so it must be \(kind.allowed)",
                                    at: location()))
        }
        for host in cluster.hosts {
            check(host.name, "the host name '\(host.name)'", host.name, .name, host.location)
            check(host.name, "ansible_host of '\(host.name)'", host.address, .address, host.location(of: "ansible_host"))
            if let ip = host.hostIP { check(host.name, "host_ip of '\(host.name)'", ip, .address, host.location(of: "host_ip")) }
        }
        for (key, path, kind) in Self.settings {
            check("settings", key, cluster.settings[keyPath: path], kind, cluster.settingLocations[key])
        }
        return findings
    }

    /// The value with control characters made visible.
    static func show(_ value: String) -> String {
        "\"" + value.unicodeScalars.map { $0.value < 0x20 || $0 == "\u{7F}" ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined() + "\""
    }
}
