import Testing
@testable import Simulator
@Test func placeholderSimulator() { #expect(Bool(true)) }
