/// The shell command lines of operations: the one place where the playbook's commands are written as text.
/// The SSH backend runs them with `/bin/bash -c`; transcripts and reports show them. Every value is quoted.
extension Operation {
    /// The command line, for operations that are commands (`place` is `.host` or `.executor`).
    public var command: String? {
        let q = Shell.quote
        switch self {
        case .connect, .writeFile, .pushTree, .fetchFile, .pullTree, .waitForPorts, .waitForPortsClosed:
            return nil
        case .shell(let command):
            return command
        case .runContainer(let run):
            return run.command
        case .exec(let exec):
            return exec.command
        case .removeContainers(let names):
            return "names=$(\(Self.existing(names))); if [ -n \"$names\" ]; then docker stop $names && docker rm -f $names; fi"
        case .listContainers(let names):
            return Self.existing(names) + " || true"
        case .copyIntoContainer(let source, let container, let destination):
            return "docker cp \(q(source)) \(q(container + ":" + destination))"
        case .makeDirectory(let path), .makeLocalDirectory(let path):
            return "mkdir -p " + q(path)
        case .clearDirectory(let path):
            return "rm -rf \(q(path))/*"
        case .removeFile(let path):
            return "rm -f " + q(path)
        case .findFiles(let query):
            let pattern = ".*/" + Self.literalERE(query.prefix) + "[0-9]+" + Self.literalERE(query.suffix)
            return "find \(q(query.directory)) -maxdepth 1 -type f -regextype posix-extended -regex \(q(pattern))"
        case .defaultRouteInterface:
            return "ip -4 route list 0/0 | awk '{print $5}' | head -1"
        case .killPortOwner(let port):
            return "for pid in $(netstat -tulpn 2>/dev/null | grep ':\(port) ' | awk '{print $7}' | grep -oE '^[0-9]+'); do kill -9 \"$pid\"; done"
        case .resetLocalDirectory(let root, let subdirectories):
            let r = q(root)
            return "rm -rf \(r)/* && mkdir -p " + subdirectories.map { r + "/" + q($0) }.joined(separator: " ")
        case .waitForLogLine(let wait):
            let probe = "docker exec \(q(wait.container)) grep -q \(q(wait.text)) \(q(wait.path))"
            return "waited=0; until \(probe); do if [ $waited -ge \(wait.timeoutSeconds) ]; then "
                + "echo 'Timeout waiting for service' >&2; exit 1; fi; sleep \(wait.intervalSeconds); waited=$((waited + \(wait.intervalSeconds))); done"
        }
    }

    /// Prints which of the named containers exist (docker prints `/name`), nothing for the others.
    private static func existing(_ names: [String]) -> String {
        "docker inspect --format='{{.Name}}' \(names.map(Shell.quote).joined(separator: " ")) 2>/dev/null | grep -v '^$' | sed 's#^/##'"
    }

    /// `text` as an extended regular expression that matches it literally.
    static func literalERE(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\.[]()*+?{}|^$".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }
}

extension ContainerRun {
    public var command: String {
        var words = ["docker run -it --shm-size=500g"]
        words += environment.map { Shell.env($0.name, $0.value) }
        words.append("--net=host --privileged=true -u root -w " + Shell.quote(workingDirectory))
        words += devices.map { "--device=" + Shell.quote($0) }
        words.append("--entrypoint=bash")
        words += mounts.map { "-v " + Shell.quote($0 + ":" + $0) }
        words += extraMounts.map { "-v " + Shell.quote($0) }
        words.append("-d --name \(Shell.quote(name)) \(Shell.quote(image))")
        return words.joined(separator: " ")
    }
}

extension ContainerExec {
    public var command: String {
        var text = "docker exec "
        for variable in environment { text += Shell.env(variable.name, variable.value) + " " }
        if detached { text += "-d " }
        text += Shell.quote(container)
        if case .makeExecutable(let path) = program { return text + " chmod +x " + Shell.quote(path) }
        return text + " /bin/bash -c " + Shell.quote(program.bashText)
    }
}

extension ContainerProgram {
    /// The command bash runs in the container.
    public var bashText: String {
        let q = Shell.quote
        switch self {
        case .script(let path):
            return q(path)
        case .reinstallPackages(let log, let lmcacheLog):
            let engines = Paths.containerCode + "/infer_engines"
            let chain = [
                ". ~/.bashrc", "cd \(engines)", "git config --global --add safe.directory \(engines)/vllm", "cd vllm", "git checkout -f",
                "cd ..", "bash bash_install_code.sh", "pip uninstall vllm -y", "pip uninstall omni_infer -y", "cd vllm",
                "SETUPTOOLS_SCM_PRETEND_VERSION=0.9.0 VLLM_TARGET_DEVICE=empty pip install -e . --no-deps --no-build-isolation",
                "cd \(Paths.containerCode)", "pip install -e . --no-deps --no-build-isolation", "pip uninstall numpy -y",
                "pip install numpy==1.26 --no-deps --no-build-isolation > \(q(log)) 2>&1",
            ].joined(separator: " && ")
            return lmcacheLog.map { chain + " && " + ContainerProgram.installLMCache(log: $0).bashText } ?? chain
        case .installLMCache(let log):
            // install.sh runs from its own directory.
            return "source ~/.bashrc && cd \(Paths.containerCode)/omni/adaptors/lmcache/script && bash install.sh > \(q(log)) 2>&1"
        case .etcd(let address, let port, let log):
            let url = q("http://\(address):\(port)")
            return "nohup etcd --listen-client-urls \(url) --advertise-client-urls \(url) > \(q(log)) 2>&1 &"
        case .mooncakeMaster(let address, let rpcPort, let metricsPort, let log):
            // The master needs the library path that install.sh wrote into ~/.bashrc.
            return "source ~/.bashrc && nohup mooncake_master -rpc_address=\(q(address)) -rpc_port=\(rpcPort) -metrics_port=\(metricsPort) "
                + "-v 2 -eviction_high_watermark_ratio=0.8 -eviction_ratio=0.1 > \(q(log)) 2>&1 &"
        case .makeExecutable(let path):
            return "chmod +x " + q(path)
        case .terminateServers:
            // pkill exits 1 when nothing matched: a node with no server left is already drained.
            return "pkill -TERM -f vllm; [ $? -le 1 ]"
        }
    }
}
