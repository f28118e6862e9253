import Core

/// A `docker run` or `docker exec` command line as the simulator reads it from the operation the SSH backend
/// sends: the container's environment and name come from the command itself, not from the step.
struct DockerCommand {
    var subcommand: String
    /// `-e NAME=value` pairs, in order.
    var environment: [(name: String, value: String)] = []
    var detached = false
    /// `--name` of `docker run`; the first non-option word of `docker exec`.
    var container = ""
    /// What follows the container name of `docker exec` (e.g. `/bin/bash -c <script>`).
    var command: [String] = []

    /// Reads `text`; nil when it is not a docker command omnisim renders.
    init?(_ text: String) {
        guard let tokens = try? ShellWords.tokens(text) else { return nil }
        var words: [String] = []
        for token in tokens {
            guard case .word(let w) = token, let literal = w.literal else { break }
            words.append(literal)
        }
        guard words.count >= 2, words[0] == "docker" else { return nil }
        subcommand = words[1]
        var i = 2
        func take() -> String? {
            guard i + 1 < words.count else { return nil }
            i += 2
            return words[i - 1]
        }
        while i < words.count {
            let w = words[i]
            if w == "-e" {
                guard let pair = take(), let eq = pair.firstIndex(of: "=") else { return nil }
                environment.append((String(pair[..<eq]), String(pair[pair.index(after: eq)...])))
            } else if w == "-d" {
                detached = true
                i += 1
            } else if w == "--name" {
                guard let name = take() else { return nil }
                container = name
            } else if w == "-v" || w == "-w" || w == "-u" {
                i += 2
            } else if w.hasPrefix("-") {
                i += 1
            } else if subcommand == "exec" {
                container = w
                command = Array(words[(i + 1)...])
                break
            } else {
                i += 1
            }
        }
    }

    var environmentDictionary: [String: String] {
        var env: [String: String] = [:]
        for (name, value) in environment { env[name] = value }
        return env
    }

    /// The script of `docker exec … /bin/bash -c <script>`.
    var bashScript: String? {
        command.count == 3 && command[0] == "/bin/bash" && command[1] == "-c" ? command[2] : nil
    }
}
