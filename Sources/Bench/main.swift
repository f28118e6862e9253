import Foundation
import Simulator

// Prints how load + validation, rehearsal and JUnit writing scale with the number of hosts, plus the
// 4P1D sample end to end. Figures only; nothing here asserts a time.

/// A generated inventory: P instances of 1–4 machines, one D instance of up to 64 machines, one proxy.
func inventory(hosts target: Int) -> String {
    var out = """
    all:
      vars:
        ansible_user: root
        global_port_base: 8000
        base_api_port: 9000
        proxy_port: 7000
        port_offset: {P: 0, D: 100}
      children:
        P:
          hosts:

    """
    let decodeCount = min(64, max(1, target / 8))
    var prefillLeft = max(1, target - decodeCount - 1)
    var kv = 0, machine = 1
    func ip(_ n: Int) -> String { "10.\(n / 65536 % 256).\(n / 256 % 256).\(n % 256)" }
    while prefillLeft > 0 {
        let nodes = min(prefillLeft, 1 + kv % 4)
        let master = ip(machine)
        for rank in 0..<nodes {
            out += """
                    p\(kv)_\(rank):
                      ansible_host: "\(ip(machine))"
                      node_rank: \(rank)
                      kv_rank: \(kv)
                      node_port: "{{ global_port_base + port_offset.P + kv_rank }}"
                      api_port: "{{ base_api_port + port_offset.P + kv_rank }}"
                      host_ip: "\(master)"
                      ascend_rt_visible_devices: "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15"

            """
            machine += 1
        }
        prefillLeft -= nodes
        kv += 1
    }
    out += "    D:\n      hosts:\n"
    let dMaster = ip(machine)
    for rank in 0..<decodeCount {
        out += """
                d\(rank):
                  ansible_host: "\(ip(machine))"
                  node_rank: \(rank)
                  node_port: "{{ global_port_base + port_offset.D }}"
                  api_port: "{{ base_api_port + port_offset.D + node_rank }}"
                  host_ip: "\(dMaster)"
                  ascend_rt_visible_devices: "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15"

        """
        machine += 1
    }
    out += """
        C:
          hosts:
            c0:
              ansible_host: "\(ip(machine))"
              node_rank: 0
              node_port: "{{ proxy_port + node_rank }}"

    """
    return out
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func peakMemoryMB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

// `omnisim-bench generate N PATH` writes the generated inventory of N hosts and stops (for bench-check).
if CommandLine.arguments.count == 4, CommandLine.arguments[1] == "generate", let hosts = Int(CommandLine.arguments[2]) {
    try inventory(hosts: hosts).write(toFile: CommandLine.arguments[3], atomically: true, encoding: .utf8)
    exit(0)
}

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("omnisim-bench-\(getpid())").path
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
// `OMNISIM_BENCH_KEEP=1` keeps the generated inventories (e.g. to time `omnisim validate` on one).
let keep = ProcessInfo.processInfo.environment["OMNISIM_BENCH_KEEP"] == "1"
defer { if keep { print("generated inventories kept in \(directory)") } else { try? FileManager.default.removeItem(atPath: directory) } }

print("omnisim benchmark (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
var previous: (hosts: Int, total: Double)?
// `OMNISIM_BENCH_SIZES=256,1024` picks the sizes; the default is the ladder.
let sizes = ProcessInfo.processInfo.environment["OMNISIM_BENCH_SIZES"].map { $0.split(separator: ",").compactMap { Int($0) } }
    ?? [16, 256, 1024, 4096]
// Shared machines are noisy: each size runs `OMNISIM_BENCH_RUNS` times (default 5) in this process. The
// fastest time of each phase is printed, then load + rules + rehearsal (the part a validation waits for
// before writing reports) as the median over the runs and for the first run, which also pays for mapping
// fresh memory as a one-shot `omnisim validate` does. Peak memory is the process's maximum resident set.
let runs = max(1, Int(ProcessInfo.processInfo.environment["OMNISIM_BENCH_RUNS"] ?? "") ?? 5)
// `OMNISIM_BENCH_STEPS=1` also prints the slowest steps of each size's last rehearsal.
let perStep = ProcessInfo.processInfo.environment["OMNISIM_BENCH_STEPS"] == "1"
print("hosts   load+rules   rehearse   junit     total      µs/host   peak MB (after 1st rehearsal / end)   load+rules+rehearse: median / 1st run")
for size in sizes {
    let path = "\(directory)/inv-\(size).yml"
    try inventory(hosts: size).write(toFile: path, atomically: true, encoding: .utf8)
    var scenario: Scenario!
    var findings: [Finding] = []
    var rehearsal: Rehearsal!
    var (load, rehearse, junit) = (Double.infinity, Double.infinity, Double.infinity)
    var rehearsalPeak = 0.0
    var untilReports: [Double] = []
    var stepTimes: [(id: String, seconds: Double)] = []
    for _ in 0..<runs {
        rehearsal = nil
        let thisLoad = try seconds {
            scenario = try ScenarioLoader.load(path: path)
            findings = RuleSet.check(scenario.cluster)
        }
        stepTimes = []
        var lastStep = DispatchTime.now().uptimeNanoseconds
        let thisRehearse = seconds {
            rehearsal = Rehearsal.run(scenario, findings: findings, onStep: perStep ? { run in
                let now = DispatchTime.now().uptimeNanoseconds
                stepTimes.append((run.step.id, Double(now - lastStep) / 1e9))
                lastStep = now
            } : nil)
        }
        load = min(load, thisLoad)
        rehearse = min(rehearse, thisRehearse)
        untilReports.append(thisLoad + thisRehearse)
        if rehearsalPeak == 0 { rehearsalPeak = peakMemoryMB() }
        junit = min(junit, try seconds { try JUnitWriter.write(rehearsal.report(timestamp: Date()), to: "\(directory)/report-\(size).xml") })
    }
    let medianUntilReports = untilReports.sorted()[untilReports.count / 2]
    if ProcessInfo.processInfo.environment["OMNISIM_BENCH_ALL"] == "1" { print(untilReports.map { String(format: "%.0f", $0 * 1000) }.joined(separator: " ")) }
    let total = load + rehearse + junit
    let hosts = scenario.inventory.hosts.count
    print(String(format: "%5d   %8.1f ms  %7.1f ms  %6.1f ms  %7.1f ms  %7.1f   %6.0f / %-14.0f %7.1f ms / %.1f ms", hosts,
                 load * 1000, rehearse * 1000, junit * 1000, total * 1000, total / Double(hosts) * 1e6, rehearsalPeak, peakMemoryMB(),
                 medianUntilReports * 1000, untilReports[0] * 1000)
          + (rehearsal.run.succeeded ? "" : "   (run failed: \(rehearsal.run.failure!.message))")
          + (findings.contains { $0.severity == .error } ? "   (\(findings.count) findings)" : ""))
    for (id, time) in stepTimes.sorted(by: { $0.seconds > $1.seconds }).prefix(12) {
        print(String(format: "          %-40@ %7.1f ms", id, time * 1000))
    }
    if let previous {
        let growth = (total / previous.total) / (Double(hosts) / Double(previous.hosts))
        print(String(format: "        cost growth vs hosts growth: %.2f (1.00 = linear)", growth))
    }
    previous = (hosts, total)
}

let sample = CommandLine.arguments.dropFirst().first ?? "scenarios/4p1d.yml"
if FileManager.default.fileExists(atPath: sample) {
    var runs: [Double] = []
    for _ in 0..<20 {
        runs.append(try seconds {
            let scenario = try ScenarioLoader.load(path: sample)
            let rehearsal = Rehearsal.run(scenario)
            try JUnitWriter.write(rehearsal.report(timestamp: Date()), to: "\(directory)/sample.xml")
        })
    }
    runs.sort()
    print(String(format: "\n%@: validate + rehearse + JUnit, median %.1f ms, min %.1f ms (20 runs, in process)",
                 sample, runs[runs.count / 2] * 1000, runs[0] * 1000))
}

// Process wall time of `omnisim validate` on the sample, as a user runs it (needs the release omnisim
// binary next to this one: `swift build -c release`).
// `OMNISIM_BENCH_CLI` names another build of it, e.g. the static one of `make release`.
let binary = ProcessInfo.processInfo.environment["OMNISIM_BENCH_CLI"]
    ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("omnisim").path
if FileManager.default.isExecutableFile(atPath: binary) && FileManager.default.fileExists(atPath: sample) {
    var walls: [Double] = []
    // posix_spawn + waitpid: Foundation's Process adds tens of milliseconds of its own.
    let argv = [binary, "validate", "--report-dir", directory + "/cli", sample]
    var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    for _ in 0..<10 {
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        walls.append(seconds {
            var pid: pid_t = 0
            guard posix_spawn(&pid, binary, &actions, nil, &cArgs, environ) == 0 else { return }
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        })
    }
    posix_spawn_file_actions_destroy(&actions)
    walls.sort()
    print(String(format: "%@: `omnisim validate` process wall time, median %.1f ms, min %.1f ms (10 runs of %@)",
                 sample, walls[walls.count / 2] * 1000, walls[0] * 1000, binary))
}
