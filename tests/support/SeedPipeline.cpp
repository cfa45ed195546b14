#include "SeedPipeline.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace watchdog::test {

std::string writeSeedPipeline(const TempDir& dir, const std::string& interval, const std::string& extraSinks) {
    dir.write("encoder.pid", std::to_string(::getpid()) + "\n");
    dir.write("hls/live.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:1\nseg00001.ts\nseg00002.ts\nseg00003.ts\n");
    for (const char* segment : {"seg00001.ts", "seg00002.ts", "seg00003.ts"})
        dir.write(std::string("hls/") + segment, std::string(1880, 'G'));
    const std::string hls = dir.file("hls");
    return dir.write("pipeline.yaml",
                     "watchdog: { name: seed, interval: " + interval +
                         ", timeout: 900ms, state_file: state.json }\n"
                         "log: { console: true, file: watchdog.log }\n"
                         "checks:\n"
                         "  icecast: { plugin: icecast, label: Icecast Sources, url: \"http://127.0.0.1:" +
                         std::to_string(freeLoopbackPort()) +
                         "\", user: admin, password: secret }\n"
                         "  liquidsoap_cpu: { plugin: process_cpu, label: Liquidsoap CPU, pidfile: " +
                         dir.file("encoder.pid") +
                         ", min_percent: 0 }\n"
                         "  ts_count: { plugin: hls_count, label: TS File Count, directory: " +
                         hls +
                         ", max_files: 20, exclude: [live.m3u8] }\n"
                         "  ts_age: { plugin: hls_age, label: HLS Old Files, directory: " +
                         hls +
                         ", max_age: 15m }\n"
                         "actions:\n"
                         "  discord: { plugin: discord_notify, dry_run: true, webhook_url: \"https://discord.com/api/webhooks/1/seed\" }\n"
                         "  backup: { plugin: aws_start, dry_run: true, instance_id: i-0123456789abcdef0, region: eu-west-2 }\n"
                         "rules:\n"
                         "  failover: { when: \"2 of [icecast, liquidsoap_cpu, ts_count, ts_age]\", warn: [discord], wait: 300s,"
                         " then: [backup], recover: [discord] }\n"
                         "  errors: { on: check_error, then: [discord], throttle: 15m }\n"
                         "sinks:\n"
                         "  - { plugin: sqlite, path: history.db }\n" +
                         extraSinks);
}

ProcessFootprint readFootprint(int pid) {
    const std::string proc = "/proc/" + std::to_string(pid) + "/";
    ProcessFootprint f;
    std::ifstream rollup(proc + "smaps_rollup");
    if (!rollup) throw std::runtime_error("process " + std::to_string(pid) + " is gone");
    for (std::string line; std::getline(rollup, line);) {
        std::istringstream fields(line);
        std::string key;
        long kib = 0;
        fields >> key >> kib;
        if (key == "Rss:")
            f.rssKiB = kib;
        else if (key == "Pss:")
            f.pssKiB = kib;
        else if (key == "Private_Dirty:")
            f.privateDirtyKiB = kib;
    }
    std::ifstream status(proc + "status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("Threads:", 0) == 0) f.threads = std::stol(line.substr(8));
    std::ifstream maps(proc + "maps");
    for (std::string line; std::getline(maps, line);)
        if (line.find(".so") != std::string::npos) ++f.sharedObjects;
    return f;
}

}  // namespace watchdog::test
