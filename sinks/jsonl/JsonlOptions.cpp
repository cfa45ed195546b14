#include "JsonlSink.h"

namespace watchdog::jsonl {

const OptionTable& JsonlSink::declaredOptions() {
    static const OptionTable table{
        {"path", "path", "", "required", "", "history.jsonl", "the file; relative to the pipeline file; its folder is created if missing"},
        {"fsync", "bool", "true", "", "", "false",
         "fsync the file after every batch (`false`: faster, the last batches may be lost on power failure)"},
        {"max_size", "size", "", "`0` (never rotate)", "", "100M",
         "rotate before a batch would grow the file past this size (at least `4K`): `file` becomes `file.1`, `file.1` becomes `file.2`, ..."},
        {"keep", "int", "5", "", "", "10", "rotated files kept (1..1000); the oldest beyond it is deleted"},
    };
    return table;
}

}  // namespace watchdog::jsonl
