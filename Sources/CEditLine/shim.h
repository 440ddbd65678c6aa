// libedit's readline-compatible API, for the interactive shell (toolchain.md §4 "libedit + CJK").
#include <stdio.h>
#include <stdlib.h>
#include <locale.h>
#include <langinfo.h>
#include <string.h>
#include <editline/readline.h>

// Swift 6 refuses to assign libedit's global function pointers directly ("not concurrency-safe"): set them here.
static inline void fb_set_completer(rl_completion_func_t *f) { rl_attempted_completion_function = f; }

// The character appended after a unique completion (a space by default; 0 for none).
static inline void fb_set_completion_append_character(int c) { rl_completion_append_character = c; }

// Turns off libedit's fallback of completing file names when the completer returns no match.
static inline void fb_set_completion_over(int on) { rl_attempted_completion_over = on; }

// The line being edited, and the cursor position in characters.
static inline const char *fb_line_buffer(void) { return rl_line_buffer; }
static inline int fb_point(void) { return rl_point; }

// Words for completion are split on spaces only, so that `tier=钻` is one word (the completer returns whole words).
static inline void fb_set_word_breaks(void) {
    rl_basic_word_break_characters = " \t\n";
    rl_completer_word_break_characters = (char *)" \t\n";
}

// The application name for ~/.editrc (`fieldbook:bind …`).
static inline void fb_set_readline_name(const char *name) { rl_readline_name = name; }

// Makes CJK input work: the user's locale, and UTF-8 when that locale is not UTF-8 (toolchain.md §4, gotcha a).
static inline void fb_setlocale_utf8(void) {
    setlocale(LC_ALL, "");
    const char *codeset = nl_langinfo(CODESET);
    if (codeset == NULL || strcmp(codeset, "UTF-8") != 0) { setlocale(LC_CTYPE, "C.UTF-8"); }
}

// Whether libedit installs its own signal handlers (it then switches the terminal to cooked mode on SIGINT).
static inline void fb_set_catch_signals(int on) { rl_catch_signals = on; }

// The history list's length and first index (Swift 6 refuses to read libedit's mutable globals directly).
static inline int fb_history_length(void) { return history_length; }
static inline int fb_history_base(void) { return history_base; }
