import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import Foundation
import Testing

@Suite("buy asks for confirmation in a real terminal (tmux)")
struct InteractiveBuyTests {
    @Test(
        "a sale above the customer's risk level is asked about: no records nothing, y records it with the warning",
        .enabled(if: Tmux.available, "tmux is not installed (tools/lib.sh installs it): the question was not tested"))
    func confirmation() throws {
        let directory = TemporaryDirectory()
        let book = directory.file("book.sqlite")
        try Executable.run(["init", "--principal", "M001", "--book", book])
        let setup = try Executable.run([
            "--book", book, "-c", "add 王芳 risk=C2 risk_date=today; product GF300 沪深300 risk=R4; price GF300 1.0",
        ])
        #expect(setup.code == 0, "\(setup.error)")
        let tmux = Tmux()
        let environment = ["LANG": "C.UTF-8", "TZ": "Asia/Shanghai", "NO_COLOR": "1", "HOME": directory.path]
        try tmux.start("buy", [Executable.path, "--book", book], environment: environment)
        try tmux.wait("buy", "the prompt") { $0.contains("M001 (") }

        try tmux.type("buy", "buy 王芳 GF300 amount=10万")
        try tmux.press("buy", "Enter")
        try tmux.wait("buy", "the question") { $0.contains("适当性提示：产品风险等级 R4 高于客户的风险评估 C2") && $0.contains("（y/N）") }
        try tmux.type("buy", "n")
        try tmux.press("buy", "Enter")
        try tmux.wait("buy", "the cancellation") { $0.contains("已取消，没有记录") }

        try tmux.type("buy", "buy 王芳 GF300 amount=10万")
        try tmux.press("buy", "Enter")
        try tmux.wait("buy", "the question again") { $0.components(separatedBy: "（y/N）").count == 3 }
        try tmux.type("buy", "y")
        try tmux.press("buy", "Enter")
        try tmux.wait("buy", "the purchase") { $0.contains("已记录购买") && $0.contains("已记录适当性提示") }
        try tmux.type("buy", "quit")
        try tmux.press("buy", "Enter")
        let deadline = Date().addingTimeInterval(10)
        while try tmux.alive("buy"), Date() < deadline { usleep(50_000) }

        let opened = try Book.open(at: book)
        let holdings = try opened.holdings(customer: try opened.resolveCustomer("王芳"))
        #expect(holdings.count == 1)
        #expect(holdings.first?.warning == "产品风险等级 R4 高于客户的风险评估 C2")
    }
}
