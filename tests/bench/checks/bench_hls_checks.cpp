// hls_count and hls_age over folders of 1k, 10k and 100k segment files, against
// `find DIR -name '*.ts' -printf '%T@\n' | wc -l` on the same folders in the same run.
// Prints the median of several interleaved runs of each, and the ratio check/find (target <= 1.2).
#include "TestSupport.h"
#include "config/ConfigNode.h"
#include "plugins/PluginLoader.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace watchdog;
using namespace watchdog::test;
using SteadyClock = std::chrono::steady_clock;

namespace {

double medianMs(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

template <class F>
double timeMs(F&& f) {
    auto start = SteadyClock::now();
    f();
    return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

void fill(const std::string& dir, int files) {
    for (int i = 0; i < files; ++i) {
        char name[64];
        std::snprintf(name, sizeof name, "%s/seg%07d.ts", dir.c_str(), i);
        int fd = ::open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) ::close(fd);
    }
    for (const char* extra : {"live.m3u8", "index.html"}) {
        int fd = ::open((dir + "/" + extra).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) ::close(fd);
    }
}

PluginLoader& loader() {
    static PluginLoader instance({BENCH_PLUGIN_DIR});
    return instance;
}

std::unique_ptr<Check> make(const std::string& plugin, const std::string& yaml) {
    auto check = loader().createCheck(plugin);
    Options opts(parseYaml(yaml, "bench.yaml"), "checks.bench", "/tmp");
    check->configure(opts);
    return check;
}

}  // namespace

int main(int argc, char** argv) {
    const int largest = argc > 1 ? std::atoi(argv[1]) : 100000;
    CheckContext ctx{"bench", "bench", std::chrono::seconds(60), std::chrono::seconds(60), nullptr};
    std::printf("%-8s %-10s %12s %12s %8s   %s\n", "files", "check", "check ms", "find ms", "ratio", "summary");
    for (int files = 1000; files <= largest; files *= 10) {
        TempDir dir;
        fill(dir.path(), files);
        auto count = make("hls_count", "directory: " + dir.path() + "\nmax_files: 1000000\nexclude: [index.html, live.m3u8]\n");
        auto age = make("hls_age", "directory: " + dir.path() + "\nmax_age: 15m\nexclude: [index.html, live.m3u8]\n");
        const std::vector<std::string> find = {"sh", "-c", "find '" + dir.path() + "' -name '*.ts' -printf '%T@\\n' | wc -l"};
        // Warm the dentry and inode caches for everybody.
        runCommand(find, std::chrono::seconds(60));
        count->run(ctx);
        age->run(ctx);
        const int reps = files >= 100000 ? 7 : 15;
        std::vector<double> tCount, tAge, tFind;
        std::string sCount, sAge, findOut;
        for (int r = 0; r < reps; ++r) {
            tCount.push_back(timeMs([&] { sCount = count->run(ctx).summary; }));
            tAge.push_back(timeMs([&] { sAge = age->run(ctx).summary; }));
            tFind.push_back(timeMs([&] { findOut = runCommand(find, std::chrono::seconds(60)).second; }));
        }
        double f = medianMs(tFind);
        std::printf("%-8d %-10s %12.2f %12.2f %8.2f   %s\n", files, "hls_count", medianMs(tCount), f, medianMs(tCount) / f, sCount.c_str());
        std::printf("%-8d %-10s %12.2f %12.2f %8.2f   %s\n", files, "hls_age", medianMs(tAge), f, medianMs(tAge) / f, sAge.c_str());
        std::printf("%-8d %-10s %12s %12.2f %8s   find counted %s", files, "find", "", f, "", findOut.c_str());
    }
    return 0;
}
