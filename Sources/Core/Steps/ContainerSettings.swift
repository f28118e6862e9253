/// What the containers a step starts are given: mounts, devices and environment.
extension StepRenderer {
    /// The host's container: no code mount (the code is copied in); logs, model, scripts and, in the main
    /// playbook, the ranktable directory mounted at the same paths. The add-node and elastic templates
    /// neither pass RANKTABLE_SAVE_PATH nor mount the ranktable directory.
    public func containerRun(_ host: Host, playbook: PlaybookKind = .main) -> ContainerRun {
        let ranktables = PDRunArguments.passesRanktables(cluster, playbook)
        var env = ranktables ? [EnvVar(EnvName.ranktableSavePath, paths.ranktable)] : []
        if let slot = settings.flavour.prefillSlot(of: host) {
            // The A3 template gives each prefill instance of a machine its own ZMQ port and log directory.
            env.append(EnvVar(EnvName.zmqPort, String(PortPlan.zmqPort + slot)))
        }
        env.append(EnvVar(EnvName.logPath, paths.containerLogPath(host)))
        if settings.usesOmniProxy { env.append(EnvVar(EnvName.pythonHashSeed, Scripts.pythonHashSeed)) }
        if host.role == .proxy { env.append(EnvVar(EnvName.proxyNodePort, String(host.nodePort))) }
        return ContainerRun(name: cluster.containerName(host), image: settings.dockerImageID, environment: env,
                            mounts: Self.containerMounts(settings, paths, ranktables: ranktables),
                            extraMounts: ["/usr/share/zoneinfo/Asia/Shanghai:/etc/localtime"],
                            devices: ["/dev/davinci_manager", "/dev/hisi_hdc", "/dev/devmm_svm"], workingDirectory: "/data")
    }

    public static func containerMounts(_ settings: DeploymentSettings, _ paths: Paths, ranktables: Bool = true) -> [String] {
        ["/data", "/tmp", "/usr/local/Ascend/driver", "/usr/local/dcmi", "/usr/local/bin/npu-smi", "/etc/ascend_install.info",
         "/usr/local/sbin", "/etc/hccn.conf", "/usr/bin/hccn_tool",
         settings.logPath, settings.modelPath, settings.scriptsPath] + (ranktables ? [paths.ranktable] : [])
    }

    /// The environment of the detached `docker exec` that starts a P or D host's servers. The elastic
    /// template hands D hosts their own instance's list and the list over all D hosts instead of
    /// SERVER_IP_LIST and DECODE_POD_NUM.
    public func serverEnvironment(_ host: Host, interface: String) -> [EnvVar] {
        let d = cluster.derived, decode = cluster.decodeInstance
        var env = [EnvVar(EnvName.modelPath, settings.modelPath)]
        switch host.duty {
        case .prefill(let server, let kvRank):
            let instance = cluster.prefillInstance(of: host, server: server)
            env += [
                EnvVar("MODEL_LEN_MAX_PREFILL", settings.modelLenMaxPrefill),
                EnvVar(EnvName.serverList(.prefill), server.devices),
                EnvVar("PREFILL_TENSOR_PARALLEL_SIZE", String(server.deviceCount)),
            ]
            if settings.flavour == .a3TwoPrefill {
                env.append(EnvVar("DECODE_TENSOR_PARALLEL_SIZE", settings.decodeTensorParallelSize))
            }
            env += [
                EnvVar("IP", host.address),
                EnvVar("HOST_IP", server.hostIP),
                EnvVar("MASTER_PORT", String(host.nodePort)),
                EnvVar("API_PORT", String(server.apiPort)),
                EnvVar("SERVER_IP_LIST", decode.serverIPList),
                EnvVar(EnvName.prefillPodNum, String(d.prefillPodNum)),
                EnvVar(EnvName.socketInterface, interface),
                EnvVar(EnvName.kvRank, String(kvRank)),
                EnvVar("NNODES", String(instance.nodeCount)),
                EnvVar("NODE_RANK", String(host.nodeRank)),
                EnvVar("NODE_IP_LIST", instance.nodeIPList),
            ]
            if settings.usesOmniProxy { env.append(EnvVar(EnvName.useOmniProxy, settings.useOmniProxy)) }
        case .decode(let server):
            let instance = cluster.decodeInstance(of: host)
            env += [
                EnvVar("MODEL_LEN_MAX_DECODE", settings.modelLenMaxDecode),
                EnvVar(EnvName.serverList(.decode), server.devices),
                EnvVar("DECODE_TENSOR_PARALLEL_SIZE", settings.decodeTensorParallelSize),
                EnvVar("DECODE_DATA_PARALLEL_SIZE", instance.deviceLists),
                EnvVar("HOST_IP", server.hostIP),
                EnvVar("MASTER_PORT", String(host.nodePort)),
                EnvVar("API_PORT", String(server.apiPort)),
            ]
            if settings.flavour == .elastic {
                env += [EnvVar("DECODE_SERVER_IP_LIST_BY_GROUP", instance.serverIPList),
                        EnvVar("DECODE_SERVER_IP_LIST_ALL", decode.serverIPList),
                        EnvVar(EnvName.prefillPodNum, String(d.prefillPodNum))]
            } else {
                env += [EnvVar("SERVER_IP_LIST", decode.serverIPList), EnvVar(EnvName.prefillPodNum, String(d.prefillPodNum)),
                        EnvVar(EnvName.decodePodNum, String(decode.podCount))]
            }
            env += [
                EnvVar(EnvName.socketInterface, interface),
                EnvVar("NUM_SERVERS", String(server.deviceCount)),
                EnvVar("HOST", host.name),
            ]
        case .proxy:
            break
        }
        return env + [EnvVar(EnvName.kvConnector, settings.kvConnector), EnvVar("MOONCAKE_CONFIG_PATH", paths.script(.mooncakeConfig)),
                      EnvVar("LMCACHE_MOONCAKE_CONFIG_PATH", paths.script(.lmcacheConfig))]
    }
}
