import Testing
@testable import Core

struct MapResolver: VariableResolver {
    var values: [String: Value]
    func resolve(_ name: String, at location: Core.SourceLocation) throws -> Value? { values[name] }
}

@Suite struct ExprTests {
    let vars = MapResolver(values: [
        "global_port_base": .int(8000), "base_api_port": .int(9000), "kv_rank": .int(1), "node_rank": .int(2),
        "port_offset": .map(["P": .int(0), "D": .int(100)]), "name": .string("p0"), "digits": .string(" 42 "),
        "devices": .list([.int(0), .int(1), .int(2)]), "text": .string("abc"),
    ])
    let at = Core.SourceLocation(file: "inv.yml", line: 7, column: 20)

    func eval(_ text: String) throws -> Value { try Template.parse(text, at: at).evaluate(vars) }

    func failure(_ text: String) -> Diagnostic? {
        do { _ = try eval(text); return nil } catch let e as InputError { return e.diagnostics.first } catch { return nil }
    }

    @Test func inventoryForms() throws {
        #expect(try eval("{{ global_port_base + port_offset.P + kv_rank }}") == .int(8001))
        #expect(try eval("{{ base_api_port + port_offset.D + node_rank }}") == .int(9102))
        #expect(try eval("{{ global_port_base + port_offset['D'] }}") == .int(8100))
        #expect(try eval("  {{ kv_rank }}  ") == .int(1))
    }

    @Test func mixedTextBecomesAString() throws {
        #expect(try eval("host-{{ name }}:{{ base_api_port + kv_rank }}") == .string("host-p0:9001"))
        #expect(try eval("plain") == .string("plain"))
        #expect(try Template.parse("plain", at: at).isConstant)
        #expect(try Template.parse("{{ a + b.c }}{{ a }}", at: at).variables == ["a", "b"])
    }

    @Test func arithmeticFollowsPython() throws {
        #expect(try eval("{{ 7 // 2 }}") == .int(3))
        #expect(try eval("{{ -7 // 2 }}") == .int(-4))
        #expect(try eval("{{ -7 % 3 }}") == .int(2))
        #expect(try eval("{{ 7 % -3 }}") == .int(-2))
        #expect(try eval("{{ 2 + 3 * 4 }}") == .int(14))
        #expect(try eval("{{ (2 + 3) * 4 }}") == .int(20))
        #expect(try eval("{{ -kv_rank + 1 }}") == .int(0))
        #expect(try eval("{{ 2 ** 10 }}") == .int(1024))
        #expect(try eval("{{ 'a' ~ 1 ~ name }}") == .string("a1p0"))
        #expect(try eval("{{ 'x' + 'y' }}") == .string("xy"))
        #expect(try eval("{{ devices[-1] }}") == .int(2))
        #expect(try eval("{{ devices.0 }}") == .int(0))
    }

    @Test func logicAndComparisons() throws {
        #expect(try eval("{{ kv_rank == 1 and node_rank > 1 }}") == .bool(true))
        #expect(try eval("{{ not (kv_rank < 1) }}") == .bool(true))
        #expect(try eval("{{ 'P' in port_offset }}") == .bool(true))
        #expect(try eval("{{ 3 not in devices }}") == .bool(true))
        #expect(try eval("{{ missing is defined }}") == .bool(false))
        #expect(try eval("{{ name is not defined }}") == .bool(false))
        #expect(try eval("{{ 1 if kv_rank else 2 }}") == .int(1))
    }

    @Test func filters() throws {
        #expect(try eval("{{ digits | int }}") == .int(42))
        #expect(try eval("{{ kv_rank | string }}") == .string("1"))
        #expect(try eval("{{ missing | default(9000) }}") == .int(9000))
        #expect(try eval("{{ port_offset.X | d(5) }}") == .int(5))
        #expect(try eval("{{ '' | default('x', true) }}") == .string("x"))
        #expect(try eval("{{ devices | length }}") == .int(3))
        #expect(try eval("{{ text | length }}") == .int(3))
        #expect(try eval("{{ (digits | int) + 1 }}") == .int(43))
        #expect(try eval("{{ ' \\t 7 ' | int }}") == .int(7))
        #expect(try eval("{{ '  a b  ' | trim }}") == .string("a b"))
        #expect(try eval("{{ '\u{3000}wide\u{00A0}' | trim }}") == .string("wide"))
        #expect(try eval("{{ 'é ' | trim }}") == .string("é"))
    }

    @Test func undefinedVariableIsLocated() {
        let d = failure("{{ global_port_base + kvrank }}")
        #expect(d?.code == "OMS011")
        #expect(d?.location == at.advanced(by: 22))
        #expect(d?.message.contains("kvrank") == true)
    }

    @Test func missingAttributeNamesTheKeys() {
        let d = failure("{{ port_offset.C }}")
        #expect(d?.code == "OMS011")
        #expect(d?.location?.column == at.column + 14)
        #expect(d?.hint?.contains("D, P") == true)
    }

    @Test func divisionByZeroAndOverflow() {
        #expect(failure("{{ 1 // 0 }}")?.code == "OMS012")
        #expect(failure("{{ 1 % (kv_rank - 1) }}")?.code == "OMS012")
        #expect(failure("{{ 9223372036854775807 + 1 }}")?.code == "OMS012")
        #expect(failure("{{ 99999999999999999999 }}")?.code == "OMS012")
    }

    @Test func typeErrorsNameBothTypes() {
        let d = failure("{{ name + 1 }}")
        #expect(d?.code == "OMS013")
        #expect(d?.message.contains("string") == true && d?.message.contains("integer") == true)
        #expect(failure("{{ 'abc' | int }}")?.code == "OMS013")
        #expect(failure("{{ kv_rank | length }}")?.code == "OMS013")
    }

    @Test func unsupportedConstructs() {
        let slash = failure("{{ 8 / 2 }}")
        #expect(slash?.code == "OMS014")
        #expect(slash?.hint?.contains("//") == true)
        #expect(slash?.location == at.advanced(by: 5))
        #expect(failure("{{ 1.5 }}")?.code == "OMS014")
        #expect(failure("{% if x %}y{% endif %}")?.code == "OMS014")
        #expect(failure("{# note #}")?.code == "OMS014")
        #expect(failure("{{ range(3) }}")?.code == "OMS014")
        let filter = failure("{{ kv_rank | integer }}")
        #expect(filter?.code == "OMS014")
        #expect(filter?.hint == "did you mean 'int'?")
    }

    @Test func syntaxErrors() {
        #expect(failure("{{ kv_rank + }}")?.code == "OMS010")
        #expect(failure("{{ kv_rank")?.code == "OMS010")
        #expect(failure("{{ }}")?.code == "OMS010")
        #expect(failure("{{ (1 + 2 }}")?.code == "OMS010")
        #expect(failure("{{ 'open }}")?.code == "OMS010")
        #expect(failure("{{ 1 2 }}")?.code == "OMS010")
        #expect(failure("{{ a $ b }}")?.location == at.advanced(by: 5))
    }

    @Test func bareExpression() throws {
        #expect(try ExpressionEvaluator.evaluate("kv_rank * 10", at: at, resolver: vars) == .int(10))
    }
}
