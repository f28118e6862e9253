import Testing
@testable import Core
@Test func placeholderCore() { #expect(Bool(true)) }
