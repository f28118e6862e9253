import Testing
@testable import Deployer
@Test func placeholderDeployer() { #expect(Bool(true)) }
