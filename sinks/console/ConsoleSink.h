#pragma once

#include <watchdog/OptionTable.h>
#include <watchdog/Sink.h>

#include <ostream>
#include <string>

namespace watchdog::console {

/// Prints one human line per record to stdout (or stderr), optionally coloured by status.
class ConsoleSink : public Sink {
public:
    /// Writes to the stream chosen by the `stream` option.
    ConsoleSink();
    /// Writes to `out` instead (tests); `isTerminal` stands in for the isatty() answer of `color: auto`.
    ConsoleSink(std::ostream& out, bool isTerminal);
    void configure(const Options& options) override;
    /// The options configure() reads, as the README lists them.
    static const OptionTable& declaredOptions();
    void write(const std::vector<Record>& batch) override;

    /// The line printed for a record (no newline), coloured with ANSI codes if `color`.
    static std::string format(const Record& record, bool color);

private:
    std::ostream* out_;
    bool results_ = true;
    bool events_ = true;
    bool color_ = false;
    bool isTerminal_ = false;
    bool fixedStream_ = false;
};

}  // namespace watchdog::console
