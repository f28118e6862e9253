import Testing
@testable import Core

@Suite struct PathsTests {
    @Test func scriptPathsAndModesFollowTheFileNames() {
        var settings = DeploymentSettings()
        settings.scriptsPath = "/opt/scripts"
        settings.logPath = "/var/log/omni"
        let paths = Paths(settings)
        for file in StepAction.GeneratedFile.allCases {
            #expect(paths.script(file) == "/opt/scripts/" + file.rawValue)
            #expect(file.mode == (file.rawValue.hasSuffix(".sh") ? 0o750 : 0o644))
        }
        #expect(paths.hostLogs(TestHosts.twoPOneD[0]) == "/var/log/omni/" + TestHosts.twoPOneD[0].name)
    }
}
