// Trimming the start-up library pages (core/app/LibraryPages): the read-only library mappings lose
// their resident pages, nothing that holds a private copy (relocations) is touched, and every library
// keeps working afterwards, virtual calls and exceptions across libraries included.
#include "LibraryPages.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/Exception.h>
#include <Poco/NumberFormatter.h>
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

using namespace watchdog;

namespace {

// Resident KiB of the read-only private file mappings, and of the ones holding private copies.
struct ReadOnlyResidency {
    long cleanKiB = 0;
    long copiedKiB = 0;
};

ReadOnlyResidency readOnlyResidency() {
    ReadOnlyResidency r;
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    bool readOnlyFile = false;
    long rss = 0;
    const std::regex header(R"(^[0-9a-f]+-[0-9a-f]+ (....) \S+ \S+ (\d+)\s*(\S*))");
    std::smatch m;
    while (std::getline(smaps, line)) {
        if (std::regex_search(line, m, header)) {
            readOnlyFile = m[1].str().substr(0, 2) == "r-" && m[2] != "0" && m[3].str().rfind('/', 0) == 0;
        } else if (readOnlyFile && std::sscanf(line.c_str(), "Rss: %ld kB", &rss) == 1) {
            r.cleanKiB += rss;
        } else if (readOnlyFile && std::sscanf(line.c_str(), "Anonymous: %ld kB", &rss) == 1 && rss > 0) {
            r.cleanKiB -= rss;
            r.copiedKiB += rss;
        }
    }
    return r;
}

std::string useLibraries() {
    std::ostringstream out;
    out << Poco::NumberFormatter::formatHex(48879) << ' ' << Poco::DateTimeFormatter::format(Poco::Timestamp(0), "%Y-%m-%d");
    try {
        throw Poco::NotFoundException("probe");
    } catch (const Poco::Exception& e) {
        out << ' ' << e.displayText();
    }
    return out.str();
}

}  // namespace

TEST_CASE("trimming unmaps the clean pages of read-only library mappings and leaves the copies") {
    const std::string before = useLibraries();
    const ReadOnlyResidency r0 = readOnlyResidency();
    REQUIRE(r0.cleanKiB > 0);

    const LibraryPageTrim trim = trimLibraryPages();
    const ReadOnlyResidency r1 = readOnlyResidency();
    INFO("clean KiB " << r0.cleanKiB << " -> " << r1.cleanKiB << ", copied " << r0.copiedKiB << " -> " << r1.copiedKiB);
    CHECK(trim.mappings > 0);
    CHECK(trim.residentBefore > 0);
    CHECK(r1.cleanKiB < r0.cleanKiB);
    CHECK(r1.copiedKiB == r0.copiedKiB);  // relocated pages keep their private copies

    CHECK(useLibraries() == before);
    CHECK(before == "BEEF 1970-01-01 Not found: probe");
    CHECK(trimLibraryPages().mappings > 0);  // again: the same, still working
    CHECK(useLibraries() == before);
}
