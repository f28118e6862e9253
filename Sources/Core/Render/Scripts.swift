/// Bodies of the files the playbook writes on hosts. Every inventory-derived value is shell-quoted.
public struct Scripts: Sendable {
    public let cluster: Cluster
    public let paths: Paths

    private let settings: DeploymentSettings
    /// The texts of the files that are the same on every host, rendered once.
    private var fixed: [StepAction.GeneratedFile: String] = [:]

    public init(cluster: Cluster) {
        self.cluster = cluster
        self.paths = Paths(cluster.settings)
        self.settings = cluster.settings
        for file in StepAction.GeneratedFile.allCases { fixed[file] = hostIndependentContent(file) }
    }

    private var q: (String) -> String { Shell.quote }

    public func content(_ file: StepAction.GeneratedFile, for host: Host, playbook: PlaybookKind = .main) -> String {
        switch file {
        case .generatePrefillRanktable, .generateDecodeRanktable, .generateGlobalRanktable, .killPython, .killRay, .killNginx,
             .lmcacheConfig:
            return fixed[file] ?? ""
        case .runPrefill, .runDecode: return RunScript.text(for: host, in: cluster, playbook: playbook)
        case .runProxy: return runProxy(host)
        case .mooncakeConfig: return mooncakeConfig(host)
        }
    }

    /// The text of a file that is the same on every host; nil for the per-host ones.
    private func hostIndependentContent(_ file: StepAction.GeneratedFile) -> String? {
        switch file {
        case .generatePrefillRanktable: return generateLocal(role: .prefill)
        case .generateDecodeRanktable: return generateLocal(role: .decode)
        case .generateGlobalRanktable: return generateGlobal()
        case .killPython: return kill("python")
        case .killRay: return kill("ray")
        case .killNginx: return kill("nginx")
        case .lmcacheConfig: return lmcacheConfig()
        case .runPrefill, .runDecode, .runProxy, .mooncakeConfig: return nil
        }
    }

    func kill(_ pattern: String) -> String {
        "#!/bin/bash\nps aux | grep \(q(pattern)) | grep -v grep | awk '{print $2}' | xargs -r kill -9\n"
    }

    func generateLocal(role: Role) -> String {
        let (listVar, saveVar, flag) = role == .prefill
            ? (EnvName.serverList(.prefill), EnvName.ranktableSaveDirectory(.prefill),
               "--prefill-server-list \"$\(EnvName.serverList(.prefill))\" --api-server")
            : (EnvName.serverList(.decode), EnvName.ranktableSaveDirectory(.decode), "--decode-server-list $\(EnvName.serverList(.decode))")
        return """
        #!/bin/bash
        # Writes this host's local ranktables for devices $\(listVar) into $\(saveVar).
        source ~/.bashrc
        rm -rf "$\(saveVar)"
        mkdir -p "$\(saveVar)"
        python \(Paths.containerScripts)/pd_ranktable_tools.py --mode gen \(flag) --save-dir "$\(saveVar)"

        """
    }

    func generateGlobal() -> String {
        let d = cluster.derived
        return """
        #!/bin/bash
        # Merges the collected local ranktables into global_ranktable_merge.json.
        set -e
        source ~/.bashrc
        tools=\(Paths.containerScripts)/pd_ranktable_tools.py
        global=\(q(paths.global))
        cd "$global"
        decode_list=$(echo \(q(cluster.decodeInstance.ranktableList)) | awk '$1=$1' | tr ',' ' ')
        prefill_groups=$(echo \(q(d.prefillMergeRanktableList)) | awk '$1=$1' | tr ',' ' ')
        prefill_list=""
        IFS=';' read -ra parts <<< "$prefill_groups"
        for part in "${parts[@]}"; do
            ip=$(echo "$part" | grep -oE 'local_ranktable_([0-9]{1,3}\\.){3}[0-9]{1,3}_' | head -1 | grep -oE '([0-9]{1,3}\\.){3}[0-9]{1,3}')
            [ -z "$ip" ] && ip=$(echo "$part" | grep -oE '([0-9]{1,3}\\.){3}[0-9]{1,3}' | head -1)
            mkdir -p "$global/collect_files_p/$ip"
            if [[ "$part" == *" "* ]]; then
                python "$tools" --mode merge-local --local-ranktable-list $part --save-dir "$global/collect_files_p/$ip"
                prefill_list="$prefill_list collect_files_p/$ip/\(RanktableNames.localMerge)"
            else
                prefill_list="$prefill_list $part"
            fi
        done
        api_server_files=$(ls collect_files_p/api/*.json | head -1)
        if [ "$\(EnvName.decodePodNum)" -gt 1 ]; then
            python "$tools" --mode merge-local --local-ranktable-list $decode_list --save-dir "$global/collect_files_d"
            decode_list=collect_files_d/\(RanktableNames.localMerge)
        fi
        python "$tools" --mode merge-all --api-server-list $api_server_files --prefill-server-list $prefill_list --decode-server-list $decode_list --save-dir "$global"

        """
    }

    func runProxy(_ host: Host) -> String {
        let d = cluster.derived
        return """
        #!/bin/bash
        # Regenerates nginx.conf with the current API server lists and (re)starts the global proxy.
        prefill_result=$(echo \(q(d.prefillAPIServerList)) | awk '$1=$1')
        decode_result=""
        for item in $(echo \(q(d.decodeAPIServerList)) | tr ',' ' '); do
            addr=${item%@*}; extra=${item##*@}; ip=${addr%:*}; port=${addr##*:}
            for ((i = 0; i <= extra; i++)); do decode_result="$decode_result,$ip:$((port + i))"; done
        done
        decode_result=${decode_result#,}
        cd \(Paths.containerScripts)
        \(settings.usesOmniProxy ? omniProxyStart(host) : globalProxyStart(host))

        """
    }

    /// The proxy's error log: under the host's own directory, or straight in LOG_PATH under the A3 template.
    private func proxyLog(_ host: Host) -> String {
        settings.flavour == .a3TwoPrefill ? "\"$\(EnvName.logPath)\"/nginx_error.log" : "\"$\(EnvName.logPath)\"/\(q(host.name))/nginx_error.log"
    }

    private func globalProxyStart(_ host: Host) -> String {
        "bash global_proxy.sh --listen-port \"$\(EnvName.proxyNodePort)\" --prefill-servers-list \"$prefill_result\" --decode-servers-list \"$decode_result\" --log-file \(proxyLog(host)) --log-level notice --core-num 4 --start-core-index 16 --prefill-lb-sdk \"$\(EnvName.prefillLBSDK)\" --decode-lb-sdk \"$\(EnvName.decodeLBSDK)\" --prefill-max-num-seqs 16 --decode-max-num-seqs 32"
    }

    /// The Omni Proxy start: the same lists as endpoints, the model path (its tokenizer, and the KV-event
    /// port offset), a batch budget of 100000 tokens and 32 sequences each way. Python's hash seed is
    /// exported so the proxy hashes prompts as the prefill servers do.
    private func omniProxyStart(_ host: Host) -> String {
        "export \(EnvName.pythonHashSeed)=\(Self.pythonHashSeed)\nbash omni_proxy.sh --listen-port \"$\(EnvName.proxyNodePort)\" --prefill-endpoints \"$prefill_result\" --decode-endpoints \"$decode_result\" --log-file \(proxyLog(host)) --log-level notice --core-num 4 --start-core-index 16 --omni-proxy-pd-policy sequential --omni-proxy-model-path \"$\(EnvName.modelPath)\" --omni-proxy-max-batch-num-token 100000 --omni-proxy-prefill-max-num-seqs 32 --omni-proxy-decode-max-num-seqs 32"
    }

    /// The hash seed the server template gives every container and the proxy when the Omni Proxy is used.
    public static let pythonHashSeed = "123"

    func mooncakeConfig(_ host: Host) -> String {
        guard let ports = cluster.globals.lmcachePorts, let c = cluster.proxy.first else { return "" }
        return """
        {"metadata_server": "etcd://\(c.address):\(ports.etcd)", "local_hostname": "\(host.address)", "protocol": "tcp", "transfer_timeout": 60, "global_segment_size": 17179869184, "master_server_address": "\(c.address):\(ports.master)"}

        """
    }

    func lmcacheConfig() -> String {
        guard let ports = cluster.globals.lmcachePorts, let c = cluster.proxy.first else { return "" }
        return """
        chunk_size: 256
        local_cpu: false
        max_local_cpu_size: 5.0
        remote_url: "mooncakestore://\(c.address):\(ports.master)"
        remote_serde: "naive"
        external_lookup_client: "mooncakestore://\(c.address):\(ports.master)"
        extra_config:
          retmote_enable_mla_worker_id_as0: true

        """
    }
}
