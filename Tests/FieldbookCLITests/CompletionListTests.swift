import FieldbookTestSupport
import Foundation
import Testing

/// What TAB prints when it has several answers (issue 18): libedit pads its list by bytes, so the shell lists the
/// candidates itself, padded by display width, and redraws the line being edited.
@Suite("Tab's list of candidates in a real terminal (tmux)")
struct CompletionListTests {
    @Test(
        "several Chinese candidates are listed in columns padded by display width, and the line is kept",
        .enabled(if: Tmux.available, "tmux is not installed (tools/lib.sh installs it)"))
    func listIsPaddedByDisplayWidth() throws {
        let directory = TemporaryDirectory()
        let book = directory.file("book.sqlite")
        try Executable.run(["init", "--principal", "M001", "--book", book])
        #expect(try Executable.run(["--book", book, "-c", "add 欧阳娜娜"]).code == 0)
        let tmux = Tmux()
        let environment = ["LANG": "C.UTF-8", "TZ": "Asia/Shanghai", "NO_COLOR": "1", "HOME": directory.path]
        try tmux.start("list", [Executable.path, "--book", book], environment: environment)
        try tmux.wait("list", "the prompt") { $0.contains("M001 (1 未同步)>") }
        try tmux.type("list", "set 欧阳娜娜 group=")
        try tmux.press("list", "Tab")
        // Six values, the widest 14 columns wide: columns of 16, all on one line of the 120-column window. Padded
        // by bytes (a Chinese character is 3 bytes and 2 columns), the columns would drift.
        let expected = "group=企业老板  group=退休      group=家庭主妇  group=港澳台    group=企业员工  group=炒股"
        let screen = try tmux.wait("list", "the list") { $0.contains(expected) }
        #expect(Tmux.lastLine(screen).hasSuffix("set 欧阳娜娜 group="), "\(screen)")
        // The line is still being edited: one more character and TAB completes it.
        try tmux.type("list", "退")
        try tmux.press("list", "Tab")
        try tmux.wait("list", "the completed value") { Tmux.lastLine($0).hasSuffix("set 欧阳娜娜 group=退休") }
        try tmux.press("list", "C-u")
        try tmux.type("list", "quit")
        try tmux.press("list", "Enter")
    }
}
