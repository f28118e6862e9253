import Testing
@testable import Core

/// The probe's readers on the tools' output layouts.
@Suite struct ProbeParserTests {
    @Test func listenersFromSs() {
        let output = """
        LISTEN 0      128          127.0.0.4:9101       0.0.0.0:*    users:(("python3",pid=4242,fd=3))
        LISTEN 0      4096               [::]:9101          [::]:*    users:(("python3",pid=4242,fd=4))
        LISTEN 0      128            0.0.0.0:22          0.0.0.0:*    users:(("sshd",pid=812,fd=3),("sshd",pid=900,fd=3))
        LISTEN 0      10           127.0.0.1:631         0.0.0.0:*
        """
        let listeners = ProbeParser.listening(output)
        #expect(listeners.map(\.port) == [9101, 22, 631])
        #expect(listeners[0].process == "python3 (pid 4242)" && listeners[0].pid == 4242)
        #expect(listeners[1].process == "sshd (pid 812)")
        #expect(listeners[2].process == "unknown process" && listeners[2].pid == nil)
    }

    @Test func devicesAndTheirHolders() {
        let map = ProbeParser.npuMap("""
                NPU ID                         Chip ID                        Chip Logic ID                  Chip Name
                0                              0                              0                              Ascend 910B3
                0                              1                              -                              Mcu
                1                              0                              1                              Ascend 910B3
                1                              1                              2                              Ascend 910B3
        """)
        #expect(map == [.init(npu: 0, chip: 0): 0, .init(npu: 1, chip: 0): 1, .init(npu: 1, chip: 1): 2])
        let held = ProbeParser.heldNPUs("""
        | 0     910B3               | OK            | 90.0        40                0    / 0             |
        +---------------------------+---------------+----------------------------------------------------+
        | NPU     Chip              | Process id    | Process name             | Process memory(MB)      |
        +===========================+===============+====================================================+
        | 1       1                 | 31337         | python3                  | 3000                    |
        | No running processes found in NPU 0                                                            |
        """, map: map)
        #expect(held == [2: "python3 (pid 31337)"])
        #expect(ProbeParser.deviceIPs("device 0\nipaddr:29.0.3.0\nnetmask:255.255.255.0\ndevice 1\nipaddr:29.0.3.1\n") == [0: "29.0.3.0", 1: "29.0.3.1"])
    }

    @Test func dockerDiskModelAndRoute() {
        #expect(ProbeParser.images("omniinfer:v2\n<none>:<none>\nnginx:latest\n") == ["omniinfer:v2", "nginx:latest"])
        let id = String(repeating: "ab", count: 32)
        let containers = ProbeParser.containers("\(id)\tyou_name_omni_infer_decode_d0\tomniinfer:v1\texited\n")
        #expect(containers == [.init(id: id, name: "you_name_omni_infer_decode_d0", image: "omniinfer:v1", state: "exited")])
        #expect(ProbeParser.containerOfPids("4242 0::/system.slice/docker-\(id).scope \n812 0::/system.slice/ssh.service \n") == [4242: id])
        #expect(ProbeParser.freeSpace("/data/log_path /dev/sda1 1000000 400000 600000 40% /\n/tmp/scripts_path tmpfs 100 100 0 100% /tmp\n")
                == ["/data/log_path": 600000, "/tmp/scripts_path": 0])
        #expect(ProbeParser.modelKilobytes("123456\t/data/models/x\n") == 123456)
        #expect(ProbeParser.modelKilobytes("missing\n") == nil)
        #expect(ProbeParser.defaultInterface("default via 192.0.2.1 dev enp189s0f0 proto static metric 100\n") == "enp189s0f0")
        #expect(ProbeParser.defaultInterface("") == "")
    }

    /// The machines file a snapshot writes reads back into the same description.
    @Test func machinesFileReadsBack() throws {
        var s = MachineSnapshot(address: "10.0.0.1")
        s.deviceIPs = [0: "29.0.1.0", 1: "29.0.1.1"]
        s.heldNPUs = [1: "python3 (pid 7)"]
        s.images = ["omniinfer:v2"]
        s.containers = ["you_name_omni_infer_decode_d0": "omniinfer:v1"]
        s.listening = [9101: .init(process: "python3 (pid 7)", container: nil), 9100: .init(process: "vllm (pid 8)", container: "you_name_omni_infer_decode_d0")]
        s.freeKilobytes = ["/data/log_path": 0, "/tmp": 5_000_000]
        s.modelKilobytes = nil
        s.interface = "eth0"
        let path = try LoaderTests().write(MachineSnapshot.machinesFile([s], executorHasCode: false, scenario: "x"))
        let plan = try ScenarioLoader.loadMachines(path: path)
        let spec = plan.spec(for: "10.0.0.1")
        #expect(spec.deviceIPs == s.deviceIPs)
        #expect(spec.busyNPUs == [1])
        #expect(spec.images == ["omniinfer:v2"])
        #expect(spec.containers == s.containers)
        #expect(spec.listening[9100] == Listener(process: "vllm (pid 8)", container: "you_name_omni_infer_decode_d0"))
        #expect(spec.listening[9101] == Listener(process: "python3 (pid 7)"))
        #expect(spec.fullPaths == ["/data/log_path"])
        #expect(!spec.modelPresent)
        #expect(spec.interface == "eth0")
        #expect(!plan.executorHasCode)
        #expect(!MachinePlan().overlaid(with: plan).executorHasCode)
        // The JSON form keeps every figure, device ids and ports as keys.
        let json = MachineSnapshot.json([s], executorHasCode: false)
        #expect(json.contains("\"device_ips\": {"))
        #expect(json.contains("\"1\": \"29.0.1.1\""))
        #expect(json.contains("\"free_kb\": {"))
        #expect(json.contains("\"model_kb\": null"))
        #expect(json.contains("\"container\": \"you_name_omni_infer_decode_d0\""))
    }
}
